package dev.sfu.core.outbound;

/**
 * How many keyframe requests (PLI, FIR) one subscriber may make: a track already asks its publisher at
 * most once per interval however many subscribers ask, but without a budget of its own one subscriber
 * asking hundreds of times a second would keep that slot busy for everyone and cost the server a
 * lookup each. {@value #PER_SECOND} a second, bursts of {@value #BURST}. Media thread only.
 */
final class KeyframeBudget {
    static final int PER_SECOND = 5;
    static final int BURST = 10;

    private double tokens = BURST;
    private long lastNanos = Long.MIN_VALUE;

    /** Takes one request's worth; false when the subscriber has asked too often. */
    boolean take(long nowNanos) {
        if (lastNanos != Long.MIN_VALUE) {
            tokens = Math.min(BURST, tokens + Math.max(0, nowNanos - lastNanos) * PER_SECOND / 1e9);
        }
        lastNanos = nowNanos;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
