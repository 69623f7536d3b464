package dev.sfu.core.bwe;

/**
 * What was sent on one subscribe transport, by transport-wide sequence number: send time, size, and the
 * probe cluster it belonged to, so that a subscriber's transport-cc feedback can be matched back to it.
 * A ring indexed by the sequence number's low bits, sized by the transport's rate: it starts at
 * {@value #MIN_SIZE} entries and doubles (up to {@value #MAX_SIZE}) whenever a packet would overwrite one
 * sent less than {@link #HORIZON_NANOS} ago, whose feedback may still come. Media thread only.
 */
final class SentPacketHistory {
    static final int MIN_SIZE = 256;
    /** 4 s at 1,000 packets a second (~10 Mbps). */
    static final int MAX_SIZE = 4096;
    /** Feedback comes within a feedback interval and a round trip: far less than this. */
    static final long HORIZON_NANOS = 1_000_000_000L;

    private long[] sendNanos = new long[MIN_SIZE];
    private int[] sizes = new int[MIN_SIZE];
    private int[] sequences = new int[MIN_SIZE];
    private int[] clusters = new int[MIN_SIZE];

    SentPacketHistory() {
        java.util.Arrays.fill(sequences, -1);
    }

    void onSent(int sequence, int size, long nowNanos, int cluster) {
        sequence &= 0xffff;
        int i = sequence & (sequences.length - 1);
        if (sequences[i] >= 0 && sequences[i] != sequence && nowNanos - sendNanos[i] < HORIZON_NANOS
                && sequences.length < MAX_SIZE) {
            grow();
            i = sequence & (sequences.length - 1);
        }
        sequences[i] = sequence;
        sendNanos[i] = nowNanos;
        sizes[i] = size;
        clusters[i] = cluster;
    }

    /** The slot of a sequence number still in the ring, or -1 (never sent, or overwritten since). */
    int find(int sequence) {
        int i = sequence & (sequences.length - 1);
        return sequences[i] == (sequence & 0xffff) ? i : -1;
    }

    /** Entries the ring has now (tests). */
    int capacity() {
        return sequences.length;
    }

    /** Doubles the ring; entries in different slots differ in their low bits, so they stay apart. */
    private void grow() {
        int size = sequences.length * 2;
        long[] newSendNanos = new long[size];
        int[] newSizes = new int[size];
        int[] newSequences = new int[size];
        int[] newClusters = new int[size];
        java.util.Arrays.fill(newSequences, -1);
        for (int j = 0; j < sequences.length; j++) {
            if (sequences[j] >= 0) {
                int k = sequences[j] & (size - 1);
                newSequences[k] = sequences[j];
                newSendNanos[k] = sendNanos[j];
                newSizes[k] = sizes[j];
                newClusters[k] = clusters[j];
            }
        }
        sendNanos = newSendNanos;
        sizes = newSizes;
        sequences = newSequences;
        clusters = newClusters;
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
