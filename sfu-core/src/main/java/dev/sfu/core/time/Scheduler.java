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

    /**
     * A periodic task that can be stopped for good (from any thread; cancelling twice is harmless), or
     * paused while it has nothing to do and resumed when it has (on the scheduler's own thread only). A
     * paused task costs its thread no wake-up.
     */
    interface Cancellable {
        void cancel();

        void pause();

        /** Runs again from the period's next boundary; harmless when it is running. */
        void resume();
    }
}
