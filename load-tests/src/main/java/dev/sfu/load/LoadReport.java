package dev.sfu.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run, written as a console table and as JSON (every field below).
 *
 * @param packetsSent RTP packets the publishers sent during the measured window
 * @param packetsReceived packets subscribers received intact during the window
 * @param packetsLost gaps in the publishers' own sequences as each subscriber saw them
 * @param forwardedPerSecond packets received by all subscribers per second (= packets the server forwarded)
 * @param joinToFirstPacketP50Ms from opening the WebSocket to the first media packet, for peers that joined
 *     a conference whose media was already flowing
 * @param videoStreamsPerLayer video streams received per simulcast layer, lowest first (each subscriber gets
 *     one layer of each publisher; a stream that switched layers counts in both)
 * @param nacksSent sequence numbers the subscribers NACKed; {@code gapsFilled} of them arrived later,
 *     most by RTX ({@code retransmissionsReceived})
 * @param jitterMeanMs interarrival jitter (RFC 3550 A.8) averaged over every received source; {@code
 *     jitterMaxMs} the largest
 * @param ramp the ramp scenario's steps (empty otherwise); the figures above are then the knee's
 * @param resumes the WebSockets the harness dropped ({@code --drops-per-second}) and how their sessions came back
 * @param serverCost the ramp's fixed and marginal server CPU (null for other scenarios, or too few steps)
 * @param serverVersion the server's {@code sfu_build_info} version label from its /metrics ("?" if not there)
 */
public record LoadReport(String scenario, int peers, int publishers, int layers, double seconds, long packetsSent,
        long packetsReceived, long packetsLost, long packetsCorrupted, long packetsReordered, double lossPercent,
        double forwardedPerSecond, double latencyP50Ms, double latencyP95Ms, double latencyP99Ms,
        double jitterMeanMs, double jitterMaxMs,
        double joinToFirstPacketP50Ms, double joinToFirstPacketP99Ms, int joinsMeasured, int streamsMeasured,
        int[] videoStreamsPerLayer, long nacksSent, long retransmissionsReceived, long gapsFilled,
        long receiverReportsSent, long transportFeedbackSent, long keyframeRequestsReceived, double serverCpuSeconds,
        double serverCpuMicrosPerForwardedPacket, double serverHeapMiB, double serverHeapPerEndpointKiB,
        boolean serverInProcess, List<RampStep> ramp, Resumes resumes, ServerCost serverCost, String serverVersion) {

    /**
     * Sessions resumed after a dropped WebSocket (docs/signaling-protocol.md, "Resuming"): how many drops,
     * how many resumed and how many were refused, and the time from the drop to {@code resumed}.
     */
    public record Resumes(int drops, int resumed, int refused, double p50Ms, double maxMs) {
        static final Resumes NONE = new Resumes(0, 0, 0, 0, 0);
    }

    LoadReport withResumes(Resumes r) {
        return new LoadReport(scenario, peers, publishers, layers, seconds, packetsSent, packetsReceived, packetsLost,
                packetsCorrupted, packetsReordered, lossPercent, forwardedPerSecond, latencyP50Ms, latencyP95Ms,
                latencyP99Ms, jitterMeanMs, jitterMaxMs, joinToFirstPacketP50Ms, joinToFirstPacketP99Ms,
                joinsMeasured, streamsMeasured, videoStreamsPerLayer, nacksSent, retransmissionsReceived, gapsFilled,
                receiverReportsSent, transportFeedbackSent, keyframeRequestsReceived, serverCpuSeconds,
                serverCpuMicrosPerForwardedPacket, serverHeapMiB, serverHeapPerEndpointKiB, serverInProcess, ramp, r,
                serverCost, serverVersion);
    }

    /**
     * One step of the ramp scenario.
     *
     * @param endpoints everyone in the conference (the publisher too)
     * @param serverCpuCores the server's CPU over the step in cores (CPU seconds per second)
     */
    public record RampStep(int subscribers, int endpoints, double forwardedPerSecond, double lossPercent,
            double latencyP99Ms, double serverCpuCores, double serverCpuMicrosPerForwardedPacket, boolean withinLimits) {
    }

    LoadReport withRamp(List<RampStep> steps, double idleCores) {
        return new LoadReport(scenario, peers, publishers, layers, seconds, packetsSent, packetsReceived, packetsLost,
                packetsCorrupted, packetsReordered, lossPercent, forwardedPerSecond, latencyP50Ms, latencyP95Ms,
                latencyP99Ms, jitterMeanMs, jitterMaxMs, joinToFirstPacketP50Ms, joinToFirstPacketP99Ms,
                joinsMeasured, streamsMeasured, videoStreamsPerLayer, nacksSent, retransmissionsReceived, gapsFilled,
                receiverReportsSent, transportFeedbackSent, keyframeRequestsReceived, serverCpuSeconds,
                serverCpuMicrosPerForwardedPacket, serverHeapMiB, serverHeapPerEndpointKiB, serverInProcess,
                List.copyOf(steps), resumes, ServerCost.fit(steps, idleCores), serverVersion);
    }

    static LoadReport of(Options options, List<SimulatedPeer> everyone, List<SimulatedPeer> publishers,
            List<SimulatedPeer> joiners,
            long sent, long elapsedNanos, ServerMetrics before, ServerMetrics after, boolean serverInProcess,
            List<RampStep> ramp) {
        long received = 0;
        long lost = 0;
        long corrupted = 0;
        long reordered = 0;
        int streams = 0;
        long[] latency = null;
        List<Double> joins = new ArrayList<>();
        int[] perLayer = new int[options.layers()];
        long nacks = 0;
        long retransmissions = 0;
        long filled = 0;
        long reports = 0;
        long transportFeedback = 0;
        List<Double> jitters = new ArrayList<>();
        long keyframeRequests = 0;
        for (SimulatedPeer p : everyone) {
            nacks += p.nacksSent;
            retransmissions += p.retransmissionsReceived;
            filled += p.gapsFilled;
            reports += p.receiverReportsSent;
            transportFeedback += p.client.transportFeedbackSent();
            jitters.addAll(p.jitterMillis());
            keyframeRequests += p.keyframeRequestsReceived;
            for (Map.Entry<String, StreamStats> e : p.streams.entrySet()) {
                int layer = SimulatedPeer.RIDS.indexOf(e.getKey().substring(e.getKey().lastIndexOf('/') + 1));
                if (layer >= 0 && options.layers() > 1) {
                    perLayer[layer]++;
                } else if (e.getKey().contains("/video")) {
                    perLayer[0]++;
                }
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
        for (SimulatedPeer p : joiners) {
            if (p.firstPacketNanos > 0) {
                joins.add((p.firstPacketNanos - p.joinNanos) / 1e6);
            }
        }
        Collections.sort(joins);
        LoadTest.lastJoins = List.copyOf(joins);
        long[] hist = latency == null ? new long[1] : latency;
        double seconds = elapsedNanos / 1e9;
        double heapMiB = after.heapUsedBytes() / (1024.0 * 1024);
        return new LoadReport(options.scenario(), everyone.size(), publishers.size(), options.layers(), seconds, sent,
                received, lost, corrupted, reordered, received + lost == 0 ? 0 : 100.0 * lost / (received + lost),
                received / seconds, StreamStats.percentileMillis(hist, 0.50), StreamStats.percentileMillis(hist, 0.95),
                StreamStats.percentileMillis(hist, 0.99),
                jitters.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                jitters.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                percentile(joins, 0.50), percentile(joins, 0.99), joins.size(),
                streams, perLayer, nacks, retransmissions, filled, reports, transportFeedback, keyframeRequests,
                (after.cpuNanos() - before.cpuNanos()) / 1e9,
                received == 0 ? 0 : (after.cpuNanos() - before.cpuNanos()) / 1e3 / received, heapMiB,
                everyone.isEmpty() ? 0 : heapMiB * 1024 / everyone.size(), serverInProcess, ramp, Resumes.NONE, null,
                after.version());
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
                scenario %-10s peers %d (publishers %d, %d simulcast layers), %.1f s measured, %d streams
                  video layers    %s received (streams per layer, lowest first)
                  sent            %,12d packets
                  received        %,12d packets   (%,.0f forwarded packets/s)
                  lost            %,12d packets   (%.3f %%)
                  corrupted       %,12d   reordered %,d
                  latency         p50 %.1f ms   p95 %.1f ms   p99 %.1f ms   jitter mean %.2f ms, max %.2f ms
                  join→1st packet p50 %.0f ms   p99 %.0f ms   (%d joins into flowing media)
                  feedback        %,d NACKed, %,d retransmissions received, %,d gaps filled; %,d receiver reports; %,d transport-cc feedbacks; %,d keyframe requests to publishers
                  server          version %s
                  server CPU      %.2f s   = %.2f µs per forwarded packet%s
                  server heap     %.0f MiB   (%.0f KiB per endpoint)%s%s%s""",
                scenario, peers, publishers, layers, seconds, streamsMeasured,
                java.util.Arrays.toString(videoStreamsPerLayer), packetsSent, packetsReceived,
                forwardedPerSecond, packetsLost, lossPercent, packetsCorrupted, packetsReordered, latencyP50Ms,
                latencyP95Ms, latencyP99Ms, jitterMeanMs, jitterMaxMs, joinToFirstPacketP50Ms, joinToFirstPacketP99Ms, joinsMeasured, nacksSent,
                retransmissionsReceived, gapsFilled, receiverReportsSent, transportFeedbackSent, keyframeRequestsReceived,
                serverVersion, serverCpuSeconds,
                serverCpuMicrosPerForwardedPacket, serverInProcess ? " (server in process: includes the harness)" : "",
                serverHeapMiB, serverHeapPerEndpointKiB, costLine(), rampTable(), resumeLine());
    }

    private String resumeLine() {
        if (resumes == null || resumes.drops() == 0) {
            return "";
        }
        return String.format("%n  resumes         %d WebSockets dropped: %d resumed (p50 %.0f ms, max %.0f ms), %d refused",
                resumes.drops(), resumes.resumed(), resumes.p50Ms(), resumes.maxMs(), resumes.refused());
    }

    private String costLine() {
        if (serverCost == null) {
            return "";
        }
        return "\n  server cost     " + serverCost.line() + (serverInProcess ? " (includes the harness)" : "");
    }

    private String rampTable() {
        if (ramp.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n  ramp (the figures above are the knee's: the last step within 0.5 % loss and 50 ms p99)");
        for (RampStep s : ramp) {
            b.append(String.format("%n    %4d subscribers  %,9.0f forwarded/s  loss %6.3f %%  p99 %6.1f ms  server %5.1f %% of a core"
                    + "  %6.1f µs/pkt  %s", s.subscribers(), s.forwardedPerSecond(), s.lossPercent(), s.latencyP99Ms(),
                    100 * s.serverCpuCores(), s.serverCpuMicrosPerForwardedPacket(), s.withinLimits() ? "ok" : "past the knee"));
        }
        return b.toString();
    }
}
