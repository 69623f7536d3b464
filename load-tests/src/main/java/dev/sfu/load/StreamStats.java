package dev.sfu.load;

/**
 * What one subscriber saw of one publisher stream: packets, losses (gaps in the publisher's own
 * sequence), reordering, integrity failures and one-way latency in 100 µs buckets up to 1 s.
 * Updated on one media thread; read after the run.
 */
final class StreamStats {
    private static final int BUCKET_NANOS = 100_000;
    private static final int BUCKETS = 10_000;

    long received;
    long corrupted;
    long reordered;
    long bytes;
    private int first = -1;
    private int highest = -1;
    private long receivedInStint;
    private long lostInEarlierStints;
    private final long[] latency = new long[BUCKETS + 1];

    void record(int sequence, int payloadLength, long latencyNanos, boolean intact) {
        if (!intact) {
            corrupted++;
            return;
        }
        received++;
        receivedInStint++;
        bytes += payloadLength;
        if (first < 0) {
            first = sequence;
            highest = sequence;
        } else if (sequence > highest) {
            highest = sequence;
        } else {
            reordered++;
        }
        latency[(int) Math.min(BUCKETS, Math.max(0, latencyNanos / BUCKET_NANOS))]++;
    }

    /**
     * The subscriber is back on this simulcast layer after forwarding moved it to another: the packets the
     * publisher sent on this layer meanwhile were not meant for it, so loss is counted afresh from here.
     */
    void startStint() {
        lostInEarlierStints += lostInStint();
        first = -1;
        highest = -1;
        receivedInStint = 0;
    }

    /**
     * Packets the publisher sent from the first one this subscriber got to the last one, minus those it got,
     * summed over the stretches (stints) in which it was forwarded this stream.
     */
    long lost() {
        return lostInEarlierStints + lostInStint();
    }

    private long lostInStint() {
        return first < 0 ? 0 : Math.max(0, (highest - first + 1) - receivedInStint);
    }

    long[] latencyHistogram() {
        return latency;
    }

    static double percentileMillis(long[] histogram, double fraction) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        long target = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= target) {
                return (i + 1) * BUCKET_NANOS / 1e6;
            }
        }
        return BUCKETS * BUCKET_NANOS / 1e6;
    }
}
