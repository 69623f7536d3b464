package dev.sfu.core.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded lock-free queue of packets for many producers and one consumer (Vyukov's bounded queue):
 * the one hand-off of a received packet from the socket thread to its conference's media thread. Slots
 * are preallocated, so handing a packet over allocates nothing; the buffer itself changes owner.
 */
final class PacketRing {
    private final int mask;
    private final AtomicLongArray sequences;
    private final PacketSink[] sinks;
    /** Where each slot's buffer goes back after its sink has run, or null (the sink's to keep). */
    private final dev.sfu.ice.BufferPool[] pools;
    private final byte[][] buffers;
    private final int[] offsets;
    private final int[] lengths;
    private final long[] receivedNanos;
    private final AtomicLong tail = new AtomicLong();
    private long head; // only the consumer touches it

    PacketRing(int capacityPowerOfTwo) {
        if (Integer.bitCount(capacityPowerOfTwo) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two");
        }
        mask = capacityPowerOfTwo - 1;
        sequences = new AtomicLongArray(capacityPowerOfTwo);
        for (int i = 0; i < capacityPowerOfTwo; i++) {
            sequences.set(i, i);
        }
        sinks = new PacketSink[capacityPowerOfTwo];
        pools = new dev.sfu.ice.BufferPool[capacityPowerOfTwo];
        buffers = new byte[capacityPowerOfTwo][];
        offsets = new int[capacityPowerOfTwo];
        lengths = new int[capacityPowerOfTwo];
        receivedNanos = new long[capacityPowerOfTwo];
    }

    /** Enqueues a packet; false when the ring is full (the caller keeps the buffer and drops the packet). */
    boolean offer(PacketSink sink, byte[] buffer, int offset, int length, long received) {
        return offer(sink, buffer, offset, length, received, null);
    }

    /**
     * As {@link #offer(PacketSink, byte[], int, int, long)}; with a {@code pool}, the buffer goes back to it
     * once its sink has returned (a sink keeps nothing of a packet past its call).
     */
    boolean offer(PacketSink sink, byte[] buffer, int offset, int length, long received, dev.sfu.ice.BufferPool pool) {
        long position = tail.get();
        while (true) {
            int index = (int) (position & mask);
            long difference = sequences.get(index) - position;
            if (difference == 0) {
                if (tail.compareAndSet(position, position + 1)) {
                    sinks[index] = sink;
                    pools[index] = pool;
                    buffers[index] = buffer;
                    offsets[index] = offset;
                    lengths[index] = length;
                    receivedNanos[index] = received;
                    sequences.lazySet(index, position + 1);
                    return true;
                }
                position = tail.get();
            } else if (difference < 0) {
                return false;
            } else {
                position = tail.get();
            }
        }
    }

    /** Hands the oldest packet to its sink; false when the ring is empty. Consumer thread only. */
    boolean poll() {
        int index = (int) (head & mask);
        if (sequences.get(index) != head + 1) {
            return false;
        }
        PacketSink sink = sinks[index];
        byte[] buffer = buffers[index];
        int offset = offsets[index];
        int length = lengths[index];
        long received = receivedNanos[index];
        dev.sfu.ice.BufferPool pool = pools[index];
        sinks[index] = null;
        pools[index] = null;
        buffers[index] = null;
        sequences.lazySet(index, head + mask + 1);
        head++;
        try {
            sink.onPacket(buffer, offset, length, received);
        } finally {
            if (pool != null) {
                pool.release(buffer);
            }
        }
        return true;
    }

    boolean isEmpty() {
        return sequences.get((int) (head & mask)) != head + 1;
    }
}
