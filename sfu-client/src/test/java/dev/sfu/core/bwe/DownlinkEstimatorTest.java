package dev.sfu.core.bwe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.LinkEmulator;
import dev.sfu.core.media.TransportCcRecorder;
import dev.sfu.rtp.rtcp.TransportCcFeedback;
import org.junit.jupiter.api.Test;

/**
 * The whole estimator against the link emulator on a virtual clock: a sender that sends what the
 * estimate allows (up to what it wants), transport-cc feedback every 50 ms, probes as padding.
 */
class DownlinkEstimatorTest {
    private static final long MS = 1_000_000L;

    private final DownlinkEstimator estimator = new DownlinkEstimator();
    private final LinkEmulator link = new LinkEmulator(11);
    private final TransportCcRecorder receiver = new TransportCcRecorder();
    private final byte[] packet = new byte[1200];
    private final byte[] feedback = new byte[1500];
    private final long[] arrivals = new long[8192];
    private int sequence;
    private long now;
    private double credit;

    @Test
    void settlesUnderACapAndClimbsBackWhenItIsLifted() {
        long wanted = 2_500_000;
        link.setConditions(LinkEmulator.Conditions.cap(1_000_000));
        run(wanted, 10_000);
        long capped = estimator.estimateBps();
        System.out.printf("DownlinkEstimatorTest: 1 Mbps cap, 2.5 Mbps wanted: estimate %d bps after 10 s%n", capped);
        assertTrue(capped < 1_150_000 && capped > 500_000, "about the cap: " + capped);

        link.setConditions(LinkEmulator.Conditions.cap(10_000_000));
        long climbedAt = -1;
        for (int second = 1; second <= 15 && climbedAt < 0; second++) {
            run(wanted, 1000);
            if (estimator.estimateBps() >= 2_000_000) {
                climbedAt = second;
            }
        }
        System.out.printf("DownlinkEstimatorTest: cap lifted: estimate %d bps, above 2 Mbps after %d s, %d probes%n",
                estimator.estimateBps(), climbedAt, estimator.probes());
        assertTrue(climbedAt > 0 && climbedAt <= 10, "probes let the estimate climb: " + estimator.estimateBps());
    }

    @Test
    void randomLossOf20PercentBringsTheEstimateDown() {
        link.setConditions(LinkEmulator.Conditions.loss(0.2));
        run(1_000_000, 5000);
        assertTrue(estimator.estimateBps() < 500_000, "loss-based decrease: " + estimator.estimateBps());
    }

    /** Runs {@code millis} of virtual time, sending min(wanted, estimate) in 1,200-byte packets. */
    private void run(long wantedBps, int millis) {
        for (int i = 0; i < millis; i++) {
            now += MS;
            long rate = estimator.hasEstimate() ? Math.min(wantedBps, estimator.estimateBps()) : wantedBps;
            credit += rate / 8000.0;
            while (credit >= packet.length) {
                credit -= packet.length;
                send(packet.length);
            }
            if (now % (50 * MS) == 0) {
                int padding = estimator.probePaddingBytes(wantedBps, now, 50 * MS);
                for (; padding > 0; padding -= 250) {
                    send(250);
                }
            }
            link.poll(now, (tag, b, o, l, t) -> receiver.record(tag, t / 1000));
            if (now % (50 * MS) == 0) {
                int length = receiver.writeFeedback(feedback, 0, 1, 2);
                if (length > 0) {
                    int count = TransportCcFeedback.parse(feedback, 0, length, arrivals);
                    int base = (feedback[12] & 0xff) << 8 | (feedback[13] & 0xff);
                    estimator.onFeedback(base, arrivals, count, now);
                }
            }
        }
    }

    private void send(int size) {
        int s = sequence++ & 0xffff;
        estimator.onPacketSent(s, size, now);
        link.offer(s, packet, 0, size, now);
    }
}
