package dev.sfu.core.media;

/**
 * The last second or so of one encoding's packets, by sequence number, so that a subscriber's NACK is
 * answered here instead of going to the publisher. Slots are allocated on first use and then reused.
 * Media thread only.
 */
public final class PacketCache {
    private static final int SIZE = 1024; // ≈ 1 s of a 10 Mbit/s layer
    private static final long MAX_AGE_NANOS = 1_000_000_000L;
    private static final int SLOT = 1500;

    private final byte[][] packets = new byte[SIZE][];
    private final int[] lengths = new int[SIZE];
    private final int[] sequences = new int[SIZE];
    private final long[] times = new long[SIZE];
    private final CacheBudget budget;
    private int slotsAllocated;

    /** A cache whose slots count against no budget (tests). */
    public PacketCache() {
        this(new CacheBudget(Long.MAX_VALUE));
    }

    public PacketCache(CacheBudget budget) {
        this.budget = budget;
        java.util.Arrays.fill(sequences, -1);
    }

    /** Gives every slot's memory back to the budget; the cache is empty afterwards. */
    public void release() {
        budget.release((long) slotsAllocated * SLOT);
        slotsAllocated = 0;
        java.util.Arrays.fill(packets, null);
        java.util.Arrays.fill(sequences, -1);
    }

    public void put(byte[] buf, int off, int len, int sequence, long nowNanos) {
        if (len > SLOT) {
            return;
        }
        int i = sequence & (SIZE - 1);
        if (packets[i] == null) {
            if (!budget.tryReserve(SLOT)) {
                return; // over the process's budget: this packet is not cached
            }
            packets[i] = new byte[SLOT];
            slotsAllocated++;
        }
        System.arraycopy(buf, off, packets[i], 0, len);
        lengths[i] = len;
        sequences[i] = sequence;
        times[i] = nowNanos;
    }

    /** Copies a cached packet out; returns its length, or -1 when it is not (or no longer) here. */
    public int copy(int sequence, long nowNanos, byte[] out, int outOff) {
        int i = sequence & (SIZE - 1);
        if (sequences[i] != sequence || nowNanos - times[i] > MAX_AGE_NANOS || outOff + lengths[i] > out.length) {
            return -1;
        }
        System.arraycopy(packets[i], 0, out, outOff, lengths[i]);
        return lengths[i];
    }
}
