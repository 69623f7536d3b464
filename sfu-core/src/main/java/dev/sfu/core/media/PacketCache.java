package dev.sfu.core.media;

import java.util.Arrays;

/**
 * The last second of one encoding's packets, by sequence number, so that a subscriber's NACK is answered
 * here instead of going to the publisher. Media thread only.
 *
 * <p>Sized by what a second of the encoding holds, not by the highest rate any encoding might have: the
 * table starts at {@value #MIN_SLOTS} slots and doubles (up to {@value #MAX_SLOTS}, ≈ 1 s of a 10 Mbit/s
 * layer) whenever a packet would overwrite one that is still younger than {@link #MAX_AGE_NANOS}. A
 * 150 kbit/s thumbnail layer so stays at 64 slots (96 KB) where a fixed table of 1,024 slots, reached by
 * every sequence number in turn, ended up holding 1.5 MB. Slots are allocated on first use and reused;
 * the table grows at most four times in a track's life, so the steady state allocates nothing.
 */
public final class PacketCache {
    static final int MIN_SLOTS = 64;
    static final int MAX_SLOTS = 1024;
    static final long MAX_AGE_NANOS = 1_000_000_000L;
    static final int SLOT = 1500;

    private byte[][] packets = new byte[MIN_SLOTS][];
    private int[] lengths = new int[MIN_SLOTS];
    private int[] sequences = new int[MIN_SLOTS];
    private long[] times = new long[MIN_SLOTS];
    private final CacheBudget budget;
    private int slotsAllocated;

    /** A cache whose slots count against no budget (tests). */
    public PacketCache() {
        this(new CacheBudget(Long.MAX_VALUE));
    }

    public PacketCache(CacheBudget budget) {
        this.budget = budget;
        Arrays.fill(sequences, -1);
    }

    /** Gives every slot's memory back to the budget; the cache is empty afterwards. */
    public void release() {
        budget.release((long) slotsAllocated * SLOT);
        slotsAllocated = 0;
        Arrays.fill(packets, null);
        Arrays.fill(sequences, -1);
    }

    public void put(byte[] buf, int off, int len, int sequence, long nowNanos) {
        if (len > SLOT) {
            return;
        }
        int i = sequence & (sequences.length - 1);
        if (sequences[i] >= 0 && sequences[i] != sequence && nowNanos - times[i] < MAX_AGE_NANOS
                && sequences.length < MAX_SLOTS) {
            grow();
            i = sequence & (sequences.length - 1);
        }
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
        int i = sequence & (sequences.length - 1);
        if (sequences[i] != sequence || nowNanos - times[i] > MAX_AGE_NANOS || outOff + lengths[i] > out.length) {
            return -1;
        }
        System.arraycopy(packets[i], 0, out, outOff, lengths[i]);
        return lengths[i];
    }

    /** How many slots the table has now (for tests and the heap figures in BENCHMARKS.md). */
    int capacity() {
        return sequences.length;
    }

    /** Slots that hold memory. */
    int slotsAllocated() {
        return slotsAllocated;
    }

    /**
     * Doubles the table. Two packets in different slots differ in their low bits, so they differ in one
     * more bit too: every packet, with its slot's buffer, finds a slot of its own in the new table. (A slot
     * holds a buffer exactly when it holds a packet: {@link #release} clears both.)
     */
    private void grow() {
        int size = sequences.length * 2;
        byte[][] newPackets = new byte[size][];
        int[] newLengths = new int[size];
        int[] newSequences = new int[size];
        long[] newTimes = new long[size];
        Arrays.fill(newSequences, -1);
        for (int j = 0; j < sequences.length; j++) {
            if (sequences[j] >= 0) {
                int k = sequences[j] & (size - 1);
                newPackets[k] = packets[j];
                newLengths[k] = lengths[j];
                newSequences[k] = sequences[j];
                newTimes[k] = times[j];
            }
        }
        packets = newPackets;
        lengths = newLengths;
        sequences = newSequences;
        times = newTimes;
    }
}
