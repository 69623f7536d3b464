package dev.sfu.core.time;

import java.util.concurrent.Executor;

/**
 * The thread a conference lives on, as its parts see it: run a task on it, run a task periodically on
 * it, and read its clock. A {@code MediaThread} in production; a virtual-clock scheduler in unit tests.
 */
public interface Scheduler extends Executor {

    Clock clock();

    /** Runs {@code task} on this thread every {@code periodNanos} until the returned timer is cancelled. */
    Cancellable every(long periodNanos, Runnable task);

    /** A periodic task that can be stopped; cancelling twice is harmless. */
    interface Cancellable {
        void cancel();
    }
}
