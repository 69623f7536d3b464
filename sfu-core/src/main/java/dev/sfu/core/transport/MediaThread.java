package dev.sfu.core.transport;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import dev.sfu.core.time.Clock;
import dev.sfu.core.time.Scheduler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One media thread: it runs the packets and the control tasks of the conferences placed on it, one at a
 * time, so their state needs no locks (as a mediasoup worker or a Netty event loop). Packets arrive
 * through a preallocated ring; control tasks (signaling, timers) through an ordinary queue.
 */
public final class MediaThread implements Scheduler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaThread.class);
    /**
     * The longest park: with no timer due, the thread sleeps until a task or packet wakes it (unpark), so
     * a media thread without conferences costs nothing. The wake-up protocol ({@code parked}, then a look
     * at both queues) loses no wake-up, so this bound is only a safety net, long enough not to show in an
     * idle server's CPU.
     */
    private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Packets a thread queues unless told otherwise (MediaTuning.packetRingSize). */
    public static final int DEFAULT_RING_SIZE = 8192;

    private final PacketRing packets;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean parked = new AtomicBoolean();
    private final AtomicLong packetsDropped = new AtomicLong();
    private final AtomicLong packetErrors = new AtomicLong();
    private final Thread thread;
    /**
     * This thread's outgoing datagrams on the media port, sent together once per loop iteration (null
     * where batched sends are not supported: each send is then a system call of its own).
     */
    private final dev.sfu.ice.UdpBatch udpBatch;
    private volatile boolean running = true;
    /** Periodic tasks; touched only on this thread. */
    private final java.util.List<Timer> timers = new java.util.ArrayList<>();

    /** A periodic task on a media thread; {@link #cancel()} stops it. */
    public final class Timer implements Cancellable {
        private final Runnable task;
        private final long periodNanos;
        private long next;
        private volatile boolean cancelled;
        /** Media thread only. */
        private boolean paused;

        private Timer(Runnable task, long periodNanos, long firstDue) {
            this.task = task;
            this.periodNanos = periodNanos;
            this.next = firstDue;
        }

        /** When it runs next (System.nanoTime); read by tests of the alignment. */
        long nextDueNanos() {
            return next;
        }

        /**
         * Stops it, and has the thread drop it now: a thread with no other timer parks for up to a minute,
         * and until it wakes the timer would keep its task (a whole conference) reachable.
         */
        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                execute(() -> timers.remove(this));
            }
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            if (paused) {
                paused = false;
                long now = System.nanoTime();
                next = now + Math.floorMod(-now, periodNanos); // aligned as when it was created
            }
        }
    }

    public MediaThread(String name) {
        this(name, DEFAULT_RING_SIZE);
    }

    /** @param ringSize packets waiting for this thread before the next are dropped; a power of two */
    public MediaThread(String name, int ringSize) {
        packets = new PacketRing(ringSize);
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        udpBatch = dev.sfu.ice.UdpBatch.create(thread);
        thread.start();
    }

    /**
     * Hands a received packet to this thread; never blocks. With a {@code pool} (null: none), the buffer
     * goes back to it after the sink has run. False when the ring is full: the packet is dropped and
     * counted, and the buffer is still the caller's (to give back itself).
     */
    public boolean offer(PacketSink sink, byte[] buffer, int offset, int length, dev.sfu.ice.BufferRelease pool) {
        if (!packets.offer(sink, buffer, offset, length, System.nanoTime(), pool)) {
            packetsDropped.incrementAndGet();
            return false;
        }
        wake();
        return true;
    }

    /** The system's monotonic clock: a media thread runs in real time. */
    @Override
    public Clock clock() {
        return Clock.SYSTEM;
    }

    /** Runs a control task on this thread. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        wake();
    }

    /** Runs {@code task} on this thread every {@code periodNanos}, until the returned timer is cancelled. */
    @Override
    public Timer every(long periodNanos, Runnable task) {
        // Phase-aligned to multiples of the period: the 5 ms ticks of every conference on this thread fall
        // due together and cost one wake-up, not one per conference.
        long now = System.nanoTime();
        Timer timer = new Timer(task, periodNanos, now + periodNanos + Math.floorMod(-now, periodNanos));
        execute(() -> timers.add(timer));
        return timer;
    }

    /** Runs due timers; returns nanoseconds until the next one (or the idle park time). */
    private long runTimers() {
        long now = System.nanoTime();
        long wait = IDLE_PARK_NANOS;
        for (int i = 0; i < timers.size(); i++) {
            Timer t = timers.get(i);
            if (t.cancelled) {
                timers.remove(i--);
                continue;
            }
            if (t.paused) {
                continue;
            }
            if (now - t.next >= 0) {
                // The next multiple of the period after now: aligned timers stay aligned, and a late run
                // does not cause a burst of catch-up runs.
                t.next = now + t.periodNanos - Math.floorMod(now - t.next, t.periodNanos);
                try {
                    t.task.run();
                } catch (RuntimeException e) {
                    LOG.error("timer failed on {}", thread.getName(), e);
                }
            }
            wait = Math.min(wait, t.next - now);
        }
        return Math.max(0, wait);
    }

    /**
     * Where this thread's transports queue their datagrams ({@code IceTransport.send(UdpBatch, ...)}); the
     * loop sends them after each iteration. Null when batched sends are not supported.
     */
    public dev.sfu.ice.UdpBatch udpBatch() {
        return udpBatch;
    }

    /** Packets dropped because the thread could not keep up. */
    public long packetsDropped() {
        return packetsDropped.get();
    }

    private void wake() {
        if (parked.get() && parked.compareAndSet(true, false)) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (running) {
            boolean worked = false;
            Runnable task;
            while ((task = tasks.poll()) != null) {
                worked = true;
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("task failed on {}", thread.getName(), e);
                }
            }
            try {
                for (int i = 0; i < 256 && packets.poll(); i++) {
                    worked = true;
                }
            } catch (RuntimeException e) {
                // A bug in packet handling must not stop every conference on this thread.
                worked = true;
                packetErrors.incrementAndGet();
                if (packetErrors.get() % 1000 == 1) {
                    LOG.error("packet handling failed on {} ({} so far)", thread.getName(), packetErrors.get(), e);
                }
            }
            long untilTimer = runTimers();
            if (udpBatch != null) {
                // One sendmmsg for everything this iteration sent: the packets' fan-out, timers' RTCP and
                // paced packets, tasks' sends.
                udpBatch.flush();
            }
            if (!worked && untilTimer > 0) {
                parked.set(true);
                if (tasks.isEmpty() && packets.isEmpty()) {
                    LockSupport.parkNanos(this, untilTimer);
                }
                parked.set(false);
            }
        }
    }

    @Override
    public String toString() {
        return thread.getName();
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (udpBatch != null && !thread.isAlive()) {
            udpBatch.close();
        }
    }
}
