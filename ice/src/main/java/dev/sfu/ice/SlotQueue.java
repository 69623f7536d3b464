package dev.sfu.ice;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The index arithmetic of a bounded lock-free queue (Dmitry Vyukov's bounded MPMC queue) without the
 * slots themselves: the user keeps its own arrays, one element per index, and moves data in and out
 * between a claim and its publish. Shared by {@link BufferPool}, {@link Ice4jBufferPool} and sfu-core's
 * {@code PacketRing}, so the one subtle loop exists once. Neither side allocates, locks or blocks.
 *
 * <pre>
 * long p = q.claimWrite();            // any thread; -1: full
 * if (p &gt;= 0) { slots[q.index(p)] = x; q.publishWrite(p); }
 * long p = q.claimRead();             // any thread; -1: empty
 * if (p &gt;= 0) { x = slots[q.index(p)]; slots[q.index(p)] = null; q.publishRead(p); }
 * </pre>
 */
public final class SlotQueue {
    private final int mask;
    private final AtomicLongArray sequences;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();

    /** @param capacity a power of two */
    public SlotQueue(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two");
        }
        mask = capacity - 1;
        sequences = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequences.set(i, i);
        }
    }

    public int capacity() {
        return mask + 1;
    }

    /** The slot index of a claimed position. */
    public int index(long position) {
        return (int) (position & mask);
    }

    /** Claims the next slot to fill: its position, or -1 when the queue is full. Any thread. */
    public long claimWrite() {
        long position = tail.get();
        while (true) {
            long difference = sequences.get(index(position)) - position;
            if (difference == 0) {
                if (tail.compareAndSet(position, position + 1)) {
                    return position;
                }
                position = tail.get();
            } else if (difference < 0) {
                return -1;
            } else {
                position = tail.get();
            }
        }
    }

    /** Makes the slot filled since {@link #claimWrite} visible to readers. */
    public void publishWrite(long position) {
        sequences.lazySet(index(position), position + 1);
    }

    /** Claims the oldest filled slot: its position, or -1 when the queue is empty. Any thread. */
    public long claimRead() {
        long position = head.get();
        while (true) {
            long difference = sequences.get(index(position)) - (position + 1);
            if (difference == 0) {
                if (head.compareAndSet(position, position + 1)) {
                    return position;
                }
                position = head.get();
            } else if (difference < 0) {
                return -1;
            } else {
                position = head.get();
            }
        }
    }

    /** Gives the slot read since {@link #claimRead} back to writers. */
    public void publishRead(long position) {
        sequences.lazySet(index(position), position + mask + 1);
    }

    /** Whether no filled slot is waiting (a hint under concurrency). */
    public boolean isEmpty() {
        long position = head.get();
        return sequences.get(index(position)) != position + 1;
    }
}
