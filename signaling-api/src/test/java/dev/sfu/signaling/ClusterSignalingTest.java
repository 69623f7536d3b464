package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The protocol's cluster messages between two in-process nodes sharing a real redis-server: the redirect of
 * a join (same id, then close 1000), the conference in the URL, the drain deadline's redirect without id
 * to the node that took the conference over, and the admin routes.
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class) // the drain case last: it drains node a

@Timeout(60)
class ClusterSignalingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "cluster-signaling-test-admin-token-0123456789";
    private LocalRedis redis;
    private Main.Server a;
    private Main.Server b;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        redis = LocalRedis.start();
        a = node("a", "3s");
        b = node("b", "30s");
        for (Main.Server s : new Main.Server[] {a, b}) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (admin(s, "/api/nodes").body().split("\"id\"").length - 1 < 2) {
                assertTrue(System.nanoTime() < deadline, "both nodes registered");
                Thread.sleep(50);
            }
        }
    }

    /**
     * Both nodes live in this test JVM, whose CPU the rest of the suite keeps busy: with the default
     * full-stress (0.9 of the process's CPU) a node could count as full and a join get "unavailable".
     * Placement by stress has its own unit tests; here no node is ever full.
     */
    private Main.Server node(String id, String drain) throws Exception {
        Properties env = new Properties();
        env.put("SFU_ADMIN_TOKEN", ADMIN);
        return TestServers.start(env, """
                sfu.cluster { redis-url = "%s", node-id = "%s", heartbeat = 100ms, record-ttl = 1s, lease-ttl = 2s,
                  full-stress = 100 }
                sfu.drain.timeout = %s
                """.formatted(redis.url(), id, drain));
    }

    @AfterAll
    void stop() throws Exception {
        for (Main.Server s : new Main.Server[] {a, b}) {
            if (s != null) {
                s.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aJoinOnTheWrongNodeIsRedirectedWithItsIdThenClosed() throws Exception {
        Ws first = new Ws(b, "");
        JsonNode placed = first.request("{\"type\":\"join\",\"conference\":\"room1\",\"id\":1}");
        if (placed.path("type").asText().equals("redirect")) {
            // Placement chose a: follow, as a client does.
            first.close();
            assertEquals("ws://127.0.0.1:" + a.httpPort() + "/ws?conference=room1", placed.path("url").asText());
            first = new Ws(a, "?conference=room1");
            placed = first.request("{\"type\":\"join\",\"conference\":\"room1\",\"id\":1}");
        }
        try (Ws owner = first) {
            assertEquals("joined", placed.path("type").asText(), placed.toString());
            // room1 was placed on a node; whichever it is, a join on the other one is redirected to it.
            Main.Server host = hosting("room1");
            Main.Server other = host == a ? b : a;
            try (Ws w = new Ws(other, "?conference=room1")) {
                JsonNode reply = w.request("{\"type\":\"join\",\"conference\":\"room1\",\"id\":\"j-7\"}");
                assertEquals("redirect", reply.path("type").asText(), reply.toString());
                assertEquals("j-7", reply.path("id").asText(), "the redirect carries the join's id");
                assertEquals("ws://127.0.0.1:" + host.httpPort() + "/ws?conference=room1", reply.path("url").asText());
                assertEquals(1000, w.closed.get(5, TimeUnit.SECONDS), "then the server closes the socket");
            }
        }
    }

    @Test
    void aJoinNamingAnotherConferenceThanTheUrlIsABadRequest() throws Exception {
        try (Ws w = new Ws(a, "?conference=one")) {
            JsonNode reply = w.request("{\"type\":\"join\",\"conference\":\"two\",\"id\":1}");
            assertEquals("bad-request", reply.path("code").asText(), reply.toString());
            assertFalse(reply.path("message").asText().contains("dev.sfu"), "no class name reaches a client");
        }
    }

    @Test
    void zTheDrainDeadlineSendsClientsToTheNodeThatTookTheirConference() throws Exception {
        // Place "moving" on a directly; a join redirected to b is followed, so either way a hosts or b does.
        Ws client = new Ws(a, "");
        JsonNode reply = client.request("{\"type\":\"join\",\"conference\":\"moving\",\"id\":1}");
        if (reply.path("type").asText().equals("redirect")) {
            client.close();
            // Placed on b: this case needs it on a, the node that drains. Use another name until a takes one.
            for (int i = 0; reply.path("type").asText().equals("redirect"); i++) {
                assertTrue(i < 20, "a takes some of 20 new conferences");
                client = new Ws(a, "");
                reply = client.request("{\"type\":\"join\",\"conference\":\"moving-" + i + "\",\"id\":1}");
                if (reply.path("type").asText().equals("redirect")) {
                    client.close();
                }
            }
        }
        String conference = reply.path("conference").asText();
        assertEquals("joined", reply.path("type").asText(), reply.toString());
        assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.httpPort() + "/api/drain"))
                .header("Authorization", "Bearer " + ADMIN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        Thread.sleep(1000);
        assertFalse(client.closed.isDone(), "the call goes on while the node drains");
        JsonNode redirect = client.next("redirect", 10);
        assertFalse(redirect.has("id"), "a server-initiated redirect has no id");
        assertEquals("ws://127.0.0.1:" + b.httpPort() + "/ws?conference=" + conference, redirect.path("url").asText());
        assertEquals(1000, client.closed.get(5, TimeUnit.SECONDS));
        try (Ws there = new Ws(b, "?conference=" + conference)) {
            assertEquals("joined", there.request("{\"type\":\"join\",\"conference\":\"" + conference + "\",\"id\":2}")
                    .path("type").asText(), "the node named takes the conference");
        }
    }

    @Test
    void theClusterRoutesNeedTheAdminToken() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.httpPort() + "/api/nodes"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.httpPort() + "/api/drain"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), "nobody drains a node without the token");
    }

    /** The node whose own /api/conferences lists the conference with endpoints. */
    private Main.Server hosting(String conference) throws Exception {
        for (Main.Server s : new Main.Server[] {a, b}) {
            for (JsonNode c : JSON.readTree(admin(s, "/api/conferences").body())) {
                if (c.path("conference").asText().equals(conference) && c.has("endpoints")) {
                    return s;
                }
            }
        }
        throw new AssertionError(conference + " is on no node");
    }

    private HttpResponse<String> admin(Main.Server s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path))
                .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A signaling WebSocket to one node, with its messages and its close code. */
    private static final class Ws implements AutoCloseable {
        final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final WebSocket socket;

        Ws(Main.Server server, String query) throws Exception {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
                    URI.create("ws://127.0.0.1:" + server.httpPort() + "/ws" + query), new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                try {
                                    received.add(JSON.readTree(text.toString()));
                                } catch (Exception e) {
                                    received.add(JSON.createObjectNode().put("type", "unparseable"));
                                }
                                text.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                            closed.complete(statusCode);
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

        JsonNode next(String type, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && type.equals(m.path("type").asText())) {
                    return m;
                }
            }
            throw new AssertionError("no " + type + " within " + seconds + " s");
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
