package dev.sfu.load;

import dev.sfu.client.ClientContext;
import dev.sfu.client.ClientSdp;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelListener;
import dev.sfu.sctp.dcep.DataChannelOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data-channel scenario ({@code --scenario data}): K conferences of M participants that publish only a
 * data section (as a chat or game client does), each sending {@code --messages-per-second} binary messages
 * of {@code --message-bytes} on each of three channels, one per reliability mode; the server relays each
 * to the other M-1 participants. Reported per mode: messages sent and expected, received, lost, and the
 * one-way latency (sender and receivers share this process's clock).
 */
final class DataScenario {
    /** What every message starts with: the send time (nanos), the sender's index and its sequence number. */
    static final int HEADER_BYTES = 16;

    /** The three channels each peer opens, as an application would: chat, and two kinds of live state. */
    enum Mode {
        RELIABLE("reliable", DataChannelOptions.RELIABLE),
        UNORDERED_NO_RETRANSMIT("unreliable", DataChannelOptions.RELIABLE.withOrdered(false).withMaxRetransmits(0)),
        LIFETIME_100MS("lifetime-100ms", DataChannelOptions.RELIABLE.withMaxPacketLifeTimeMs(100));

        final String label;
        final DataChannelOptions options;

        Mode(String label, DataChannelOptions options) {
            this.label = label;
            this.options = options;
        }

        static Mode of(String label) {
            for (Mode m : values()) {
                if (m.label.equals(label)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** One mode's figures over the measured window. */
    record ModeReport(String mode, long sent, long expected, long received, double lossPercent, double p50Ms,
            double p99Ms, double maxMs) {
    }

    /** The run's figures. */
    record Report(String scenario, int conferences, int participants, int messagesPerSecond, int messageBytes,
            double seconds, List<ModeReport> modes, double serverCpuMicrosPerMessage, Map<String, Double> refused) {

        String table() {
            StringBuilder t = new StringBuilder(String.format(
                    "scenario data       %d conferences x %d participants, %d msg/s of %d B per channel, %.1f s measured%n",
                    conferences, participants, messagesPerSecond, messageBytes, seconds));
            t.append(String.format("  %-16s %10s %10s %10s %8s %9s %9s %9s%n", "mode", "sent", "expected", "received",
                    "loss", "p50", "p99", "max"));
            for (ModeReport m : modes) {
                t.append(String.format("  %-16s %,10d %,10d %,10d %7.3f%% %7.1fms %7.1fms %7.1fms%n", m.mode(), m.sent(),
                        m.expected(), m.received(), m.lossPercent(), m.p50Ms(), m.p99Ms(), m.maxMs()));
            }
            t.append(String.format("  server CPU      %.2f µs per relayed message%n", serverCpuMicrosPerMessage));
            t.append("  refused         " + (refused.isEmpty() ? "none" : refused)
                    + " (sfu_data_messages_refused_total: the server's data limits at work)\n");
            return t.toString();
        }
    }

    /** One peer: its client, its three channels, and what it sent and received per mode. */
    private static final class DataPeer implements DataChannelListener {
        final SimulatedPeer peer;
        final int index;
        final DataChannel[] channels = new DataChannel[Mode.values().length];
        final AtomicLong[] sent = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        final CountDownLatch connected = new CountDownLatch(1);
        final Map<String, Boolean> senders = new ConcurrentHashMap<>();
        /** Media thread only, while measuring: per mode, received count and latencies. */
        final long[] received = new long[Mode.values().length];
        final List<long[]> latencies = List.of(new long[1 << 16], new long[1 << 16], new long[1 << 16]);
        final int[] latencyCount = new int[Mode.values().length];
        volatile boolean measuring;
        private final byte[] message;
        private int sequence;

        DataPeer(SimulatedPeer peer, int index, int messageBytes) {
            this.peer = peer;
            this.index = index;
            this.message = new byte[messageBytes];
        }

        @Override
        public void onConnected() {
            connected.countDown();
        }

        @Override
        public void onChannelOpenedByPeer(DataChannel channel) {
            senders.put(channel.protocol() + "/" + channel.label(), Boolean.TRUE);
        }

        @Override
        public void onBinary(DataChannel channel, byte[] data) {
            Mode mode = Mode.of(channel.label());
            if (mode == null || data.length < HEADER_BYTES || !measuring) {
                return;
            }
            long sentNanos = ByteBuffer.wrap(data).getLong(0);
            int m = mode.ordinal();
            received[m]++;
            if (latencyCount[m] < latencies.get(m).length) {
                latencies.get(m)[latencyCount[m]++] = System.nanoTime() - sentNanos;
            }
        }

        /** Sends one message on each channel; media thread. */
        void sendAll() {
            long now = System.nanoTime();
            for (Mode mode : Mode.values()) {
                DataChannel channel = channels[mode.ordinal()];
                if (channel == null || channel.state() != DataChannel.State.OPEN) {
                    continue;
                }
                ByteBuffer.wrap(message).putLong(0, now).putInt(8, index).putInt(12, sequence);
                if (channel.send(message, now) == dev.sfu.sctp.SendResult.OK) {
                    if (measuring) {
                        sent[mode.ordinal()].incrementAndGet();
                    }
                }
            }
            sequence++;
        }
    }

    private DataScenario() {
    }

    static Report run(Options options, URI server, HttpClient http, ClientContext context, MediaThread[] threads)
            throws Exception {
        List<List<DataPeer>> conferences = new ArrayList<>();
        int index = 0;
        for (int c = 0; c < options.conferences(); c++) {
            List<DataPeer> members = new ArrayList<>();
            for (int p = 0; p < options.participants(); p++) {
                SimulatedPeer peer = SimulatedPeer.join(server, http, context, threads[index % threads.length],
                        "data-" + c, index, 1, options.tokens());
                DataPeer d = new DataPeer(peer, index, options.messageBytes());
                peer.client.enableDataChannels(d);
                peer.client.publish(List.of(ClientSdp.PublishSpec.data("0"))).toCompletableFuture().get(30, TimeUnit.SECONDS);
                for (Mode mode : Mode.values()) {
                    d.channels[mode.ordinal()] = peer.client.openDataChannel(mode.label, mode.options)
                            .toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
                members.add(d);
                index++;
            }
            conferences.add(members);
        }
        List<DataPeer> everyone = conferences.stream().flatMap(List::stream).toList();
        try {
            for (DataPeer d : everyone) {
                if (!d.connected.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(d.peer.endpointId + ": no SCTP association within 30 s");
                }
            }
            // Every peer has the server's channels from every other peer of its conference, for each mode.
            int expectedChannels = (options.participants() - 1) * Mode.values().length;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (everyone.stream().anyMatch(d -> d.senders.size() < expectedChannels) && System.nanoTime() < deadline) {
                for (DataPeer d : everyone) {
                    d.peer.client.execute(d::sendAll); // what opens the relayed channels is a first message
                }
                Thread.sleep(100);
            }
            java.util.concurrent.ScheduledExecutorService clock = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor();
            long periodNanos = 1_000_000_000L / options.messagesPerSecond();
            Runnable tick = () -> {
                for (DataPeer d : everyone) {
                    d.peer.client.execute(d::sendAll);
                }
            };
            Thread.sleep(500); // let the warm-up messages drain
            for (DataPeer d : everyone) {
                d.measuring = true;
            }
            ServerMetrics before = ServerMetrics.read(http, server);
            Map<String, Double> refusedBefore = refused(http, server);
            long start = System.nanoTime();
            var timer = clock.scheduleAtFixedRate(tick, 0, periodNanos, TimeUnit.NANOSECONDS);
            Thread.sleep(options.seconds() * 1000L);
            timer.cancel(false);
            clock.shutdown();
            double seconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(1000); // reliable messages in flight, retransmissions
            ServerMetrics after = ServerMetrics.read(http, server);
            Map<String, Double> refused = new java.util.TreeMap<>();
            refused(http, server).forEach((reason, n) -> {
                double d = n - refusedBefore.getOrDefault(reason, 0.0);
                if (d > 0) {
                    refused.put(reason, d);
                }
            });
            for (DataPeer d : everyone) {
                d.measuring = false;
            }
            Thread.sleep(100);
            List<ModeReport> modes = new ArrayList<>();
            long relayed = 0;
            for (Mode mode : Mode.values()) {
                int m = mode.ordinal();
                long sent = 0;
                long received = 0;
                List<Long> all = new ArrayList<>();
                for (DataPeer d : everyone) {
                    sent += d.sent[m].get();
                    received += d.received[m];
                    for (int i = 0; i < d.latencyCount[m]; i++) {
                        all.add(d.latencies.get(m)[i]);
                    }
                }
                long expected = sent * (options.participants() - 1);
                relayed += received;
                long[] sorted = all.stream().mapToLong(Long::longValue).toArray();
                Arrays.sort(sorted);
                modes.add(new ModeReport(mode.label, sent, expected, received,
                        expected == 0 ? 0 : 100.0 * Math.max(0, expected - received) / expected,
                        percentile(sorted, 0.50), percentile(sorted, 0.99),
                        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6));
            }
            double cpuMicros = relayed == 0 ? Double.NaN : (after.cpuNanos() - before.cpuNanos()) / 1e3 / relayed;
            return new Report("data", options.conferences(), options.participants(), options.messagesPerSecond(),
                    options.messageBytes(), seconds, modes, cpuMicros, refused);
        } finally {
            for (DataPeer d : everyone) {
                d.peer.leave();
            }
        }
    }

    /** The server's data-message refusals by reason, from its /metrics. */
    private static Map<String, Double> refused(HttpClient http, URI webSocket) {
        Map<String, Double> byReason = new java.util.HashMap<>();
        try {
            String scheme = webSocket.getScheme().equals("wss") ? "https" : "http";
            URI metrics = new URI(scheme, null, webSocket.getHost(), webSocket.getPort(), "/metrics", null, null);
            String body = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("(?m)^sfu_data_messages_refused_total\\{reason=\"([^\"]+)\"\\} (\\S+)$").matcher(body);
            while (m.find()) {
                byReason.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        } catch (Exception e) {
            // no metrics: no refusals to show
        }
        return byReason;
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }
}
