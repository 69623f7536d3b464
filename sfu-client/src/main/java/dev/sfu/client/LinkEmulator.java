package dev.sfu.client;

import java.util.SplittableRandom;

/**
 * One direction of an emulated network link between an in-process client and the server: seeded random
 * loss, a bottleneck of limited bandwidth with a drop-tail queue, and a one-way delay, in that order (as
 * a lossy access link in front of a slow one). Time is passed in, so a test can drive it with a virtual
 * clock; with the same seed and the same packets it loses and delays exactly the same packets. Copies
 * each packet once into a preallocated slot; not thread-safe (one owner thread).
 */
public final class LinkEmulator {
    /** What the link does to packets; {@link #NONE} passes them straight through. */
    public record Conditions(double lossRate, long delayMillis, long bitsPerSecond) {
        public static final Conditions NONE = new Conditions(0, 0, 0);

        public Conditions {
            if (lossRate < 0 || lossRate > 1 || delayMillis < 0 || bitsPerSecond < 0) {
                throw new IllegalArgumentException("loss in [0,1], delay and bandwidth >= 0");
            }
        }

        public static Conditions loss(double rate) {
            return new Conditions(rate, 0, 0);
        }

        public static Conditions cap(long bitsPerSecond) {
            return new Conditions(0, 0, bitsPerSecond);
        }
    }

    /** Receives a packet when the link delivers it. */
    @FunctionalInterface
    public interface Sink {
        void deliver(int tag, byte[] buffer, int offset, int length, long nowNanos);
    }

    /** A browser-sized bottleneck buffer: about 250 ms at 1 Mbps. */
    public static final int DEFAULT_QUEUE_BYTES = 32 * 1024;
    private static final int SLOT_SIZE = 1600;
    /** Left free after each packet, so that a sink may encrypt it in place. */
    private static final int SRTP_ROOM = 64;

    private final SplittableRandom random;
    private final int queueBytes;
    private final byte[][] slots;
    private final int[] lengths;
    private final int[] tags;
    private final long[] dueNanos;
    private int head;
    private int size;
    private Conditions conditions = Conditions.NONE;
    /** When the bottleneck finishes serialising what it holds; the queue is what lies before that. */
    private long linkFreeNanos = Long.MIN_VALUE;
    private long lastDueNanos = Long.MIN_VALUE;
    private long offered;
    private long lost;
    private long queueDropped;
    private long delivered;

    public LinkEmulator(long seed) {
        this(seed, 1024, DEFAULT_QUEUE_BYTES);
    }

    public LinkEmulator(long seed, int slotCount, int queueBytes) {
        this.random = new SplittableRandom(seed);
        this.queueBytes = queueBytes;
        this.slots = new byte[slotCount][SLOT_SIZE];
        this.lengths = new int[slotCount];
        this.tags = new int[slotCount];
        this.dueNanos = new long[slotCount];
    }

    public Conditions conditions() {
        return conditions;
    }

    /** Takes effect for packets offered from now on; those in flight keep their delivery time. */
    public void setConditions(Conditions conditions) {
        this.conditions = conditions;
    }

    /** Whether anything is held: with no conditions and an empty link, a caller may bypass it. */
    public boolean isIdle() {
        return size == 0 && conditions.equals(Conditions.NONE);
    }

    /**
     * A packet enters the link. Returns false when it is lost (at random, or dropped at the tail of a
     * full bottleneck queue); otherwise a copy is delivered by a later {@link #poll}.
     */
    public boolean offer(int tag, byte[] buffer, int offset, int length, long nowNanos) {
        offered++;
        Conditions c = conditions;
        if (c.lossRate() > 0 && random.nextDouble() < c.lossRate()) {
            lost++;
            return false;
        }
        if (length > SLOT_SIZE - SRTP_ROOM || size == slots.length) {
            queueDropped++;
            return false;
        }
        long leaves = nowNanos;
        if (c.bitsPerSecond() > 0) {
            long start = Math.max(nowNanos, linkFreeNanos);
            long backlogBytes = (start - nowNanos) * c.bitsPerSecond() / 8_000_000_000L;
            if (backlogBytes + length > queueBytes) {
                queueDropped++;
                return false;
            }
            linkFreeNanos = start + length * 8_000_000_000L / c.bitsPerSecond();
            leaves = linkFreeNanos;
        }
        // A delay lowered at run time must not reorder what is already in flight.
        long due = Math.max(leaves + c.delayMillis() * 1_000_000L, lastDueNanos);
        lastDueNanos = due;
        int index = (head + size) % slots.length;
        System.arraycopy(buffer, offset, slots[index], 0, length);
        lengths[index] = length;
        tags[index] = tag;
        dueNanos[index] = due;
        size++;
        return true;
    }

    /** Delivers, in order, every packet due by {@code nowNanos}; returns how many. */
    public int poll(long nowNanos, Sink sink) {
        int n = 0;
        while (size > 0 && dueNanos[head] - nowNanos <= 0) {
            int index = head;
            head = (head + 1) % slots.length;
            size--;
            delivered++;
            n++;
            sink.deliver(tags[index], slots[index], 0, lengths[index], nowNanos);
        }
        return n;
    }

    public long offered() {
        return offered;
    }

    /** Packets lost at random. */
    public long lost() {
        return lost;
    }

    /** Packets dropped because the bottleneck queue (or the slot ring) was full. */
    public long queueDropped() {
        return queueDropped;
    }

    public long delivered() {
        return delivered;
    }
}
