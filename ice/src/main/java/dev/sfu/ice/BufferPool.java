package dev.sfu.ice;

/**
 * Equal-sized receive buffers that go back and forth between one taking thread and whoever finishes with
 * them (any thread): the free list is a bounded lock-free queue ({@link SlotQueue}), so neither side
 * allocates, locks or blocks. Buffers are made on demand, at most {@code capacity}: when all of them are
 * out (the consumer is behind), {@link #take} returns null and the caller falls back. (The ICE-TCP
 * receive path; UDP uses {@link Ice4jBufferPool}.)
 */
public final class BufferPool implements BufferRelease {
    private final int bufferSize;
    private final int capacity;
    private final SlotQueue free;
    private final byte[][] slots;
    private int created; // the taking thread only

    /** @param capacity a power of two: the most buffers that ever exist */
    public BufferPool(int bufferSize, int capacity) {
        this.bufferSize = bufferSize;
        this.capacity = capacity;
        this.free = new SlotQueue(capacity);
        this.slots = new byte[capacity][];
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** A free buffer, a new one while fewer than capacity exist, or null. One taking thread only. */
    public byte[] take() {
        long position = free.claimRead();
        if (position < 0) {
            if (created < capacity) {
                created++;
                return new byte[bufferSize];
            }
            return null;
        }
        int index = free.index(position);
        byte[] b = slots[index];
        slots[index] = null;
        free.publishRead(position);
        return b;
    }

    /** Gives back a buffer from {@link #take}, once, when nothing reads it any more. Any thread. */
    @Override
    public void release(byte[] buffer) {
        long position = free.claimWrite();
        if (position < 0) {
            return; // full: only a buffer given back twice gets here; let it go
        }
        slots[free.index(position)] = buffer;
        free.publishWrite(position);
    }
}
