package dev.sfu.core.bwe;

/**
 * The loss-based rate of GCC (draft-ietf-rmcat-gcc-02 §6): over 10 % loss cuts the rate by half the
 * loss fraction, under 2 % lets it grow (5 % an update) up to the delay-based rate, in between holds. Fractions are taken
 * over at least 20 reported packets so that one lost packet of a quiet stream is not read as 50 %.
 */
final class LossBasedControl {
    static final double HIGH_LOSS = 0.10;
    static final double LOW_LOSS = 0.02;
    private static final int MIN_PACKETS = 20;
    private static final long DECREASE_INTERVAL_NANOS = 300_000_000L;

    private long estimate;
    private int lost;
    private int reported;
    private double lastFraction;
    private long lastDecreaseNanos = Long.MIN_VALUE / 2;

    LossBasedControl(long initialBps) {
        this.estimate = initialBps;
    }

    long update(int lostPackets, int reportedPackets, long delayBasedBps, long nowNanos) {
        lost += lostPackets;
        reported += reportedPackets;
        if (reported < MIN_PACKETS) {
            return estimate;
        }
        double fraction = (double) lost / reported;
        lastFraction = fraction;
        lost = 0;
        reported = 0;
        if (fraction < LOW_LOSS) {
            // Grows 5 % an update toward the delay-based rate rather than jumping to it: a lucky quiet
            // stretch on a lossy path must not undo the decreases at once.
            estimate = Math.min((long) (estimate * 1.05) + 1000, delayBasedBps);
        } else if (fraction > HIGH_LOSS && nowNanos - lastDecreaseNanos >= DECREASE_INTERVAL_NANOS) {
            estimate = (long) (Math.min(estimate, delayBasedBps) * (1 - 0.5 * fraction));
            lastDecreaseNanos = nowNanos;
        }
        estimate = Math.max(AimdRateControl.MIN_BPS, estimate);
        return estimate;
    }

    /** A probe got through at this rate: the loss-based rate starts from there too (as libwebrtc's). */
    void raiseTo(long bps) {
        estimate = Math.max(estimate, bps);
    }

    long estimate() {
        return estimate;
    }

    double lastLossFraction() {
        return lastFraction;
    }
}
