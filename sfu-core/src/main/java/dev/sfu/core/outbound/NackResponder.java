package dev.sfu.core.outbound;

import dev.sfu.core.media.Router;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.rtp.rtcp.GenericNack;

/**
 * Answers a subscriber's generic NACK (RFC 4585 §6.2.1) from the packet cache with RTX
 * retransmissions, never asking the publisher for what is cached. Media thread only.
 */
final class NackResponder {
    private final Router router;
    private final SfuMetrics metrics;

    NackResponder(Router router, SfuMetrics metrics) {
        this.router = router;
        this.metrics = metrics;
    }

    /** Each NACK item names a packet id and a bitmask of the 16 after it. */
    void onNack(Subscription s, byte[] buffer, int at, int length, long nowNanos) {
        for (int e = 0, n = GenericNack.entries(length); e < n; e++) {
            int pid = GenericNack.pid(buffer, at, e);
            int blp = GenericNack.blp(buffer, at, e);
            for (int bit = -1; bit < 16; bit++) {
                if (bit >= 0 && (blp & (1 << bit)) == 0) {
                    continue;
                }
                metrics.nacksReceived().increment();
                if (router.retransmit(s, (pid + bit + 1) & 0xffff, nowNanos)) {
                    metrics.retransmissions().increment();
                }
            }
        }
    }
}
