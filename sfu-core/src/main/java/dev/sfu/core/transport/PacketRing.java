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
        buffers = new byte[capacityPowerOfTwo][];
        offsets = new int[capacityPowerOfTwo];
        lengths = new int[capacityPowerOfTwo];
        receivedNanos = new long[capacityPowerOfTwo];
    }

    /** Enqueues a packet; false when the ring is full (the caller keeps the buffer and drops the packet). */
    boolean offer(PacketSink sink, byte[] buffer, int offset, int length, long received) {
        long position = tail.get();
        while (true) {
            int index = (int) (position & mask);
            long difference = sequences.get(index) - position;
            if (difference == 0) {
                if (tail.compareAndSet(position, position + 1)) {
                    sinks[index] = sink;
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
        sinks[index] = null;
        buffers[index] = null;
        sequences.lazySet(index, head + mask + 1);
        head++;
        sink.onPacket(buffer, offset, length, received);
        return true;
    }

    boolean isEmpty() {
        return sequences.get((int) (head & mask)) != head + 1;
    }
}
