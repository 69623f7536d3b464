package dev.sfu.core.bwe;

/**
 * The delay-based rate of GCC (draft-ietf-rmcat-gcc-02 §5.5): additive-increase/multiplicative-decrease
 * driven by the detector. On overuse the rate drops to 0.85× what the subscriber received; while normal
 * it grows by 8 % a second, but never beyond 1.5× the received rate (it is only allowed to claim what
 * the path has shown, plus a margin; probes show more); on underuse it holds while queues drain.
 */
final class AimdRateControl {
    static final double BETA = 0.85;
    static final double INCREASE_PER_SECOND = 1.08;
    static final double ACKED_BOUND = 1.5;
    static final long MIN_BPS = 50_000;
    static final long MAX_BPS = 50_000_000;
    /** A decrease is given one round trip or so to take effect before another. */
    private static final long DECREASE_INTERVAL_NANOS = 200_000_000L;

    private long estimate;
    private long lastUpdateNanos = Long.MIN_VALUE;
    private long lastDecreaseNanos = Long.MIN_VALUE / 2;

    AimdRateControl(long initialBps) {
        this.estimate = initialBps;
    }

    long update(BandwidthUsage usage, long ackedBps, long nowNanos) {
        long elapsed = lastUpdateNanos == Long.MIN_VALUE ? 0 : Math.min(nowNanos - lastUpdateNanos, 1_000_000_000L);
        lastUpdateNanos = nowNanos;
        switch (usage) {
            case OVERUSING -> {
                if (nowNanos - lastDecreaseNanos >= DECREASE_INTERVAL_NANOS) {
                    long base = ackedBps > 0 ? ackedBps : estimate;
                    estimate = Math.min(estimate, (long) (BETA * base));
                    lastDecreaseNanos = nowNanos;
                }
            }
            case UNDERUSING -> {
                // hold: the queues drain at the current rate
            }
            case NORMAL -> {
                long increased = (long) (estimate * Math.pow(INCREASE_PER_SECOND, elapsed / 1e9)) + 1;
                if (ackedBps > 0) {
                    long bound = (long) (ACKED_BOUND * ackedBps) + 10_000;
                    increased = Math.min(increased, Math.max(estimate, bound));
                }
                estimate = increased;
            }
        }
        estimate = Math.max(MIN_BPS, Math.min(MAX_BPS, estimate));
        return estimate;
    }

    /** A probe showed the path carries this much: start from there. */
    void raiseTo(long bps) {
        estimate = Math.max(estimate, Math.min(MAX_BPS, bps));
    }

    long estimate() {
        return estimate;
    }
}
