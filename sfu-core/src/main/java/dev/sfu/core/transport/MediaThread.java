package dev.sfu.core.transport;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
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
public final class MediaThread implements Executor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaThread.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final PacketRing packets = new PacketRing(8192);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean parked = new AtomicBoolean();
    private final AtomicLong packetsDropped = new AtomicLong();
    private final AtomicLong packetErrors = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public MediaThread(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Hands a received packet to this thread; never blocks. False when the ring is full: the packet is
     * dropped, counted, and the buffer stays with the caller.
     */
    public boolean offer(PacketSink sink, byte[] buffer, int offset, int length) {
        if (!packets.offer(sink, buffer, offset, length)) {
            packetsDropped.incrementAndGet();
            return false;
        }
        wake();
        return true;
    }

    /** Runs a control task on this thread. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        wake();
    }

    public boolean inThread() {
        return Thread.currentThread() == thread;
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
            if (!worked) {
                parked.set(true);
                if (tasks.isEmpty() && packets.isEmpty()) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                }
                parked.set(false);
            }
        }
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
    }
}
