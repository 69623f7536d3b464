package dev.sfu.load;

import java.util.ArrayList;
import java.util.List;

/**
 * One sample a second of the whole run's received bitrate, loss and latency, for the HTML report.
 * Counters are read from the peers' statistics while media threads update them: a sample may be off by
 * the packets of that instant, which a plot does not show.
 */
final class TimeSeries {
    /** One second of the run. */
    record Sample(double second, double megabitsPerSecond, double lossPercent, double latencyP50Ms,
            double latencyP99Ms, int peers) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final long start = System.nanoTime();
    private long lastBytes;
    private long lastReceived;
    private long lastLost;
    private long lastNanos = start;

    synchronized void sample(List<SimulatedPeer> peers) {
        long bytes = 0;
        long received = 0;
        long lost = 0;
        long[] latency = null;
        for (SimulatedPeer p : peers) {
            for (StreamStats s : p.streams.values()) {
                bytes += s.bytes;
                received += s.received;
                lost += s.lost();
                long[] h = s.latencyHistogram();
                if (latency == null) {
                    latency = new long[h.length];
                }
                for (int i = 0; i < h.length; i++) {
                    latency[i] += h[i];
                }
            }
        }
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        long newReceived = received - lastReceived;
        long newLost = Math.max(0, lost - lastLost);
        samples.add(new Sample((now - start) / 1e9, 8.0 * (bytes - lastBytes) / seconds / 1e6,
                newReceived + newLost == 0 ? 0 : 100.0 * newLost / (newReceived + newLost),
                latency == null ? 0 : StreamStats.percentileMillis(latency, 0.5),
                latency == null ? 0 : StreamStats.percentileMillis(latency, 0.99), peers.size()));
        lastBytes = bytes;
        lastReceived = received;
        lastLost = lost;
        lastNanos = now;
    }

    /** After the peers' statistics were cleared (a ramp step): the next sample counts from zero. */
    synchronized void rebase() {
        lastBytes = 0;
        lastReceived = 0;
        lastLost = 0;
        lastNanos = System.nanoTime();
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }
}
