package dev.sfu.sctp;

/**
 * One protocol timer: a deadline on the caller's clock and how many times it expired in a row (for back-off
 * and the retransmission limits). It does nothing by itself; the association polls it.
 */
final class Timer {
    static final long NEVER = Long.MAX_VALUE;

    final String name;
    private long deadline = NEVER;
    /** Expirations since the last {@link #stop()}; reset when the timer's purpose is met. */
    int expirations;

    Timer(String name) {
        this.name = name;
    }

    void start(long now, long duration) {
        deadline = now + duration;
    }

    void stop() {
        deadline = NEVER;
        expirations = 0;
    }

    boolean running() {
        return deadline != NEVER;
    }

    long deadline() {
        return deadline;
    }

    /** True once when due: the timer is then stopped (but keeps its expiration count) until restarted. */
    boolean fire(long now) {
        if (deadline != NEVER && now >= deadline) {
            deadline = NEVER;
            expirations++;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return name + (running() ? "@" + deadline : "(stopped)");
    }
}
