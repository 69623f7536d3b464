package dev.sfu.core.media;

import java.util.Arrays;

/**
 * The last second of one encoding's packets, by sequence number, so that a subscriber's NACK is answered
 * here instead of going to the publisher. Media thread only.
 *
 * <p>Sized by what a second of the encoding holds, not by the highest rate any encoding might have. The
 * packets' bytes sit back to back in one ring (no 1,500-byte slot for a 200-byte packet), which starts at
 * {@value #MIN_BYTES} bytes and grows by a quarter (up to {@value #MAX_BYTES}, ≈ 1 s at 8 Mbit/s) whenever
 * a packet would overwrite the bytes of one still younger than {@link #MAX_AGE_NANOS}; the packets in the
 * ring are remembered in arrival order to know that. (Growing by quarters, not doubling, keeps a ring
 * within a quarter of its second of media: a doubling ring held up to twice it, and this cache is most of
 * a publisher's heap.) An index by sequence number's low bits says where each packet
 * is; it starts at {@value #MIN_SLOTS} entries and doubles (up to {@value #MAX_SLOTS}) whenever a packet
 * would take the entry of one still younger than that. A packet is answered while its entry and its bytes
 * are both intact. Both grow a few times in a track's life; the steady state allocates nothing.
 */
public final class PacketCache {
    static final int MIN_SLOTS = 64;
    static final int MAX_SLOTS = 1024;
    static final int MIN_BYTES = 16 * 1024;
    static final int MAX_BYTES = 1024 * 1024;
    /** Ring sizes are multiples of this. */
    private static final int RING_STEP = 4096;
    static final long MAX_AGE_NANOS = 1_000_000_000L;
    /** The largest packet cached. */
    static final int MAX_PACKET = 1500;

    private final CacheBudget budget;
    private int[] sequences = new int[MIN_SLOTS];
    private int[] lengths = new int[MIN_SLOTS];
    /** Where each packet starts, as an absolute byte position (its offset in the ring is this mod its size). */
    private long[] starts = new long[MIN_SLOTS];
    private long[] times = new long[MIN_SLOTS];
    /** The packets' bytes; null until the first packet (or when the budget refused it). */
    private byte[] ring;
    /** The absolute position of the next byte written. */
    private long written;
    /** Bytes before this absolute position have been overwritten. */
    private long validFrom;
    /** The packets in the ring in arrival order (start position, arrival time): what a write overwrites. */
    private long[] fifoStarts = new long[MIN_SLOTS];
    private long[] fifoTimes = new long[MIN_SLOTS];
    private int fifoHead;
    private int fifoSize;

    /** A cache whose memory counts against no budget (tests). */
    public PacketCache() {
        this(new CacheBudget(Long.MAX_VALUE));
    }

    public PacketCache(CacheBudget budget) {
        this.budget = budget;
        Arrays.fill(sequences, -1);
    }

    /** Gives the ring's memory back to the budget; the cache is empty afterwards. */
    public void release() {
        if (ring != null) {
            budget.release(ring.length);
            ring = null;
        }
        Arrays.fill(sequences, -1);
        fifoSize = 0;
    }

    public void put(byte[] buf, int off, int len, int sequence, long nowNanos) {
        if (len > MAX_PACKET || len <= 0) {
            return;
        }
        if (ring == null && !allocate(MIN_BYTES)) {
            return; // over the process's budget: this packet is not cached
        }
        int i = sequence & (sequences.length - 1);
        if (sequences[i] >= 0 && sequences[i] != sequence && nowNanos - times[i] < MAX_AGE_NANOS
                && sequences.length < MAX_SLOTS) {
            growIndex();
            i = sequence & (sequences.length - 1);
        }
        int at = placeFor(len, nowNanos);
        System.arraycopy(buf, off, ring, at, len);
        sequences[i] = sequence;
        lengths[i] = len;
        starts[i] = written;
        times[i] = nowNanos;
        written += len;
        validFrom = Math.max(validFrom, written - ring.length);
        remember(starts[i], nowNanos);
    }

    /**
     * Where in the ring a packet of {@code len} bytes goes (a packet never wraps: one that does not fit
     * before the ring's end starts again at its beginning); grows the ring first while that would
     * overwrite a packet younger than the age kept.
     */
    private int placeFor(int len, long nowNanos) {
        while (true) {
            int size = ring.length;
            int at = (int) (written % size);
            long start = at + len > size ? written + size - at : written;
            long overwrittenBelow = start + len - size;
            while (fifoSize > 0 && fifoStarts[fifoHead] < overwrittenBelow) {
                if (nowNanos - fifoTimes[fifoHead] < MAX_AGE_NANOS && size < MAX_BYTES
                        && growRing(grownSize(size))) {
                    break;
                }
                fifoHead = (fifoHead + 1) & (fifoStarts.length - 1);
                fifoSize--;
            }
            if (size == ring.length) {
                written = start;
                return (int) (start % size);
            }
        }
    }

    /** Appends a packet to the arrival order; when that is full, the oldest is forgotten (not its bytes). */
    private void remember(long start, long nowNanos) {
        if (fifoSize == fifoStarts.length) {
            if (fifoStarts.length < sequences.length) {
                growFifo();
            } else {
                fifoHead = (fifoHead + 1) & (fifoStarts.length - 1);
                fifoSize--;
            }
        }
        int tail = (fifoHead + fifoSize) & (fifoStarts.length - 1);
        fifoStarts[tail] = start;
        fifoTimes[tail] = nowNanos;
        fifoSize++;
    }

    private void growFifo() {
        int size = fifoStarts.length * 2;
        long[] newStarts = new long[size];
        long[] newTimes = new long[size];
        for (int n = 0; n < fifoSize; n++) {
            int j = (fifoHead + n) & (fifoStarts.length - 1);
            newStarts[n] = fifoStarts[j];
            newTimes[n] = fifoTimes[j];
        }
        fifoStarts = newStarts;
        fifoTimes = newTimes;
        fifoHead = 0;
    }

    /** Copies a cached packet out; returns its length, or -1 when it is not (or no longer) here. */
    public int copy(int sequence, long nowNanos, byte[] out, int outOff) {
        int i = entry(sequence, nowNanos);
        if (i < 0 || outOff + lengths[i] > out.length) {
            return -1;
        }
        int from = (int) (starts[i] % ring.length);
        int first = Math.min(lengths[i], ring.length - from);
        System.arraycopy(ring, from, out, outOff, first);
        // A packet written before the ring grew may now run over its end (written ones never do).
        System.arraycopy(ring, 0, out, outOff + first, lengths[i] - first);
        return lengths[i];
    }

    /** The length of a cached packet, or -1 when it is not (or no longer) here: what {@link #copy} would give. */
    public int length(int sequence, long nowNanos) {
        int i = entry(sequence, nowNanos);
        return i < 0 ? -1 : lengths[i];
    }

    /** The index entry of a packet still answerable (young enough, bytes intact), or -1. */
    private int entry(int sequence, long nowNanos) {
        int i = sequence & (sequences.length - 1);
        if (ring == null || sequences[i] != sequence || nowNanos - times[i] > MAX_AGE_NANOS
                || starts[i] < validFrom) {
            return -1;
        }
        return i;
    }

    /** Entries the index has now (for tests and the heap figures in BENCHMARKS.md). */
    int capacity() {
        return sequences.length;
    }

    /** The ring's size in bytes (0 before the first packet). */
    int ringBytes() {
        return ring == null ? 0 : ring.length;
    }

    private boolean allocate(int size) {
        if (!budget.tryReserve(size)) {
            return false;
        }
        ring = new byte[size];
        return true;
    }

    /** A quarter more, in whole steps, at most {@link #MAX_BYTES}. */
    static int grownSize(int size) {
        int grown = (size + size / 4 + RING_STEP - 1) / RING_STEP * RING_STEP;
        return Math.min(MAX_BYTES, grown);
    }

    /** A bigger ring with the live bytes at the same absolute positions; false if the budget says no. */
    private boolean growRing(int size) {
        if (!budget.tryReserve(size - ring.length)) {
            return false;
        }
        byte[] bigger = new byte[size];
        for (long p = validFrom; p < written; ) {
            int from = (int) (p % ring.length);
            int to = (int) (p % size);
            int n = (int) Math.min(written - p, Math.min(ring.length - from, size - to));
            System.arraycopy(ring, from, bigger, to, n);
            p += n;
        }
        ring = bigger;
        return true;
    }

    /**
     * Doubles the index. Two packets in different entries differ in their low bits, so they differ in one
     * more bit too: every packet finds an entry of its own in the new index.
     */
    private void growIndex() {
        int size = sequences.length * 2;
        int[] newSequences = new int[size];
        int[] newLengths = new int[size];
        long[] newStarts = new long[size];
        long[] newTimes = new long[size];
        Arrays.fill(newSequences, -1);
        for (int j = 0; j < sequences.length; j++) {
            if (sequences[j] >= 0) {
                int k = sequences[j] & (size - 1);
                newSequences[k] = sequences[j];
                newLengths[k] = lengths[j];
                newStarts[k] = starts[j];
                newTimes[k] = times[j];
            }
        }
        sequences = newSequences;
        lengths = newLengths;
        starts = newStarts;
        times = newTimes;
    }
}
