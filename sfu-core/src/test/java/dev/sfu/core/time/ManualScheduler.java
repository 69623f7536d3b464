package dev.sfu.core.time;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * A scheduler on a virtual clock for unit tests: nothing runs until the test calls {@link #advance},
 * which moves the clock and runs every task and timer that falls due, in time order, on the calling
 * thread.
 */
public final class ManualScheduler implements Scheduler {
    private long now = 1_000_000_000L;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final List<Timer> timers = new ArrayList<>();

    private final class Timer implements Cancellable {
        final Runnable task;
        final long period;
        long next;
        boolean cancelled;
        boolean paused;

        Timer(Runnable task, long period, long next) {
            this.task = task;
            this.period = period;
            this.next = next;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            if (paused) {
                paused = false;
                next = now + Math.floorMod(-now, period);
            }
        }
    }

    @Override
    public Clock clock() {
        return () -> now;
    }

    public long now() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public Cancellable every(long periodNanos, Runnable task) {
        Timer timer = new Timer(task, periodNanos, now + periodNanos);
        timers.add(timer);
        return timer;
    }

    /** Runs the queued tasks, then moves the clock by {@code nanos}, running timers as they fall due. */
    public void advance(long nanos) {
        runTasks();
        long end = now + nanos;
        while (true) {
            Timer due = null;
            for (Timer t : timers) {
                if (!t.cancelled && !t.paused && t.next <= end && (due == null || t.next < due.next)) {
                    due = t;
                }
            }
            if (due == null) {
                break;
            }
            now = due.next;
            due.next += due.period;
            due.task.run();
            runTasks();
        }
        timers.removeIf(t -> t.cancelled);
        now = end;
    }

    private void runTasks() {
        for (Runnable r; (r = tasks.poll()) != null; ) {
            r.run();
        }
    }
}
