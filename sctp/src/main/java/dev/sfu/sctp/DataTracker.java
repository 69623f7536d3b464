package dev.sfu.sctp;

import dev.sfu.sctp.chunk.SackChunk;
import java.util.Map;
import java.util.TreeMap;

/**
 * The receiver's view of the peer's TSNs (RFC 9260 §6.2): the cumulative TSN, the ranges received above it
 * (the future gap ack blocks), and the duplicates to report. Everything is bounded: TSNs too far above the
 * cumulative TSN are out of window, the number of ranges is capped, and so is the duplicate list.
 */
final class DataTracker {
    enum Verdict { NEW, DUPLICATE, OUT_OF_WINDOW, TOO_MANY_GAPS }

    private final int maxRanges;
    private final int window;
    private final int maxDuplicates;
    /** Cumulative TSN (unwrapped): every TSN up to it was received. */
    private long cumTsn;
    /** Received ranges above cumTsn + 1: start -> end, never adjacent, never touching cumTsn. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private int[] duplicates = new int[4];
    private int duplicateCount;

    DataTracker(long peerInitialTsn, int maxRanges, int window, int maxDuplicates) {
        this.cumTsn = peerInitialTsn - 1;
        this.maxRanges = maxRanges;
        this.window = window;
        this.maxDuplicates = maxDuplicates;
    }

    long cumTsn() {
        return cumTsn;
    }

    boolean hasGaps() {
        return !ranges.isEmpty();
    }

    long unwrap(int tsn) {
        return cumTsn + (tsn - (int) cumTsn);
    }

    /** Classifies a TSN without recording it (the caller may still refuse the chunk for lack of buffer). */
    Verdict classify(long tsn) {
        if (tsn <= cumTsn) {
            return Verdict.DUPLICATE;
        }
        if (tsn - cumTsn > window) {
            return Verdict.OUT_OF_WINDOW;
        }
        Map.Entry<Long, Long> below = ranges.floorEntry(tsn);
        if (below != null && below.getValue() >= tsn) {
            return Verdict.DUPLICATE;
        }
        if (tsn == cumTsn + 1) {
            return Verdict.NEW;
        }
        boolean joinsBelow = below != null && below.getValue() == tsn - 1;
        boolean joinsAbove = ranges.containsKey(tsn + 1);
        if (!joinsBelow && !joinsAbove && ranges.size() >= maxRanges) {
            return Verdict.TOO_MANY_GAPS;
        }
        return Verdict.NEW;
    }

    void addDuplicate(int tsn) {
        if (duplicateCount < maxDuplicates) {
            if (duplicateCount == duplicates.length) {
                duplicates = java.util.Arrays.copyOf(duplicates, Math.min(maxDuplicates, duplicates.length * 2));
            }
            duplicates[duplicateCount++] = tsn;
        }
    }

    /** Records a TSN that {@link #classify} found NEW. */
    void record(long tsn) {
        if (tsn == cumTsn + 1) {
            cumTsn = tsn;
            absorbRanges();
            return;
        }
        Map.Entry<Long, Long> below = ranges.floorEntry(tsn);
        Long aboveEnd = ranges.remove(tsn + 1);
        if (below != null && below.getValue() == tsn - 1) {
            ranges.put(below.getKey(), aboveEnd != null ? aboveEnd : tsn);
        } else {
            ranges.put(tsn, aboveEnd != null ? aboveEnd : tsn);
        }
    }

    /** RFC 3758 §3.6: the peer skipped up to newCum; the cumulative TSN moves there if it is ahead. */
    void forwardTo(long newCum) {
        if (newCum <= cumTsn) {
            return;
        }
        cumTsn = newCum;
        // Drop ranges now below, then fold a range that starts at the new cumTsn + 1.
        while (!ranges.isEmpty() && ranges.firstKey() <= cumTsn) {
            Map.Entry<Long, Long> first = ranges.pollFirstEntry();
            if (first.getValue() > cumTsn) {
                ranges.put(cumTsn + 1, first.getValue());
                break;
            }
        }
        absorbRanges();
    }

    private void absorbRanges() {
        while (!ranges.isEmpty() && ranges.firstKey() == cumTsn + 1) {
            cumTsn = ranges.pollFirstEntry().getValue();
        }
    }

    /**
     * A SACK for the current state with at most {@code maxBlocks} gap blocks (so it fits one packet); the
     * duplicate list is reported once and then cleared.
     */
    SackChunk createSack(long aRwnd, int maxBlocks) {
        int n = Math.min(ranges.size(), maxBlocks);
        int[] starts = new int[n];
        int[] ends = new int[n];
        int i = 0;
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            if (i == n) {
                break;
            }
            long s = e.getKey() - cumTsn;
            long en = e.getValue() - cumTsn;
            if (en > 0xFFFF) {
                break; // gap offsets are 16 bits; farther ranges wait for the cumulative TSN to move
            }
            starts[i] = (int) s;
            ends[i] = (int) en;
            i++;
        }
        if (i < n) {
            starts = java.util.Arrays.copyOf(starts, i);
            ends = java.util.Arrays.copyOf(ends, i);
        }
        int[] dups = java.util.Arrays.copyOf(duplicates, duplicateCount);
        duplicateCount = 0;
        return new SackChunk((int) cumTsn, aRwnd, starts, ends, dups);
    }

    int rangeCount() {
        return ranges.size();
    }
}
