package dev.sfu.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sfu.client.ClientContext;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.ice.IceTransport;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.ServerConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    /** The per-second samples of the last run (for the HTML report). */
    private static volatile List<TimeSeries.Sample> lastSeries = List.of();
    static volatile List<Double> lastJoins = List.of();

    private LoadTest() {
    }

    static final String USAGE = """
            usage: java -jar load-tests/target/load-tests.jar [--option value]...
              --server ws://HOST:PORT/ws   server to test (default: one started in this process); a cluster's
                                           balancer works too: peers follow redirects, and the report says
                                           how many landed on each node (with SFU_ADMIN_TOKEN set, also the
                                           nodes' own load from /api/nodes)
              --scenario fanout|meetings|churn|ramp|data
                                           fanout: 1 publisher -> N subscribers; meetings: K conferences x M
                                           participants; churn: fan-out while peers join and leave; ramp:
                                           fan-out growing until loss > 0.5 % or p99 latency > 50 ms (the knee);
                                           data: K conferences x M participants exchanging data-channel
                                           messages on a reliable, an unreliable and a 100 ms-lifetime channel
              --drops-per-second D         fanout, meetings, churn: drop a random subscriber's WebSocket (no close
                                           frame) this often; it resumes its session on a new one, and the
                                           report counts resumes and their time [0]
              --messages-per-second R      data: messages each peer sends per second on each channel [20]
              --message-bytes B            data: size of each message [200]
              --churn-per-second R         churn: peers joining (each leaving 2 s later) per second [1]
              --subscribers N              fan-out size [10]
              --conferences K              meetings [2]
              --participants M             people per meeting, all publishing [4]
              --seconds S                  measured window [10]
              --video-kbps B               top simulcast layer's bitrate [1500]; the others B/3 and B/8
              --layers L                   simulcast layers per publisher, 1..3 [3]
              --ramp-step N                ramp: subscribers added per step [10]
              --ramp-max N                 ramp: stop at this many subscribers [200]
              --ramp-step-seconds S        ramp: measured seconds per step [4]
              --joins-per-second J         pace of the peers joining before the window [10]
              --ice udp|tcp                how peers reach the server: UDP, or ICE-TCP only (the local
                                           server then listens for it; a remote one needs SFU_ICE_TCP_PORT) [udp]
              --bind ADDRESS               local address the peers' ICE sockets bind and offer as candidates;
                                           0.0.0.0 = the address this machine routes to the server [127.0.0.1]
              --token TOKEN[,TOKEN...]     join tokens for a server with SFU_AUTH_SECRET set, one per peer in join
                                           order (the server keeps one endpoint per identity); @FILE: one a line
              --auth-secret SECRET         mint each peer's token instead (HS256; room = its conference, sub =
                                           load-peer-N, 10 min); @FILE reads the secret from a file (not in ps)
              --threads N                  threads the peers run on (crypto, checks) [min(4, cores)]
              --output FILE                JSON report [load-report.json]
              --html FILE                  HTML report [the JSON report's name with .html]""";

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
        if (options.scenario().equals("data")) {
            DataScenario.Report data = runData(options);
            System.out.print(data.table());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.output().toFile(), data);
            System.out.println("report written to " + options.output().toAbsolutePath());
            System.exit(0);
        }
        LoadReport report = run(options);
        if (System.getenv("SFU_LOAD_DEBUG_JOINS") != null) {
            System.out.println("joins: " + lastJoins);
        }
        System.out.println(report.table());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.output().toFile(), report);
        Path html = options.htmlPath();
        HtmlReport.write(html, report, lastSeries, options.flags());
        System.out.println("report written to " + options.output().toAbsolutePath() + " and " + html.toAbsolutePath());
        System.exit(0);
    }

    /** A TCP port free a moment ago on loopback, for the local server's ICE-TCP (0 there means off). */
    private static int freeTcpPort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The server under test (started here unless --server names one) and the peers' shared parts. */
    private static final class Harness implements AutoCloseable {
        final Main.Server local;
        final URI server;
        final ExecutorService handshakes = Executors.newCachedThreadPool(); // a blocked thread per handshake
        final MediaThread[] threads;
        final HttpClient http = HttpClient.newHttpClient();
        final ClientContext context;

        Harness(Options options) throws Exception {
            URI target = options.server();
            Main.Server started = null;
            if (target == null) {
                String tcpPort = options.ice() == IceTransport.Mode.TCP ? Integer.toString(freeTcpPort()) : "0";
                started = Main.Server.start(ServerConfig.load(new String[0], Map.of("SFU_HTTP_PORT", "0",
                        "SFU_HTTP_BIND_ADDRESS", "127.0.0.1", "SFU_MEDIA_PORT", "0", "SFU_MEDIA_BIND_ADDRESS", "127.0.0.1",
                        "SFU_ICE_TCP_PORT", tcpPort,
                        "SFU_ADVERTISED_ADDRESS", "127.0.0.1", "SFU_MAX_ENDPOINTS_PER_CONFERENCE", "1000",
                        // Every simulated peer connects from 127.0.0.1: lift the per-address cap (32).
                        "SFU_MAX_SIGNALING_CONNECTIONS_PER_ADDRESS", "100000")));
                target = URI.create("ws://127.0.0.1:" + started.httpPort() + "/ws");
            }
            this.local = started;
            this.server = target;
            // Each peer stays on one thread (its state is unlocked); peers are dealt to threads in turn.
            this.threads = new MediaThread[options.threads()];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new MediaThread("peers-" + i);
            }
            InetAddress bind = PeerAddress.resolve(options.bind(), options.server());
            this.context = ClientContext.onAddress(bind, handshakes, options.ice());
        }

        @Override
        public void close() throws Exception {
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

    /** Runs the data-channel scenario. */
    static DataScenario.Report runData(Options options) throws Exception {
        try (Harness h = new Harness(options)) {
            return DataScenario.run(options, h.server, h.http, h.context, h.threads);
        }
    }

    /** Runs a scenario and returns its figures. */
    public static LoadReport run(Options options) throws Exception {
        try (Harness h = new Harness(options)) {
            return run(options, h);
        }
    }

    private static LoadReport run(Options options, Harness h) throws Exception {
        URI server = h.server;
        Main.Server local = h.local;
        MediaThread[] threads = h.threads;
        HttpClient http = h.http;
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        double idleCores = Double.NaN;
        Peers peers = new Peers(server, http, h.context, threads, options.layers(), options.joinsPerSecond(),
                options.tokens());
        Sender sender = new Sender(peers, options.videoKbps(), options.layers());
        clock.scheduleAtFixedRate(sender, 0, 20, TimeUnit.MILLISECONDS);
        try {
            // Publishers first, as in a real call where people join a conference that already has media:
            // then join-to-first-packet measures a join, not the wait for someone to start sending.
            if (options.scenario().equals("meetings")) {
                for (int c = 0; c < options.conferences(); c++) {
                    for (int p = 0; p < options.participants(); p++) {
                        peers.publisher("meeting-" + c, p > 0);
                    }
                }
            } else {
                if (options.scenario().equals("ramp")) {
                    idleCores = idleServerCores(http, server);
                }
                peers.publisher("fanout", false);
                int initial = options.scenario().equals("ramp") ? options.rampStep() : options.subscribers();
                for (int s = 0; s < initial; s++) {
                    peers.subscriber("fanout");
                }
            }
            awaitMedia(peers.everyone, peers.publishers, 30);
            if (options.scenario().equals("ramp")) {
                return ramp(options, peers, sender, http, server, local != null, idleCores);
            }
            peers.clearStatistics();
            long sentBefore = sender.sent();
            ServerMetrics before = ServerMetrics.read(http, server);
            long start = System.nanoTime();
            TimeSeries series = new TimeSeries();
            Churn churn = options.scenario().equals("churn")
                    ? new Churn(peers, options.churnPerSecond()) : null;
            if (churn != null) {
                churn.start();
            }
            Drops drops = options.dropsPerSecond() > 0 ? new Drops(peers, http, options.dropsPerSecond()) : null;
            if (drops != null) {
                drops.start();
            }
            for (int second = 0; second < options.seconds(); second++) {
                Thread.sleep(1000);
                series.sample(peers.everyone);
                progress(second + 1, options.seconds(), peers.everyone);
            }
            lastSeries = series.samples();
            ServerMetrics after = ServerMetrics.read(http, server);
            long elapsed = System.nanoTime() - start;
            long sent = sender.sent() - sentBefore;
            if (churn != null) {
                churn.stop();
                System.out.println("churn: " + churn.joined() + " peers joined and left during the window");
            }
            LoadReport.Resumes resumes = drops == null ? LoadReport.Resumes.NONE : drops.stop();
            Thread.sleep(500); // let the last packets arrive
            System.out.print(perNode(peers.everyone));
            System.out.print(clusterNodes(http, server));
            return LoadReport.of(options, peers.everyone, peers.publishers, peers.joiners, sent, elapsed, before, after,
                    local != null, List.of()).withResumes(resumes);
        } finally {
            sender.stop();
            clock.shutdownNow();
            for (SimulatedPeer p : peers.everyone) {
                p.leave();
            }
        }
    }

    /**
     * Adds subscribers to the fan-out a step at a time and measures each step (after a second to settle)
     * until the loss exceeds 0.5 % or p99 latency 50 ms, or the maximum is reached: the last step within
     * both limits is the knee.
     */
    private static LoadReport ramp(Options options, Peers peers, Sender sender, HttpClient http, URI server,
            boolean inProcess, double idleCores) throws Exception {
        List<LoadReport.RampStep> steps = new ArrayList<>();
        LoadReport last = null;
        LoadReport first = null;
        TimeSeries series = new TimeSeries();
        // The first seconds of media are the server's JIT compiling the forwarding path: a first step
        // measured then cost 290 µs per packet against 50 for the next ones, and tilted the cost line.
        Thread.sleep(Math.min(RAMP_WARM_UP_MILLIS, options.rampStepSeconds() * 1000L));
        while (true) {
            Thread.sleep(1000);
            peers.clearStatistics();
            series.rebase();
            long sentBefore = sender.sent();
            ServerMetrics before = ServerMetrics.read(http, server);
            long start = System.nanoTime();
            for (int second = 0; second < options.rampStepSeconds(); second++) {
                Thread.sleep(1000);
                series.sample(peers.everyone);
            }
            ServerMetrics after = ServerMetrics.read(http, server);
            long elapsed = System.nanoTime() - start;
            LoadReport step = LoadReport.of(options, peers.everyone, peers.publishers, peers.joiners, sender.sent() - sentBefore,
                    elapsed, before, after, inProcess, List.of());
            boolean within = step.lossPercent() <= 0.5 && step.latencyP99Ms() <= 50;
            first = first == null ? step : first;
            int subscribers = peers.everyone.size() - peers.publishers.size();
            steps.add(new LoadReport.RampStep(subscribers, peers.everyone.size(), step.forwardedPerSecond(),
                    step.lossPercent(), step.latencyP99Ms(), (after.cpuNanos() - before.cpuNanos()) / elapsed,
                    step.serverCpuMicrosPerForwardedPacket(), within));
            lastSeries = series.samples();
            System.out.printf("ramp: %d subscribers  %,.0f forwarded/s  loss %.3f %%  p99 %.1f ms  %.1f µs/pkt%s%n",
                    subscribers, step.forwardedPerSecond(), step.lossPercent(), step.latencyP99Ms(),
                    step.serverCpuMicrosPerForwardedPacket(), within ? "" : "  <- past the knee");
            if (!within) {
                break;
            }
            last = step;
            if (subscribers + options.rampStep() > options.rampMax()) {
                break;
            }
            try {
                for (int i = 0; i < options.rampStep(); i++) {
                    peers.subscriber("fanout");
                }
                awaitMedia(peers.everyone, peers.publishers, 30);
            } catch (Exception e) {
                System.out.println("ramp: stopped, a join failed: " + e);
                break;
            }
        }
        // Without a step within the limits there is no knee: the figures are then the first step's (the
        // table and the report say "past the knee" on it).
        return (last != null ? last : first).withRamp(steps, idleCores);
    }

    /**
     * Media before the ramp's first measured step, at most: one step's length (short steps are a test's),
     * then the usual second of settling.
     */
    static final long RAMP_WARM_UP_MILLIS = 5000;

    /**
     * The server's CPU with nobody joined, in cores, over two seconds: the floor under the ramp's fixed
     * cost. NaN when the server's /metrics cannot be read.
     */
    private static double idleServerCores(HttpClient http, URI server) throws InterruptedException {
        ServerMetrics before = ServerMetrics.read(http, server);
        long start = System.nanoTime();
        Thread.sleep(2000);
        ServerMetrics after = ServerMetrics.read(http, server);
        return (after.cpuNanos() - before.cpuNanos()) / (System.nanoTime() - start);
    }

    private static void progress(int second, int of, List<SimulatedPeer> everyone) {
        long received = 0;
        long lost = 0;
        for (SimulatedPeer p : everyone) {
            for (StreamStats s : p.streams.values()) {
                received += s.received;
                lost += s.lost();
            }
        }
        String line = String.format("[%d/%d s] %d peers, %,d packets received, %,d lost", second, of, everyone.size(),
                received, lost);
        if (System.console() != null) {
            // A terminal: one line rewritten in place (padded over a longer previous one).
            System.out.print("\r" + line + "   ");
            if (second == of) {
                System.out.println();
            }
        } else if (second % Math.max(1, of / 20) == 0 || second == of) {
            // A log or a pipe: plain lines, at most about twenty of them.
            System.out.println(line);
        }
    }

    /** Waits until every peer receives every stream it should (audio and video of all publishers but itself). */
    static void awaitMedia(List<SimulatedPeer> everyone, List<SimulatedPeer> publishers, int seconds)
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

    /** Where the peers ended up after redirects: one line per node (one line in all against a single server). */
    static String perNode(List<SimulatedPeer> everyone) {
        Map<String, List<SimulatedPeer>> byNode = new java.util.TreeMap<>();
        for (SimulatedPeer p : everyone) {
            URI node = p.node;
            String key = node == null ? "?" : node.getScheme() + "://" + node.getAuthority() + node.getPath();
            byNode.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }
        StringBuilder b = new StringBuilder();
        byNode.forEach((node, list) -> b.append(String.format("node %s: %d peers in %d conferences%n", node, list.size(),
                list.stream().map(p -> p.conference).distinct().count())));
        return b.toString();
    }

    /**
     * The cluster's own view of its nodes' load ({@code /api/nodes}), when the harness has the admin token
     * ({@code SFU_ADMIN_TOKEN}) and the server is a cluster; empty otherwise.
     */
    static String clusterNodes(HttpClient http, URI server) {
        String token = System.getenv("SFU_ADMIN_TOKEN");
        if (token == null || token.isBlank()) {
            return "";
        }
        try {
            URI nodes = URI.create((server.getScheme().equals("wss") ? "https" : "http") + "://" + server.getAuthority()
                    + "/api/nodes");
            var response = http.send(java.net.http.HttpRequest.newBuilder(nodes).header("Authorization", "Bearer " + token)
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return "";
            }
            StringBuilder b = new StringBuilder();
            for (var n : new ObjectMapper().readTree(response.body())) {
                b.append(String.format("cluster node %s (%s): %d endpoints, %d conferences, %,.0f packets/s, cpu %.0f %%,"
                        + " stress %.2f%n", n.path("id").asText(), n.path("state").asText(), n.path("endpoints").asInt(),
                        n.path("conferences").asInt(), n.path("packetsPerSecond").asDouble(),
                        100 * n.path("cpu").asDouble(), n.path("stress").asDouble()));
            }
            return b.toString();
        } catch (Exception e) {
            return "cluster nodes: not readable (" + e.getMessage() + ")\n";
        }
    }

    static boolean sameConference(SimulatedPeer a, SimulatedPeer b) {
        return a.conference.equals(b.conference);
    }

}
