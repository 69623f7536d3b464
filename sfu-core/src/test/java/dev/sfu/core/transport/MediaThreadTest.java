package dev.sfu.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class MediaThreadTest {
    private static final long FIVE_MS = TimeUnit.MILLISECONDS.toNanos(5);

    /** Timers of one period fall due together, however far apart they were created: one wake-up for all. */
    @Test
    void timersOfOnePeriodAreAlignedAndStayAligned() throws Exception {
        try (MediaThread thread = new MediaThread("test")) {
            MediaThread.Timer first = thread.every(FIVE_MS, () -> { });
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(1300));
            MediaThread.Timer second = thread.every(FIVE_MS, () -> { });
            MediaThread.Timer slower = thread.every(10 * FIVE_MS, () -> { });
            assertEquals(0, Math.floorMod(first.nextDueNanos() - second.nextDueNanos(), FIVE_MS));
            assertEquals(0, Math.floorMod(slower.nextDueNanos() - first.nextDueNanos(), FIVE_MS),
                    "a multiple of the period is due with the shorter timers");
            CountDownLatch runs = new CountDownLatch(10);
            MediaThread.Timer counting = thread.every(FIVE_MS, runs::countDown);
            assertTrue(runs.await(10, TimeUnit.SECONDS));
            assertEquals(0, Math.floorMod(counting.nextDueNanos() - first.nextDueNanos(), FIVE_MS), "after runs too");
            first.cancel();
            second.cancel();
            slower.cancel();
            counting.cancel();
        }
    }

    /** Without timers the thread sleeps until work arrives, and work still wakes it at once. */
    @Test
    void anIdleThreadWakesForWork() throws Exception {
        try (MediaThread thread = new MediaThread("test")) {
            for (int i = 0; i < 3; i++) {
                CountDownLatch ran = new CountDownLatch(1);
                thread.execute(ran::countDown);
                assertTrue(ran.await(10, TimeUnit.SECONDS));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // it parks meanwhile
            }
        }
    }

    /**
     * A cancelled timer lets go of its task at once, even on a thread with nothing else to do: such a thread
     * parks until its next timer is due (up to a minute), and a conference's cancelled timers used to keep
     * the conference, and every endpoint that had left it, reachable until then.
     */
    @Test
    void aCancelledTimerLetsGoOfItsTaskAtOnce() throws Exception {
        try (MediaThread thread = new MediaThread("test")) {
            WeakReference<Object> held = timerHolding(thread, new byte[1024]);
            CountDownLatch parked = new CountDownLatch(1);
            thread.execute(parked::countDown);
            assertTrue(parked.await(10, TimeUnit.SECONDS)); // the timer is on the thread's list by now
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            timer.cancel();
            timer = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (held.get() != null && System.nanoTime() < deadline) {
                System.gc();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertTrue(held.get() == null, "the cancelled timer's task is unreachable");
        }
    }

    private MediaThread.Timer timer;

    /** A timer (a minute apart, so it never runs here) whose task holds {@code payload}. */
    private WeakReference<Object> timerHolding(MediaThread thread, Object payload) {
        timer = thread.every(TimeUnit.SECONDS.toNanos(60), new Runnable() {
            private final Object kept = payload;

            @Override
            public void run() {
                assertTrue(kept != null);
            }
        });
        return new WeakReference<>(payload);
    }
}
