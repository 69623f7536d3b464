package dev.sfu.core.bwe;

/**
 * The rate at which the subscriber actually received what we sent: bytes acknowledged by transport-cc
 * feedback over the last half second of arrival times. Rate control never raises the estimate far above
 * it (an estimate nothing has tested is a guess) and decreases relative to it.
 */
final class AckedBitrate {
    private static final long WINDOW_NANOS = 500_000_000L;
    /** Half a second at ~2,000 packets a second; beyond that the window just gets shorter. */
    private static final int SIZE = 1024;

    private final long[] arrivals = new long[SIZE];
    private final int[] sizes = new int[SIZE];
    private int head;
    private int count;
    private long bytes;

    void onPacket(long arrivalNanos, int size) {
        if (count == SIZE) {
            evictOldest();
        }
        int i = (head + count) % SIZE;
        arrivals[i] = arrivalNanos;
        sizes[i] = size;
        count++;
        bytes += size;
        while (count > 1 && arrivalNanos - arrivals[head] > WINDOW_NANOS) {
            evictOldest();
        }
    }

    private void evictOldest() {
        bytes -= sizes[head];
        head = (head + 1) % SIZE;
        count--;
    }

    /** Bits per second over the window, or -1 before a tenth of a second of arrivals was seen. */
    long bitsPerSecond() {
        if (count < 2) {
            return -1;
        }
        long newest = arrivals[(head + count - 1) % SIZE];
        long span = newest - arrivals[head];
        if (span < 100_000_000L) {
            return -1;
        }
        // The first packet's bytes arrived before the span began.
        return (bytes - sizes[head]) * 8_000_000_000L / span;
    }
}
