package dev.sfu.core.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each part of the downlink estimate on synthetic input. */
class BweComponentsTest {
    private static final long MS = 1_000_000L;

    @Test
    void packetsSentWithin5MsFormOneGroup() {
        PacketGroups groups = new PacketGroups();
        // Three frames 33 ms apart, each a burst of 3 packets 1 ms apart.
        int ready = 0;
        for (int frame = 0; frame < 3; frame++) {
            for (int p = 0; p < 3; p++) {
                long send = frame * 33 * MS + p * MS;
                if (groups.onPacket(send, send + 20 * MS + frame * 2 * MS)) {
                    ready++;
                    assertEquals(33 * MS, groups.sendDelta());
                    assertEquals(35 * MS, groups.arrivalDelta(), "2 ms more queueing per frame");
                }
            }
        }
        assertEquals(1, ready, "frame 1 completed against frame 0 when frame 2 began");
    }

    @Test
    void trendlineStaysNormalOnJitterAndDetectsAGrowingQueue() {
        TrendlineEstimator steady = new TrendlineEstimator();
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            double jitter = random.nextDouble(-1, 1);
            steady.update(20 + jitter, 20, (i * 20 + 100) * MS);
        }
        assertEquals(BandwidthUsage.NORMAL, steady.usage(), "±1 ms jitter is no congestion");

        TrendlineEstimator growing = new TrendlineEstimator();
        BandwidthUsage seen = BandwidthUsage.NORMAL;
        for (int i = 0; i < 60 && seen != BandwidthUsage.OVERUSING; i++) {
            seen = growing.update(22, 20, (i * 22 + 100) * MS); // each group 2 ms later than sent
        }
        assertEquals(BandwidthUsage.OVERUSING, seen);

        TrendlineEstimator draining = new TrendlineEstimator();
        for (int i = 0; i < 40; i++) {
            draining.update(17, 20, (i * 17 + 100) * MS);
        }
        assertEquals(BandwidthUsage.UNDERUSING, draining.usage());
    }

    @Test
    void ackedBitrateIsTheReceivedRateOverHalfASecond() {
        AckedBitrate acked = new AckedBitrate();
        assertEquals(-1, acked.bitsPerSecond());
        for (int i = 0; i <= 100; i++) {
            acked.onPacket(i * 10 * MS, 1000); // 1,000 bytes every 10 ms: 800 kbps
        }
        assertEquals(800_000, acked.bitsPerSecond(), 1000);
    }

    @Test
    void aimdDecreasesToBetaTimesAckedAndIncreasesBoundedByAcked() {
        AimdRateControl aimd = new AimdRateControl(2_000_000);
        assertEquals(850_000, aimd.update(BandwidthUsage.OVERUSING, 1_000_000, 0));
        aimd.update(BandwidthUsage.OVERUSING, 1_000_000, 50 * MS);
        assertEquals(850_000, aimd.estimate(), "one decrease per 200 ms");
        long t = 0;
        for (int i = 0; i < 100; i++) {
            t += 100 * MS;
            aimd.update(BandwidthUsage.NORMAL, 600_000, t);
        }
        assertEquals(910_000, aimd.estimate(), "never above 1.5x acked + 10 kbps");
        aimd.update(BandwidthUsage.NORMAL, 2_000_000, t + 1000 * MS);
        assertEquals(982_800, aimd.estimate(), 1000, "8 % a second while the path shows it");
        aimd.update(BandwidthUsage.UNDERUSING, 2_000_000, t + 2000 * MS);
        assertEquals(982_800, aimd.estimate(), 1000, "held while queues drain");
    }

    @Test
    void lossAbove10PercentDecreasesBelow2PercentFollowsTheDelayBasedRate() {
        LossBasedControl loss = new LossBasedControl(1_000_000);
        assertEquals(1_000_000, loss.update(5, 10, 1_000_000, 0), "10 packets are too few to judge");
        assertEquals(800_000, loss.update(3, 10, 1_000_000, MS), "8 of 20 lost: x (1 - 0.5 x 0.4)");
        assertEquals(800_000, loss.update(1, 20, 1_000_000, 500 * MS), "5 %: hold");
        assertEquals(841_000, loss.update(0, 100, 1_200_000, 1000 * MS), "no loss: 5 % up");
        assertEquals(700_000, loss.update(0, 100, 700_000, 1100 * MS), "never above the delay-based rate");
    }
}
