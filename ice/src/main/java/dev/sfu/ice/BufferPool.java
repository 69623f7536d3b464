package dev.sfu.ice;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Equal-sized receive buffers that go back and forth between one taking thread and whoever finishes with
 * them (any thread): the free list is a bounded lock-free queue (Vyukov's, as sfu-core's {@code PacketRing}),
 * so neither side allocates, locks or blocks. Buffers are made on demand, at most {@code capacity}: when
 * all of them are out (the consumer is behind), {@link #take} returns null and the caller falls back.
 */
public final class BufferPool {
    private final int bufferSize;
    private final int capacity;
    private final int mask;
    private final AtomicLongArray sequences;
    private final byte[][] slots;
    private final AtomicLong tail = new AtomicLong();
    private long head; // the taking thread only
    private int created; // the taking thread only

    /** @param capacity a power of two: the most buffers that ever exist */
    public BufferPool(int bufferSize, int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two");
        }
        this.bufferSize = bufferSize;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.sequences = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequences.set(i, i);
        }
        this.slots = new byte[capacity][];
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** A free buffer, a new one while fewer than capacity exist, or null. One taking thread only. */
    public byte[] take() {
        int index = (int) (head & mask);
        if (sequences.get(index) != head + 1) {
            if (created < capacity) {
                created++;
                return new byte[bufferSize];
            }
            return null;
        }
        byte[] b = slots[index];
        slots[index] = null;
        sequences.lazySet(index, head + mask + 1);
        head++;
        return b;
    }

    /** Gives back a buffer from {@link #take}, once, when nothing reads it any more. Any thread. */
    public void release(byte[] buffer) {
        long position = tail.get();
        while (true) {
            int index = (int) (position & mask);
            long difference = sequences.get(index) - position;
            if (difference == 0) {
                if (tail.compareAndSet(position, position + 1)) {
                    slots[index] = buffer;
                    sequences.lazySet(index, position + 1);
                    return;
                }
                position = tail.get();
            } else if (difference < 0) {
                return; // full: only a buffer given back twice gets here; let it go
            } else {
                position = tail.get();
            }
        }
    }
}
