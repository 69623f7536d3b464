package dev.sfu.core.outbound;

import dev.sfu.core.media.Router;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.rtp.rtcp.GenericNack;
import java.util.Arrays;

/**
 * Answers a subscriber's generic NACKs (RFC 4585 §6.2.1) from the packet cache with RTX retransmissions,
 * never asking the publisher for what is cached, and never letting a subscriber turn the server into an
 * amplifier: one NACK item names up to 17 packets, so without limits a few hundred bytes of NACKs would
 * ask for megabytes. So a packet is resent at most once per {@link #RESEND_INTERVAL_NANOS} (about a
 * round trip), only the first {@link #MAX_ITEMS_PER_NACK} items of a NACK are read, and retransmissions
 * spend a byte budget that only forwarded media earns (half of it), capped. What is refused is counted by
 * reason. One per subscribe transport; media thread only; allocates nothing.
 */
final class NackResponder {
    /** How soon the same packet may be resent: a repeated NACK within a round trip asks for what is on its way. */
    static final long RESEND_INTERVAL_NANOS = 100_000_000L;
    /** NACK items read per NACK packet: 32 × 17 packets is more than a second of loss at any sane rate. */
    static final int MAX_ITEMS_PER_NACK = 32;
    /** Retransmitted bytes may be at most this share of the bytes forwarded. */
    static final double BUDGET_SHARE = 0.5;
    /** Budget saved up at most: about a second of a 2 Mbps subscriber's repairs. */
    static final double MAX_BUDGET_BYTES = 256 * 1024;

    /** Refusal reasons, as {@code sfu_nack_refused_total{reason}} tags. */
    static final String DUPLICATE = "duplicate";
    static final String BUDGET = "budget";
    static final String TOO_MANY_ITEMS = "too-many-items";

    /** Resends remembered: within a resend interval, more than a NACK's 32 × 17 packets (16 KiB, not 32). */
    private static final int RECENT = 1024;

    private final Router router;
    private final SfuMetrics metrics;
    /** Recently resent packets by (SSRC, sequence), open-addressed; a collision only forgets a resend. */
    private final long[] recentKeys = new long[RECENT];
    private final long[] recentTimes = new long[RECENT];
    private double budget = MAX_BUDGET_BYTES / 4;
    private long forwardedSeen = -1;

    NackResponder(Router router, SfuMetrics metrics) {
        this.router = router;
        this.metrics = metrics;
        Arrays.fill(recentKeys, -1);
    }

    /**
     * Earns budget from what was forwarded since the last call.
     *
     * @param forwardedBytes the subscriptions' forwarded bytes so far (a running total)
     */
    void earn(long forwardedBytes) {
        if (forwardedSeen >= 0 && forwardedBytes > forwardedSeen) {
            budget = Math.min(MAX_BUDGET_BYTES, budget + (forwardedBytes - forwardedSeen) * BUDGET_SHARE);
        }
        forwardedSeen = forwardedBytes;
    }

    /** Each NACK item names a packet id and a bitmask of the 16 after it. */
    void onNack(Subscription s, byte[] buffer, int at, int length, long nowNanos) {
        int items = GenericNack.entries(length);
        if (items > MAX_ITEMS_PER_NACK) {
            metrics.nackRefused(TOO_MANY_ITEMS).increment(items - MAX_ITEMS_PER_NACK);
            items = MAX_ITEMS_PER_NACK;
        }
        for (int e = 0; e < items; e++) {
            int pid = GenericNack.pid(buffer, at, e);
            int blp = GenericNack.blp(buffer, at, e);
            for (int bit = -1; bit < 16; bit++) {
                if (bit < 0 || (blp & (1 << bit)) != 0) {
                    resend(s, (pid + bit + 1) & 0xffff, nowNanos);
                }
            }
        }
    }

    private void resend(Subscription s, int sequence, long nowNanos) {
        metrics.nacksReceived().increment();
        long key = (Integer.toUnsignedLong(s.ssrc()) << 16) | sequence;
        int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> 53) & (RECENT - 1);
        if (recentKeys[slot] == key && nowNanos - recentTimes[slot] < RESEND_INTERVAL_NANOS) {
            metrics.nackRefused(DUPLICATE).increment();
            return;
        }
        if (budget <= 0) {
            metrics.nackRefused(BUDGET).increment();
            return;
        }
        int sent = router.retransmit(s, sequence, nowNanos);
        if (sent > 0) {
            budget -= sent;
            recentKeys[slot] = key;
            recentTimes[slot] = nowNanos;
            metrics.retransmissions().increment();
        }
    }

    /** The bytes retransmissions may still spend (for tests). */
    double budget() {
        return budget;
    }
}
