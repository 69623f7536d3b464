package dev.sfu.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The figures of one run, written as a console table and as JSON (every field below).
 *
 * @param packetsSent RTP packets the publishers sent during the measured window
 * @param packetsReceived packets subscribers received intact during the window
 * @param packetsLost gaps in the publishers' own sequences as each subscriber saw them
 * @param forwardedPerSecond packets received by all subscribers per second (= packets the server forwarded)
 */
public record LoadReport(String scenario, int peers, int publishers, double seconds, long packetsSent,
        long packetsReceived, long packetsLost, long packetsCorrupted, long packetsReordered, double lossPercent,
        double forwardedPerSecond, double latencyP50Ms, double latencyP95Ms, double latencyP99Ms,
        double joinToFirstPacketP50Ms, double joinToFirstPacketP99Ms, int streamsMeasured, double serverCpuSeconds,
        double serverCpuMicrosPerForwardedPacket, double serverHeapMiB, boolean serverInProcess) {

    static LoadReport of(LoadTest.Options options, List<SimulatedPeer> everyone, List<SimulatedPeer> publishers,
            long sent, long elapsedNanos, ServerMetrics before, ServerMetrics after, boolean serverInProcess) {
        long received = 0;
        long lost = 0;
        long corrupted = 0;
        long reordered = 0;
        int streams = 0;
        long[] latency = null;
        List<Double> joins = new ArrayList<>();
        for (SimulatedPeer p : everyone) {
            if (p.firstPacketNanos > 0) {
                joins.add((p.firstPacketNanos - p.joinNanos) / 1e6);
            }
            for (StreamStats s : p.streams.values()) {
                streams++;
                received += s.received;
                lost += s.lost();
                corrupted += s.corrupted;
                reordered += s.reordered;
                long[] h = s.latencyHistogram();
                if (latency == null) {
                    latency = new long[h.length];
                }
                for (int i = 0; i < h.length; i++) {
                    latency[i] += h[i];
                }
            }
        }
        Collections.sort(joins);
        long[] hist = latency == null ? new long[1] : latency;
        double seconds = elapsedNanos / 1e9;
        return new LoadReport(options.scenario(), everyone.size(), publishers.size(), seconds, sent, received, lost,
                corrupted, reordered, received + lost == 0 ? 0 : 100.0 * lost / (received + lost), received / seconds,
                StreamStats.percentileMillis(hist, 0.50), StreamStats.percentileMillis(hist, 0.95),
                StreamStats.percentileMillis(hist, 0.99), percentile(joins, 0.50), percentile(joins, 0.99), streams,
                (after.cpuNanos() - before.cpuNanos()) / 1e9,
                received == 0 ? 0 : (after.cpuNanos() - before.cpuNanos()) / 1e3 / received,
                after.heapUsedBytes() / (1024 * 1024), serverInProcess);
    }

    private static double percentile(List<Double> sorted, double fraction) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(fraction * sorted.size()) - 1));
    }

    /** A console table of the figures. */
    public String table() {
        return String.format("""
                scenario %-10s peers %d (publishers %d), %.1f s measured, %d streams
                  sent            %,12d packets
                  received        %,12d packets   (%,.0f forwarded packets/s)
                  lost            %,12d packets   (%.3f %%)
                  corrupted       %,12d   reordered %,d
                  latency         p50 %.1f ms   p95 %.1f ms   p99 %.1f ms
                  join→1st packet p50 %.0f ms   p99 %.0f ms
                  server CPU      %.2f s   = %.2f µs per forwarded packet%s   heap %.0f MiB""",
                scenario, peers, publishers, seconds, streamsMeasured, packetsSent, packetsReceived, forwardedPerSecond,
                packetsLost, lossPercent, packetsCorrupted, packetsReordered, latencyP50Ms, latencyP95Ms, latencyP99Ms,
                joinToFirstPacketP50Ms, joinToFirstPacketP99Ms, serverCpuSeconds, serverCpuMicrosPerForwardedPacket,
                serverInProcess ? " (server in process: includes the harness)" : "", serverHeapMiB);
    }
}
