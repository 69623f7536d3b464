package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sfu.client.ClientContext;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.ice.IceTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Scale-out on one machine, every part real: a private redis-server, three SFU nodes as separate processes,
 * a real HAProxy balancing round-robin in front of them (so that most joins land on a node that does not
 * own their conference and must be redirected), and simulated peers with real ICE, DTLS and SRTP. The
 * cases share the cluster and run in order, each leaving it as the next expects; leases and records are
 * short (lease 2 s, record 1 s, heartbeat 250 ms) so that the whole class takes well under 90 s.
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(90)
class ClusterScaleOutTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "cluster-test-admin-token-0123456789abcdef";
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Path DIR = Path.of("target", "cluster-test");

    private LocalRedis redis;
    private Process haproxy;
    private int balancerPort;
    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private ExecutorService handshakes;
    private MediaThread[] threads;
    private ScheduledExecutorService clock;
    private Peers peers;
    private Sender sender;
    /** Conference of the first case -> the node id that hosts it. */
    private final Map<String, String> hostOf = new HashMap<>();
    private String drained;

    /** One SFU process. */
    private static final class Node {
        final String id;
        final int httpPort;
        Process process;

        Node(String id, int httpPort) {
            this.id = id;
            this.httpPort = httpPort;
        }

        URI ws() {
            return URI.create("ws://127.0.0.1:" + httpPort + "/ws");
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        boolean haveHaproxy = LocalRedis.onPath("haproxy");
        if (System.getenv("CI") != null) {
            Assertions.assertTrue(haveHaproxy, "missing in CI, where .ci/run must install it: apt-get install -y haproxy");
        }
        Assumptions.assumeTrue(haveHaproxy, "apt-get install -y haproxy");
        Files.createDirectories(DIR);
        redis = LocalRedis.start();
        for (int i = 1; i <= 3; i++) {
            nodes.add(new Node("n" + i, LocalRedis.freePort()));
        }
        for (Node n : nodes) {
            startNode(n);
        }
        balancerPort = LocalRedis.freePort();
        StringBuilder cfg = new StringBuilder("""
                global
                  maxconn 2000
                defaults
                  mode http
                  timeout connect 1s
                  timeout client 60s
                  timeout server 60s
                  timeout tunnel 1h
                  option redispatch
                  retries 3
                frontend sfu
                  bind 127.0.0.1:%d
                  default_backend nodes
                backend nodes
                  # Round-robin on purpose: most joins reach a node that does not own their conference.
                  balance roundrobin
                  option httpchk GET /health
                  default-server inter 200ms fall 1 rise 2
                """.formatted(balancerPort));
        for (Node n : nodes) {
            cfg.append("  server ").append(n.id).append(" 127.0.0.1:").append(n.httpPort).append(" check\n");
        }
        Path cfgFile = DIR.resolve("haproxy.cfg");
        Files.writeString(cfgFile, cfg);
        haproxy = new ProcessBuilder("haproxy", "-db", "-f", cfgFile.toString()).redirectErrorStream(true)
                .redirectOutput(DIR.resolve("haproxy.log").toFile()).start();
        for (Node n : nodes) {
            awaitHealthy(n);
        }
        awaitPort(balancerPort);
        // Every node sees all three in the registry before the first join.
        for (Node n : nodes) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (nodesSeenBy(n) < 3) {
                assertTrue(System.nanoTime() < deadline, n.id + " sees the other nodes");
                Thread.sleep(100);
            }
        }
        handshakes = Executors.newCachedThreadPool();
        threads = new MediaThread[] {new MediaThread("peers-0"), new MediaThread("peers-1")};
        clock = Executors.newSingleThreadScheduledExecutor();
        ClientContext context = ClientContext.onAddress(InetAddress.getLoopbackAddress(), handshakes, IceTransport.Mode.UDP);
        peers = new Peers(URI.create("ws://127.0.0.1:" + balancerPort + "/ws"), http, context, threads, 1, 50);
        sender = new Sender(peers, 300, 1);
        clock.scheduleAtFixedRate(sender, 0, 20, TimeUnit.MILLISECONDS);
    }

    private void startNode(Node n) throws IOException {
        Path config = DIR.resolve(n.id + ".conf");
        Files.writeString(config, """
                sfu.cluster {
                  redis-url = "%s"
                  node-id = "%s"
                  heartbeat = 250ms
                  record-ttl = 1s
                  lease-ttl = %dms
                  # A busy CI machine must not make a node count as full (PlacementTest covers that)
                  full-stress = 100
                }
                sfu.drain.timeout = 60s
                """.formatted(redis.url(), n.id, LEASE.toMillis()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder b = new ProcessBuilder(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.sfu.signaling.Main", "--config", config.toString());
        Map<String, String> env = b.environment();
        env.put("SFU_HTTP_PORT", Integer.toString(n.httpPort));
        env.put("SFU_HTTP_BIND_ADDRESS", "127.0.0.1");
        env.put("SFU_MEDIA_PORT", Integer.toString(LocalRedis.freePort()));
        env.put("SFU_MEDIA_BIND_ADDRESS", "127.0.0.1");
        env.put("SFU_ADVERTISED_ADDRESS", "127.0.0.1");
        env.put("SFU_ICE_TCP_PORT", "0");
        env.put("SFU_MEDIA_THREADS", "1");
        env.put("SFU_MAX_SIGNALING_CONNECTIONS_PER_ADDRESS", "10000");
        env.put("SFU_ADMIN_TOKEN", ADMIN);
        env.remove("SFU_REDIS_URL");
        n.process = b.redirectErrorStream(true).redirectOutput(DIR.resolve(n.id + ".log").toFile()).start();
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (sender != null) {
            sender.stop();
            clock.shutdownNow();
            for (SimulatedPeer p : peers.everyone) {
                p.leave();
            }
            for (MediaThread t : threads) {
                t.close();
            }
            handshakes.shutdownNow();
        }
        for (Node n : nodes) {
            if (n.process != null) {
                n.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (haproxy != null) {
            haproxy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (redis != null) {
            redis.close();
        }
    }

    // ---- the cases ----

    @Test
    @Order(1)
    void twelveClientsInThreeConferencesMeetEachOnOneNode() throws Exception {
        List<String> conferences = List.of("alpha", "beta", "gamma");
        // A conference's four joins in a row: round-robin sends them to three different nodes, so at least
        // two of each are redirected (interleaved, alpha-beta-gamma, every join of a conference would reach
        // the same node, and placement keeps a conference where its first join landed).
        for (String c : conferences) {
            for (int p = 0; p < 4; p++) {
                peers.publisher(c, false);
            }
        }
        LoadTest.awaitMedia(peers.everyone, peers.publishers, 30);
        // Each conference is listed by exactly one node, with all four of its endpoints there.
        Map<String, Set<String>> endpointsOf = new HashMap<>();
        for (Node n : nodes) {
            for (JsonNode c : adminGet(n, "/api/conferences")) {
                if (c.path("node").asText().equals(n.id)) {
                    assertEquals(null, hostOf.put(c.path("conference").asText(), n.id), "one node per conference");
                    Set<String> ids = new HashSet<>();
                    c.path("endpoints").forEach(e -> ids.add(e.path("endpointId").asText()));
                    endpointsOf.put(c.path("conference").asText(), ids);
                }
            }
        }
        assertEquals(Set.copyOf(conferences), hostOf.keySet(), "every conference has its node: " + hostOf);
        for (SimulatedPeer p : peers.everyone) {
            assertTrue(endpointsOf.get(p.conference).contains(p.endpointId), p.endpointId + " is on " + hostOf.get(p.conference));
        }
        // Every peer hears and sees the three others of its conference, and nothing is lost.
        Map<SimulatedPeer, Long> before = received(peers.everyone);
        long lostBefore = lost(peers.everyone);
        Thread.sleep(1500);
        for (SimulatedPeer p : peers.everyone) {
            assertEquals(6, p.streams.size(), "audio and video of 3 others reach " + p.endpointId);
            assertTrue(received(List.of(p)).get(p) - before.get(p) > 6 * 30, "media keeps flowing to " + p.endpointId);
        }
        assertEquals(lostBefore, lost(peers.everyone), "no packet lost");
        assertTrue(metricSum("sfu_cluster_redirects_total") > 0, "round-robin sent joins to nodes that redirected them");
        System.out.println("conferences on nodes: " + hostOf + ", redirects: " + metricSum("sfu_cluster_redirects_total"));
    }

    @Test
    @Order(2)
    void concurrentFirstJoinsOnTwoNodesGiveOneOwner() throws Exception {
        for (int round = 0; round < 5; round++) {
            String conference = "race-" + round;
            Node a = nodes.get(round % 3);
            Node b = nodes.get((round + 1) % 3);
            Ws wa = new Ws(a.ws());
            Ws wb = new Ws(b.ws());
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<JsonNode> ra = CompletableFuture.supplyAsync(() -> joinAfter(go, wa, conference));
            CompletableFuture<JsonNode> rb = CompletableFuture.supplyAsync(() -> joinAfter(go, wb, conference));
            go.countDown();
            int ownerA = ownerPort(ra.get(10, TimeUnit.SECONDS), a);
            int ownerB = ownerPort(rb.get(10, TimeUnit.SECONDS), b);
            assertEquals(ownerA, ownerB, conference + ": both joins point at one owner");
            wa.close();
            wb.close();
        }
    }

    @Test
    @Order(3)
    void aDrainedNodeGetsNoNewConferenceAndItsCallsFlow() throws Exception {
        drained = hostOf.get("alpha");
        Node node = node(drained);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort
                + "/api/drain")).header("Authorization", "Bearer " + ADMIN).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode());
        assertEquals(503, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "/health says draining at once");
        Node other = nodes.stream().filter(n -> !n.id.equals(drained)).findFirst().orElseThrow();
        awaitTrue(() -> state(other, drained).equals("draining"), 3, "the registry shows the node draining");
        List<SimulatedPeer> alpha = peers.everyone.stream().filter(p -> p.conference.equals("alpha")).toList();
        Map<SimulatedPeer, Long> before = received(alpha);
        long lostBefore = lost(alpha);
        // New conferences asked for at the drained node itself go elsewhere.
        for (int i = 0; i < 4; i++) {
            try (Ws w = new Ws(node.ws())) {
                JsonNode reply = w.request("{\"type\":\"join\",\"conference\":\"after-drain-" + i + "\",\"id\":7}");
                assertEquals("redirect", reply.path("type").asText(), reply.toString());
                assertNotEquals(node.httpPort, URI.create(reply.path("url").asText()).getPort());
            }
        }
        // A join to the conference it hosts is still taken there.
        try (Ws w = new Ws(node.ws())) {
            assertEquals("joined", w.request("{\"type\":\"join\",\"conference\":\"alpha\",\"id\":8}").path("type").asText());
        }
        Thread.sleep(1500);
        for (SimulatedPeer p : alpha) {
            assertTrue(received(List.of(p)).get(p) - before.get(p) > 6 * 30, "the drained node's call flows to " + p.endpointId);
        }
        assertEquals(lostBefore, lost(alpha), "no gap in the drained node's call");
    }

    @Test
    @Order(4)
    void redisOutageLosesNoMediaAndPlacementResumes() throws Exception {
        Map<SimulatedPeer, Long> before = received(peers.everyone);
        long lostBefore = lost(peers.everyone);
        long start = System.nanoTime();
        redis.stop();
        Node serving = node(hostOf.get("beta"));
        awaitTrue(() -> metric(serving, "sfu_cluster_redis_up") == 0, 3, "the node's metric says Redis is down");
        try (Ws w = new Ws(serving.ws())) {
            JsonNode reply = w.request("{\"type\":\"join\",\"conference\":\"during-outage\",\"id\":1}");
            assertEquals("unavailable", reply.path("code").asText(), "no new conference without Redis: " + reply);
        }
        try (Ws w = new Ws(serving.ws())) {
            assertEquals("joined", w.request("{\"type\":\"join\",\"conference\":\"beta\",\"id\":2}").path("type").asText(),
                    "a join to a conference the node owns goes on");
        }
        Thread.sleep(Math.max(0, 2000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        redis.startAgain();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode reply;
        do {
            Thread.sleep(200);
            try (Ws w = new Ws(serving.ws())) {
                reply = w.request("{\"type\":\"join\",\"conference\":\"after-outage\",\"id\":3}");
            }
        } while (!reply.path("type").asText().equals("joined") && !reply.path("type").asText().equals("redirect")
                && System.nanoTime() < deadline);
        assertTrue(Set.of("joined", "redirect").contains(reply.path("type").asText()), "placement resumes: " + reply);
        for (SimulatedPeer p : peers.everyone) {
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(received(List.of(p)).get(p) - before.get(p) > 6 * 30 * seconds / 2,
                    "media kept flowing to " + p.endpointId + " through the outage");
        }
        assertEquals(lostBefore, lost(peers.everyone), "no packet lost through the outage");
        // The nodes took their leases back: the conferences are listed on their nodes again.
        Node any = nodes.get(0);
        awaitTrue(() -> conferencesOnNodes(any).entrySet().containsAll(hostOf.entrySet()), 5,
                "the leases are back after the restart");
    }

    @Test
    @Order(5)
    void aKilledNodesConferencesMoveOnTheNextJoinAndOthersLoseNothing() throws Exception {
        String victimConference = List.of("gamma", "beta").stream().filter(c -> !hostOf.get(c).equals(drained))
                .findFirst().orElseThrow();
        String victimId = hostOf.get(victimConference);
        Node victim = node(victimId);
        List<SimulatedPeer> survivors = peers.everyone.stream()
                .filter(p -> !hostOf.get(p.conference).equals(victim.id)).toList();
        assertFalse(survivors.isEmpty());
        // The victim holds the conference's lease again (retaken after the Redis restart): another node
        // redirects a join there.
        Node witness = nodes.stream().filter(n -> n != victim && !n.id.equals(drained)).findFirst().orElseThrow();
        awaitTrue(() -> {
            try (Ws w = new Ws(witness.ws())) {
                JsonNode r = w.request("{\"type\":\"join\",\"conference\":\"" + victimConference + "\",\"id\":1}");
                return r.path("type").asText().equals("redirect") && URI.create(r.path("url").asText()).getPort() == victim.httpPort;
            }
        }, 5, victimConference + "'s lease names " + victim.id);
        Map<SimulatedPeer, Long> before = received(survivors);
        long lostBefore = lost(survivors);
        long killed = System.nanoTime();
        victim.process.destroyForcibly(); // SIGKILL: no goodbye, no lease released
        victim.process.waitFor(5, TimeUnit.SECONDS);
        // The next join of its conference, through the balancer, lands on a live node.
        long deadline = killed + LEASE.toNanos() + TimeUnit.SECONDS.toNanos(4);
        SimulatedPeer rejoined = null;
        while (rejoined == null) {
            try {
                rejoined = peers.subscriber(victimConference);
            } catch (Exception notYet) {
                assertTrue(System.nanoTime() < deadline, "no node took " + victimConference + ": " + notYet);
                Thread.sleep(100);
            }
        }
        double seconds = (System.nanoTime() - killed) / 1e9;
        System.out.printf("%s re-placed %.1f s after its node was killed%n", victimConference, seconds);
        assertTrue(seconds <= LEASE.toSeconds() + 2, "re-placed within the lease time (plus a join): " + seconds + " s");
        awaitTrue(() -> {
            String host = conferencesOnNodes(witness).get(victimConference);
            return host != null && !host.equals(victim.id);
        }, 3, victimConference + " runs on a live node");
        Thread.sleep(1000);
        for (SimulatedPeer p : survivors) {
            assertTrue(received(List.of(p)).get(p) - before.get(p) > 6 * 30, "calls on other nodes go on: " + p.endpointId);
        }
        assertEquals(lostBefore, lost(survivors), "calls on other nodes lose nothing");
    }

    // ---- helpers ----

    private Node node(String id) {
        return nodes.stream().filter(n -> n.id.equals(id)).findFirst().orElseThrow();
    }

    private static Map<SimulatedPeer, Long> received(List<SimulatedPeer> list) {
        Map<SimulatedPeer, Long> m = new HashMap<>();
        for (SimulatedPeer p : list) {
            long r = 0;
            for (StreamStats s : p.streams.values()) {
                r += s.received;
            }
            m.put(p, r);
        }
        return m;
    }

    /**
     * Packets lost for good: counted after a pause, so that a gap being repaired (NACK, then RTX) is not
     * taken for a loss.
     */
    private static long lost(List<SimulatedPeer> list) throws InterruptedException {
        Thread.sleep(500);
        StringBuilder where = new StringBuilder();
        for (SimulatedPeer p : list) {
            for (Map.Entry<String, StreamStats> e : p.streams.entrySet()) {
                if (e.getValue().lost() > 0) {
                    where.append(' ').append(p.conference).append('/').append(p.endpointId).append(':').append(e.getKey())
                            .append('=').append(e.getValue().lost());
                }
            }
        }
        if (where.length() > 0) {
            System.out.println("lost so far:" + where);
        }
        long lost = 0;
        for (SimulatedPeer p : list) {
            for (StreamStats s : p.streams.values()) {
                lost += s.lost();
            }
        }
        return lost;
    }

    /** conference -> node, as one node sees the cluster. */
    private Map<String, String> conferencesOnNodes(Node n) {
        Map<String, String> m = new HashMap<>();
        try {
            for (JsonNode c : adminGet(n, "/api/conferences")) {
                m.put(c.path("conference").asText(), c.path("node").asText());
            }
        } catch (Exception e) {
            // not answering yet: an empty view
        }
        return m;
    }

    /** How many nodes {@code n} lists; 0 while it is still joining the cluster. */
    private int nodesSeenBy(Node n) throws Exception {
        try {
            return adminGet(n, "/api/nodes").size();
        } catch (AssertionError notYet) {
            return 0;
        }
    }

    private String state(Node n, String nodeId) throws Exception {
        for (JsonNode r : adminGet(n, "/api/nodes")) {
            if (r.path("id").asText().equals(nodeId)) {
                return r.path("state").asText();
            }
        }
        return "missing";
    }

    private JsonNode adminGet(Node n, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort + path))
                .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private double metric(Node n, String name) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : body.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private double metricSum(String name) {
        double sum = 0;
        for (Node n : nodes) {
            sum += metric(n, name);
        }
        return sum;
    }

    private static int ownerPort(JsonNode reply, Node connectedTo) {
        return switch (reply.path("type").asText()) {
            case "joined" -> connectedTo.httpPort;
            case "redirect" -> URI.create(reply.path("url").asText()).getPort();
            default -> throw new AssertionError("neither joined nor redirect: " + reply);
        };
    }

    private static JsonNode joinAfter(CountDownLatch go, Ws ws, String conference) {
        try {
            go.await();
            return ws.request("{\"type\":\"join\",\"conference\":\"" + conference + "\",\"id\":1}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check check, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.ok()) {
            assertTrue(System.nanoTime() < deadline, what + " within " + seconds + " s");
            Thread.sleep(100);
        }
    }

    private void awaitHealthy(Node n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (true) {
            assertTrue(n.process.isAlive(), n.id + " exited: see " + DIR.resolve(n.id + ".log"));
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            assertTrue(System.nanoTime() < deadline, n.id + " did not start: see " + DIR.resolve(n.id + ".log"));
            Thread.sleep(100);
        }
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                assertTrue(System.nanoTime() < deadline, "HAProxy did not start: see " + DIR.resolve("haproxy.log"));
                Thread.sleep(50);
            }
        }
    }

    /** A bare signaling WebSocket: requests and their replies by id. */
    private static final class Ws implements AutoCloseable {
        private final java.util.concurrent.BlockingQueue<JsonNode> received = new java.util.concurrent.LinkedBlockingQueue<>();
        private final WebSocket socket;

        Ws(URI uri) throws Exception {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        try {
                            received.add(JSON.readTree(text.toString()));
                        } catch (IOException e) {
                            received.add(JSON.createObjectNode().put("type", "unparseable"));
                        }
                        text.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
        }

        JsonNode request(String json) throws Exception {
            socket.sendText(json, true).get(10, TimeUnit.SECONDS);
            JsonNode id = JSON.readTree(json).get("id");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && id.equals(m.get("id"))) {
                    return m;
                }
            }
            throw new AssertionError("no reply to " + json);
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

}
