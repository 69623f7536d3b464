package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every message of the protocol and the bad inputs it names, against the real server on loopback. */
class SignalingApiTest {
    private static Main.Server server;
    private static Main.Server authServer;
    private static final String SECRET = "test-secret-of-at-least-32-bytes!";
    private static final String ADMIN_TOKEN = "admin-token-of-at-least-32-bytes!";
    private static final String TURN_SECRET = "turn-secret-of-at-least-32-bytes!";

    @BeforeAll
    static void start() throws Exception {
        Properties limits = new Properties();
        limits.setProperty("SFU_MAX_ENDPOINTS_PER_CONFERENCE", "2");
        limits.setProperty("SFU_ICE_SERVERS", "stun:stun.invalid:3478,turn:127.0.0.1:3478?transport=udp");
        limits.setProperty("SFU_TURN_SECRET", TURN_SECRET);
        server = TestServers.start(limits);
        Properties auth = new Properties();
        auth.setProperty("SFU_AUTH_SECRET", SECRET);
        auth.setProperty("SFU_ADMIN_TOKEN", ADMIN_TOKEN);
        authServer = TestServers.start(auth);
    }

    @AfterAll
    static void stop() {
        server.close();
        authServer.close();
    }

    private static WsClient connect(Main.Server s) throws Exception {
        return new WsClient(s.httpPort());
    }

    private static void assertError(JsonNode reply, String code) {
        assertEquals("error", reply.path("type").asText(), reply.toString());
        assertEquals(code, reply.path("code").asText(), reply.toString());
        assertFalse(reply.path("message").asText().isEmpty());
        assertFalse(reply.toString().contains("Exception"), "no stack trace or exception name reaches a client");
    }

    @Test
    void pingIsAnsweredWithTheSameIdNumberOrString() throws Exception {
        try (WsClient c = connect(server)) {
            assertEquals(7, c.request("{\"type\":\"ping\",\"id\":7}").get("id").asInt());
            JsonNode pong = c.request("{\"type\":\"ping\",\"id\":\"abc\"}");
            assertEquals("pong", pong.get("type").asText());
            assertEquals("abc", pong.get("id").asText());
        }
    }

    @Test
    void badInputGetsAnErrorAndTheConnectionGoesOn() throws Exception {
        try (WsClient c = connect(server)) {
            c.send("this is not json");
            assertError(c.next("error"), "bad-request");
            c.send("[1,2,3]");
            assertError(c.next("error"), "bad-request");
            assertError(c.request("{\"id\":1}"), "bad-request");
            assertError(c.request("{\"type\":42,\"id\":2}"), "bad-request");
            assertError(c.request("{\"type\":\"dance\",\"id\":3}"), "bad-request");
            assertError(c.request("{\"type\":\"offer\",\"transport\":\"publish\",\"sdp\":\"v=0\",\"id\":4}"), "not-joined");
            assertError(c.request("{\"type\":\"answer\",\"transport\":\"subscribe\",\"sdp\":\"v=0\",\"id\":5}"), "not-joined");
            assertError(c.request("{\"type\":\"candidate\",\"transport\":\"publish\",\"candidate\":null,\"id\":6}"), "not-joined");
            assertError(c.request("{\"type\":\"receiverConstraints\",\"defaultMaxHeight\":180,\"id\":7}"), "not-joined");
            assertError(c.request("{\"type\":\"join\",\"conference\":\"bad room!\",\"id\":8}"), "bad-request");
            assertError(c.request("{\"type\":\"join\",\"conference\":\"" + "x".repeat(65) + "\",\"id\":9}"), "bad-request");
            assertError(c.request("{\"type\":\"join\",\"conference\":\"ok\",\"displayName\":\"" + "n".repeat(65) + "\",\"id\":10}"),
                    "bad-request");
            assertError(c.request("{\"type\":\"join\",\"id\":11}"), "bad-request");
            c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertError(c.next("error"), "bad-request");
            c.sendBinary(new byte[] {1, 2, 3});
            assertError(c.next("error"), "bad-request");
            assertEquals("pong", c.request("{\"type\":\"ping\",\"id\":99}").get("type").asText());
        }
    }

    @Test
    void joinedSessionValidatesEveryMessage() throws Exception {
        try (WsClient a = connect(server); WsClient b = connect(server)) {
            JsonNode joined = a.request("{\"type\":\"join\",\"conference\":\"api-room\",\"displayName\":\"Ada\",\"id\":1}");
            assertEquals("joined", joined.get("type").asText());
            assertEquals("api-room", joined.get("conference").asText());
            assertFalse(joined.get("endpointId").asText().isEmpty());
            assertEquals(0, joined.get("participants").size());
            JsonNode ice = joined.get("iceServers");
            assertEquals(2, ice.size());
            assertEquals("stun:stun.invalid:3478", ice.get(0).get("urls").get(0).asText());
            String username = ice.get(1).get("username").asText();
            assertTrue(username.endsWith(":" + joined.get("endpointId").asText()));
            assertEquals(IceServers.credential(TURN_SECRET, username), ice.get(1).get("credential").asText());

            JsonNode joinedB = b.request("{\"type\":\"join\",\"conference\":\"api-room\",\"displayName\":\"Bob\",\"id\":\"j\"}");
            // Ada is in Bob's joined list, or (when her add on the media thread came after Bob's join read the
            // list on the signaling thread) in a participantJoined right after it: never missing.
            JsonNode listed = joinedB.get("participants");
            assertEquals("Ada", listed.size() > 0 ? listed.get(0).get("displayName").asText()
                    : b.next("participantJoined").get("displayName").asText());
            JsonNode announced = a.next("participantJoined");
            assertEquals(joinedB.get("endpointId").asText(), announced.get("endpointId").asText());
            assertEquals("Bob", announced.get("displayName").asText());

            assertError(a.request("{\"type\":\"join\",\"conference\":\"api-room\",\"id\":2}"), "bad-request");
            assertError(a.request("{\"type\":\"offer\",\"transport\":\"subscribe\",\"sdp\":\"v=0\",\"id\":3}"), "bad-request");
            assertError(a.request("{\"type\":\"offer\",\"transport\":\"publish\",\"id\":4}"), "bad-request");
            assertError(a.request("{\"type\":\"offer\",\"transport\":\"publish\",\"sdp\":\"garbage\",\"id\":5}"), "sdp-rejected");
            assertError(a.request("{\"type\":\"answer\",\"transport\":\"subscribe\",\"sdp\":\"v=0\",\"id\":6}"), "bad-request");
            assertError(a.request("{\"type\":\"candidate\",\"transport\":\"sideways\",\"candidate\":\"x\",\"id\":7}"), "bad-request");
            assertError(a.request("{\"type\":\"candidate\",\"transport\":\"publish\",\"candidate\":5,\"id\":8}"), "bad-request");
            assertError(a.request("{\"type\":\"receiverConstraints\",\"defaultMaxHeight\":-1,\"id\":9}"), "bad-request");
            assertError(a.request("{\"type\":\"receiverConstraints\",\"defaultMaxHeight\":180,\"endpoints\":[],\"id\":10}"),
                    "bad-request");
            // Valid messages without a reply: the next ping proves they were accepted silently.
            a.send("{\"type\":\"candidate\",\"transport\":\"publish\",\"candidate\":null,\"sdpMid\":null,\"sdpMLineIndex\":null}");
            a.send("{\"type\":\"receiverConstraints\",\"defaultMaxHeight\":180,\"endpoints\":{\"x\":0}}");
            assertEquals("pong", a.request("{\"type\":\"ping\",\"id\":11}").get("type").asText());

            b.send("{\"type\":\"leave\"}");
            assertEquals(joinedB.get("endpointId").asText(), a.next("participantLeft").get("endpointId").asText());
            assertError(b.request("{\"type\":\"offer\",\"transport\":\"publish\",\"sdp\":\"v=0\",\"id\":12}"), "not-joined");
        }
    }

    @Test
    void aFloodingConnectionIsRateLimitedAndOthersAreNot() throws Exception {
        try (WsClient flood = connect(server); WsClient calm = connect(server)) {
            try {
                // Far more than the budget (50/s, bursts of 100) even if a busy machine makes each send slow;
                // the server closes the socket after 20 refusals in a row, which ends the loop.
                for (int i = 0; i < 3000; i++) {
                    flood.send("{\"type\":\"ping\",\"id\":" + i + "}");
                }
            } catch (java.util.concurrent.ExecutionException closed) {
                // 20 refused messages in a row close the socket (1008): later sends may find it closed.
            }
            JsonNode limited = flood.next("error");
            assertError(limited, "bad-request");
            assertTrue(limited.get("message").asText().contains("too many messages"));
            assertEquals("pong", calm.request("{\"type\":\"ping\",\"id\":1}").get("type").asText());
        }
    }

    @Test
    void restartIceIsCheckedAndTheSubscribeOneIsAccepted() throws Exception {
        try (WsClient c = connect(server)) {
            assertError(c.request("{\"type\":\"restartIce\",\"transport\":\"subscribe\",\"id\":1}"), "not-joined");
            assertEquals("joined", c.request("{\"type\":\"join\",\"conference\":\"restart\",\"id\":2}").get("type").asText());
            assertError(c.request("{\"type\":\"restartIce\",\"transport\":\"publish\",\"id\":3}"), "bad-request");
            assertError(c.request("{\"type\":\"restartIce\",\"id\":4}"), "bad-request");
            // Before any subscribe offer there is nothing to restart: no error, and the session goes on.
            c.send("{\"type\":\"restartIce\",\"transport\":\"subscribe\",\"id\":5}");
            assertEquals("pong", c.request("{\"type\":\"ping\",\"id\":6}").get("type").asText());
        }
    }

    @Test
    void aFullConferenceRefusesTheNextJoin() throws Exception {
        try (WsClient a = connect(server); WsClient b = connect(server); WsClient c = connect(server)) {
            assertEquals("joined", a.request("{\"type\":\"join\",\"conference\":\"full\",\"id\":1}").get("type").asText());
            assertEquals("joined", b.request("{\"type\":\"join\",\"conference\":\"full\",\"id\":1}").get("type").asText());
            assertError(c.request("{\"type\":\"join\",\"conference\":\"full\",\"id\":1}"), "conference-full");
        }
    }

    @Test
    void closingTheSocketIsTheSameAsLeave() throws Exception {
        try (WsClient a = connect(server)) {
            a.request("{\"type\":\"join\",\"conference\":\"closing\",\"id\":1}");
            WsClient b = connect(server);
            String bId = b.request("{\"type\":\"join\",\"conference\":\"closing\",\"id\":1}").get("endpointId").asText();
            b.close();
            assertEquals(bId, a.next("participantLeft").get("endpointId").asText());
        }
    }

    @Test
    void aClientThatKeepsSendingGarbageIsClosedWith1008() throws Exception {
        try (WsClient c = connect(server)) {
            for (int i = 0; i < SignalingSession.MAX_ERRORS_IN_A_ROW; i++) {
                c.send("garbage " + i);
            }
            assertEquals(1008, c.closed.get(10, TimeUnit.SECONDS));
        }
    }

    private static String token(String room, long exp, String secret) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"room\":\"" + room + "\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        byte[] signature = new JoinAuthorizer(secret, Clock.systemUTC()).sign(header + "." + claims);
        return header + "." + claims + "." + b64.encodeToString(signature);
    }

    @Test
    void joinNeedsAValidTokenWhenAuthIsOn() throws Exception {
        long future = Instant.now().getEpochSecond() + 600;
        try (WsClient c = connect(authServer)) {
            assertError(c.request("{\"type\":\"join\",\"conference\":\"vip\",\"id\":1}"), "unauthorized");
            assertError(c.request("{\"type\":\"join\",\"conference\":\"vip\",\"token\":\"a.b.c\",\"id\":2}"), "unauthorized");
            assertError(c.request("{\"type\":\"join\",\"conference\":\"vip\",\"token\":\"" + token("other", future, SECRET)
                    + "\",\"id\":3}"), "unauthorized");
            assertError(c.request("{\"type\":\"join\",\"conference\":\"vip\",\"token\":\"" + token("vip", 1000, SECRET)
                    + "\",\"id\":4}"), "unauthorized");
            assertError(c.request("{\"type\":\"join\",\"conference\":\"vip\",\"token\":\"" + token("vip", future, "wrong")
                    + "\",\"id\":5}"), "unauthorized");
            assertEquals("joined", c.request("{\"type\":\"join\",\"conference\":\"vip\",\"token\":\""
                    + token("vip", future, SECRET) + "\",\"id\":6}").get("type").asText());
        }
        HttpResponse<String> admin = get(authServer, "/api/conferences", null);
        assertEquals(401, admin.statusCode());
        assertEquals("unauthorized", WsClient.JSON.readTree(admin.body()).get("code").asText());
        // The join tokens' secret is not the admin token.
        assertEquals(401, get(authServer, "/api/conferences", SECRET).statusCode());
        assertEquals(200, get(authServer, "/api/conferences", ADMIN_TOKEN).statusCode());
    }

    private static HttpResponse<String> get(Main.Server s, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void originsOutsideTheAllowListCannotOpenTheSocket() throws Exception {
        Properties p = new Properties();
        p.setProperty("SFU_ALLOWED_ORIGINS", "https://meet.example");
        Main.Server guarded = TestServers.start(p);
        try {
            java.net.URI uri = URI.create("ws://127.0.0.1:" + guarded.httpPort() + "/ws");
            java.util.concurrent.CompletableFuture<java.net.http.WebSocket> evil = HttpClient.newHttpClient()
                    .newWebSocketBuilder().header("Origin", "https://evil.example")
                    .buildAsync(uri, new java.net.http.WebSocket.Listener() { });
            org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> evil.get(10, TimeUnit.SECONDS));
            java.net.http.WebSocket good = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Origin", "https://meet.example").buildAsync(uri, new java.net.http.WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS);
            good.abort();
        } finally {
            guarded.close();
        }
    }

    @Test
    void aSelfSignedTlsServerServesHttps() throws Exception {
        Properties p = new Properties();
        p.setProperty("SFU_TLS_SELF_SIGNED", "true");
        Main.Server tls = TestServers.start(p);
        try {
            javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
            trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            HttpClient client = HttpClient.newBuilder().sslContext(trustAll).build();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + tls.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        } finally {
            tls.close();
        }
    }

    @Test
    void healthMetricsAndThePageAreServed() throws Exception {
        HttpResponse<String> health = get(server, "/health", null);
        assertEquals(200, health.statusCode());
        assertEquals("ok", WsClient.JSON.readTree(health.body()).get("status").asText());
        HttpResponse<String> metrics = get(server, "/metrics", null);
        assertEquals(200, metrics.statusCode());
        for (String line : metrics.body().split("\n")) {
            assertTrue(line.isEmpty() || line.startsWith("#") || line.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? \\S+"),
                    "not Prometheus text: " + line);
        }
        assertTrue(metrics.body().contains("sfu_conferences"));
        assertTrue(metrics.body().contains("jvm_memory_used_bytes"));
        assertTrue(get(server, "/", null).body().contains("<script type=\"module\" src=\"app.js\">"));
        assertEquals(200, get(server, "/sfu-client.js", null).statusCode());
        assertEquals(404, get(server, "/../pom.xml", null).statusCode());
        assertEquals(404, get(server, "/nope.html", null).statusCode());
    }
}
