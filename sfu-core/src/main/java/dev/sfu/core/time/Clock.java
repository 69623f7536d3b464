package dev.sfu.core.time;

/**
 * Where the core reads the time: the media thread's clock in production, a virtual one in unit tests, so
 * that timers, rates and timeouts are tested without sleeping.
 */
@FunctionalInterface
public interface Clock {
    /** The wall clock's monotonic time, as {@link System#nanoTime()}. */
    Clock SYSTEM = System::nanoTime;

    /** Monotonic nanoseconds; only differences mean anything. */
    long nanos();
}
