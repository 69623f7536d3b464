package dev.sfu.core.util;

/** A rate limit with a burst: refills {@code ratePerSecond} tokens a second up to {@code 2 × rate}. */
public final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long lastNanos;
    private boolean started;

    public TokenBucket(double ratePerSecond) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = 2 * ratePerSecond;
        this.tokens = capacity;
    }

    /** Takes {@code amount} tokens if there are that many; false (and nothing taken) otherwise. */
    public boolean take(double amount, long nowNanos) {
        if (started) {
            tokens = Math.min(capacity, tokens + Math.max(0, nowNanos - lastNanos) * ratePerNano);
        }
        started = true;
        lastNanos = nowNanos;
        if (tokens < amount) {
            return false;
        }
        tokens -= amount;
        return true;
    }
}
