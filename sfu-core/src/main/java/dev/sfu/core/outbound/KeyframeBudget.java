package dev.sfu.core.outbound;

import dev.sfu.core.util.TokenBucket;

/**
 * How many keyframe requests (PLI, FIR) one subscriber may make: a track already asks its publisher at
 * most once per interval however many subscribers ask, but without a budget of its own one subscriber
 * asking hundreds of times a second would keep that slot busy for everyone and cost the server a
 * lookup each. {@value #PER_SECOND} a second, bursts of twice that. Media thread only.
 */
final class KeyframeBudget {
    static final int PER_SECOND = 5;
    static final int BURST = 2 * PER_SECOND;

    private final TokenBucket tokens = new TokenBucket(PER_SECOND);

    /** Takes one request's worth; false when the subscriber has asked too often. */
    boolean take(long nowNanos) {
        return tokens.take(1, nowNanos);
    }
}
