package dev.sfu.core.transport;

import dev.sfu.ice.BufferRelease;
import dev.sfu.ice.SlotQueue;

/**
 * A bounded lock-free queue of packets for many producers and one consumer (Vyukov's bounded queue, the
 * index arithmetic of {@link SlotQueue}): the one hand-off of a received packet from the socket thread to
 * its conference's media thread. Slots are preallocated, so handing a packet over allocates nothing; the
 * buffer itself changes owner.
 */
final class PacketRing {
    private final SlotQueue queue;
    private final PacketSink[] sinks;
    /** Where each slot's buffer goes back after its sink has run, or null (the sink's to keep). */
    private final BufferRelease[] pools;
    private final byte[][] buffers;
    private final int[] offsets;
    private final int[] lengths;
    private final long[] receivedNanos;

    PacketRing(int capacityPowerOfTwo) {
        queue = new SlotQueue(capacityPowerOfTwo);
        sinks = new PacketSink[capacityPowerOfTwo];
        pools = new BufferRelease[capacityPowerOfTwo];
        buffers = new byte[capacityPowerOfTwo][];
        offsets = new int[capacityPowerOfTwo];
        lengths = new int[capacityPowerOfTwo];
        receivedNanos = new long[capacityPowerOfTwo];
    }

    /**
     * Enqueues a packet; false when the ring is full (the caller keeps the buffer and drops the packet).
     * With a {@code pool} (null: none), the buffer goes back to it once its sink has returned (a sink keeps
     * nothing of a packet past its call).
     */
    boolean offer(PacketSink sink, byte[] buffer, int offset, int length, long received, BufferRelease pool) {
        long position = queue.claimWrite();
        if (position < 0) {
            return false;
        }
        int index = queue.index(position);
        sinks[index] = sink;
        pools[index] = pool;
        buffers[index] = buffer;
        offsets[index] = offset;
        lengths[index] = length;
        receivedNanos[index] = received;
        queue.publishWrite(position);
        return true;
    }

    /** Hands the oldest packet to its sink; false when the ring is empty. Consumer thread only. */
    boolean poll() {
        long position = queue.claimRead();
        if (position < 0) {
            return false;
        }
        int index = queue.index(position);
        PacketSink sink = sinks[index];
        byte[] buffer = buffers[index];
        int offset = offsets[index];
        int length = lengths[index];
        long received = receivedNanos[index];
        BufferRelease pool = pools[index];
        sinks[index] = null;
        pools[index] = null;
        buffers[index] = null;
        queue.publishRead(position);
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
        return queue.isEmpty();
    }
}
