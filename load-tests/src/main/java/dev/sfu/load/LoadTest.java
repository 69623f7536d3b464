package dev.sfu.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sfu.core.client.ClientContext;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.ServerConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The load-test harness: simulated peers that speak the real signaling API and real ICE/DTLS/SRTP
 * against a server (one it starts in process by default, or {@code --server ws://host:port/ws}).
 *
 * <pre>
 *   java -cp load-tests/target/load-tests.jar dev.sfu.load.LoadTest --scenario fanout --subscribers 20 --seconds 10
 *   ... --scenario meetings --conferences 5 --participants 4
 * </pre>
 */
public final class LoadTest {
    /** What to run. */
    public record Options(URI server, String scenario, int subscribers, int conferences, int participants,
            int seconds, int videoKbps, Path output, double churnPerSecond) {

        public Options(URI server, String scenario, int subscribers, int conferences, int participants, int seconds,
                int videoKbps, Path output) {
            this(server, scenario, subscribers, conferences, participants, seconds, videoKbps, output, 1);
        }

        public static Options parse(String[] args) {
            Map<String, String> a = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --option value, got " + args[i]);
                }
                a.put(args[i].substring(2), args[i + 1]);
            }
            return new Options(a.containsKey("server") ? URI.create(a.get("server")) : null,
                    a.getOrDefault("scenario", "fanout"), Integer.parseInt(a.getOrDefault("subscribers", "10")),
                    Integer.parseInt(a.getOrDefault("conferences", "2")), Integer.parseInt(a.getOrDefault("participants", "4")),
                    Integer.parseInt(a.getOrDefault("seconds", "10")), Integer.parseInt(a.getOrDefault("video-kbps", "500")),
                    Path.of(a.getOrDefault("output", "load-report.json")),
                    Double.parseDouble(a.getOrDefault("churn-per-second", "1")));
        }
    }

    /** The per-second samples of the last run (for the HTML report). */
    private static volatile List<TimeSeries.Sample> lastSeries = List.of();

    private LoadTest() {
    }

    static final String USAGE = """
            usage: java -jar load-tests/target/load-tests.jar [--option value]...
              --server ws://HOST:PORT/ws   server to test (default: one started in this process)
              --scenario fanout|meetings|churn   1 publisher -> N subscribers; K conferences x M participants;
                                           or fan-out while peers join and leave
              --churn-per-second R         churn: peers joining (each leaving 2 s later) per second [1]
              --subscribers N              fan-out size [10]
              --conferences K              meetings [2]
              --participants M             people per meeting, all publishing [4]
              --seconds S                  measured window [10]
              --video-kbps B               video bitrate per publisher [500]
              --output FILE                JSON report [load-report.json]""";

    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        LoadReport report = run(options);
        System.out.println(report.table());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.output().toFile(), report);
        Path html = Path.of(options.output().toString().replaceAll("\\.json$", "") + ".html");
        HtmlReport.write(html, report, lastSeries);
        System.out.println("report written to " + options.output().toAbsolutePath() + " and " + html.toAbsolutePath());
        System.exit(0);
    }

    /** Runs a scenario and returns its figures. */
    public static LoadReport run(Options options) throws Exception {
        Main.Server local = null;
        URI server = options.server();
        if (server == null) {
            local = Main.Server.start(ServerConfig.load(new String[0], Map.of("SFU_HTTP_PORT", "0",
                    "SFU_HTTP_BIND_ADDRESS", "127.0.0.1", "SFU_MEDIA_PORT", "0", "SFU_MEDIA_BIND_ADDRESS", "127.0.0.1",
                    "SFU_ADVERTISED_ADDRESS", "127.0.0.1", "SFU_MAX_ENDPOINTS_PER_CONFERENCE", "1000")));
            server = URI.create("ws://127.0.0.1:" + local.httpPort() + "/ws");
        }
        ExecutorService handshakes = Executors.newCachedThreadPool(); // a blocked thread per handshake in flight
        MediaThread[] threads = {new MediaThread("peers-0"), new MediaThread("peers-1")};
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        HttpClient http = HttpClient.newHttpClient();
        ClientContext context = ClientContext.onAddress(InetAddress.getLoopbackAddress(), handshakes);
        List<SimulatedPeer> publishers = new ArrayList<>();
        List<SimulatedPeer> everyone = new ArrayList<>();
        try {
            int index = 0;
            if (options.scenario().equals("meetings")) {
                for (int c = 0; c < options.conferences(); c++) {
                    for (int p = 0; p < options.participants(); p++) {
                        SimulatedPeer peer = SimulatedPeer.join(server, http, context, threads[index % 2], "meeting-" + c, index++);
                        everyone.add(peer);
                        publishers.add(peer);
                    }
                }
            } else if (options.scenario().equals("fanout") || options.scenario().equals("churn")) {
                SimulatedPeer publisher = SimulatedPeer.join(server, http, context, threads[0], "fanout", index++);
                publishers.add(publisher);
                everyone.add(publisher);
                for (int s = 0; s < options.subscribers(); s++) {
                    everyone.add(SimulatedPeer.join(server, http, context, threads[index % 2], "fanout", index++));
                }
            } else {
                throw new IllegalArgumentException("unknown scenario " + options.scenario() + " (fanout, meetings, churn)");
            }
            CompletableFuture<?>[] published = new CompletableFuture<?>[publishers.size()];
            for (int i = 0; i < published.length; i++) {
                published[i] = publishers.get(i).publish().toCompletableFuture(); // all at once, as people would
            }
            CompletableFuture.allOf(published).get(60, TimeUnit.SECONDS);
            Sender sender = new Sender(publishers, options.videoKbps());
            clock.scheduleAtFixedRate(sender, 0, 20, TimeUnit.MILLISECONDS);
            awaitMedia(everyone, publishers, 30);
            // Measure from a clean slate.
            for (SimulatedPeer p : everyone) {
                p.client.execute(p.streams::clear);
            }
            long sentBefore = sender.sent();
            ServerMetrics before = ServerMetrics.read(http, server);
            long start = System.nanoTime();
            TimeSeries series = new TimeSeries();
            Churn churn = options.scenario().equals("churn")
                    ? new Churn(server, http, context, threads, options.churnPerSecond(), index) : null;
            if (churn != null) {
                churn.start();
            }
            for (int second = 0; second < options.seconds(); second++) {
                Thread.sleep(1000);
                series.sample(everyone);
            }
            lastSeries = series.samples();
            ServerMetrics after = ServerMetrics.read(http, server);
            long elapsed = System.nanoTime() - start;
            sender.stop();
            if (churn != null) {
                churn.stop();
                System.out.println("churn: " + churn.joined() + " peers joined and left during the window");
            }
            Thread.sleep(500); // let the last packets arrive
            return LoadReport.of(options, everyone, publishers, sender.sent() - sentBefore, elapsed, before, after,
                    local != null);
        } finally {
            clock.shutdownNow();
            for (SimulatedPeer p : everyone) {
                p.leave();
            }
            Thread.sleep(200);
            for (MediaThread t : threads) {
                t.close();
            }
            handshakes.shutdownNow();
            if (local != null) {
                local.close();
            }
        }
    }

    /**
     * Peers that join the fan-out, stay about two seconds and leave, at a given rate, while the steady
     * subscribers are measured (churners are not): joins and leaves must not disturb anyone else.
     */
    private static final class Churn {
        private final URI server;
        private final HttpClient http;
        private final ClientContext context;
        private final MediaThread[] threads;
        private final long periodMillis;
        private final java.util.concurrent.ScheduledExecutorService scheduler =
                Executors.newScheduledThreadPool(2);
        private final java.util.concurrent.atomic.AtomicInteger next;
        private final java.util.concurrent.atomic.AtomicInteger joined = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.Set<SimulatedPeer> present = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Churn(URI server, HttpClient http, ClientContext context, MediaThread[] threads, double perSecond, int firstIndex) {
            this.server = server;
            this.http = http;
            this.context = context;
            this.threads = threads;
            this.periodMillis = Math.max(50, (long) (1000 / perSecond));
            this.next = new java.util.concurrent.atomic.AtomicInteger(firstIndex + 1000);
        }

        void start() {
            scheduler.scheduleAtFixedRate(() -> {
                int index = next.getAndIncrement();
                try {
                    SimulatedPeer peer = SimulatedPeer.join(server, http, context, threads[index % 2], "fanout", index);
                    joined.incrementAndGet();
                    present.add(peer);
                    scheduler.schedule(() -> {
                        if (present.remove(peer)) {
                            peer.leave();
                        }
                    }, 2, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("churn join failed: " + e);
                }
            }, 0, periodMillis, TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            scheduler.shutdownNow();
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            for (SimulatedPeer peer : present) {
                peer.leave();
            }
            present.clear();
        }

        int joined() {
            return joined.get();
        }
    }

    /** Waits until every peer receives every stream it should (all publishers but itself). */
    private static void awaitMedia(List<SimulatedPeer> everyone, List<SimulatedPeer> publishers, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (SimulatedPeer p : everyone) {
                long expected = publishers.stream().filter(q -> q != p && sameConference(p, q)).count() * 2;
                all &= p.streams.size() >= expected;
            }
            if (all) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("media did not reach every peer within " + seconds + " s");
    }

    static boolean sameConference(SimulatedPeer a, SimulatedPeer b) {
        return a.conference.equals(b.conference);
    }

    /** Drives every publisher every 20 ms: audio, and video at the configured bitrate with a keyframe each 2 s. */
    private static final class Sender implements Runnable {
        private final List<SimulatedPeer> publishers;
        private final double videoPacketsPerTick;
        private double carry;
        private int tick;
        private volatile boolean stopped;

        Sender(List<SimulatedPeer> publishers, int videoKbps) {
            this.publishers = publishers;
            this.videoPacketsPerTick = videoKbps * 1000.0 / 8 / 1000 / 50;
        }

        @Override
        public void run() {
            if (stopped) {
                return;
            }
            carry += videoPacketsPerTick;
            int packets = (int) carry;
            carry -= packets;
            boolean keyframe = tick++ % 100 == 0;
            int videoPackets = keyframe ? Math.max(packets, 8) : packets;
            for (SimulatedPeer p : publishers) {
                p.client.execute(() -> p.sendTick(videoPackets, 1000, keyframe));
            }
        }

        long sent() {
            long total = 0;
            for (SimulatedPeer p : publishers) {
                total += p.packetsSent;
            }
            return total;
        }

        void stop() {
            stopped = true;
        }
    }
}
