package dev.sfu.core.bwe;

/**
 * What was sent on one subscribe transport, by transport-wide sequence number: send time, size, and the
 * probe cluster it belonged to, so that a subscriber's transport-cc feedback can be matched back to it.
 * A ring indexed by the sequence number's low bits; preallocated, media thread only.
 */
final class SentPacketHistory {
    /**
     * A power of two; 4 s at 1,000 packets a second (~10 Mbps), far more than a feedback interval and a
     * round trip, at 80 KB per subscriber.
     */
    static final int SIZE = 4096;

    private final long[] sendNanos = new long[SIZE];
    private final int[] sizes = new int[SIZE];
    private final int[] sequences = new int[SIZE];
    private final int[] clusters = new int[SIZE];

    SentPacketHistory() {
        java.util.Arrays.fill(sequences, -1);
    }

    void onSent(int sequence, int size, long nowNanos, int cluster) {
        int i = sequence & (SIZE - 1);
        sequences[i] = sequence & 0xffff;
        sendNanos[i] = nowNanos;
        sizes[i] = size;
        clusters[i] = cluster;
    }

    /** The slot of a sequence number still in the ring, or -1 (never sent, or overwritten since). */
    int find(int sequence) {
        int i = sequence & (SIZE - 1);
        return sequences[i] == (sequence & 0xffff) ? i : -1;
    }

    long sendNanos(int slot) {
        return sendNanos[slot];
    }

    int size(int slot) {
        return sizes[slot];
    }

    int cluster(int slot) {
        return clusters[slot];
    }

    /** Forgets a slot once its feedback was used, so that a repeated report is not counted twice. */
    void forget(int slot) {
        sequences[slot] = -1;
    }
}
