package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.core.SignalingException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 17 point 8: what used to be open unless configured is now closed unless configured. */
@Timeout(60)
class FailClosedDefaultsTest {
    private static final String SECRET = "join-secret-of-at-least-32-bytes!";
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private static int upgrade(Main.Server server, String origin) throws Exception {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (origin != null) {
            builder.header("Origin", origin);
        }
        try {
            builder.buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort() + "/ws"), new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS).abort();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    @Test
    void originsDefaultToThisServerAndLocalhost() throws Exception {
        try (Main.Server server = TestServers.start()) {
            int port = server.httpPort();
            assertEquals(101, upgrade(server, null), "no Origin: not a browser page (native clients, the load harness)");
            assertEquals(101, upgrade(server, "http://127.0.0.1:" + port), "the page served by this server");
            assertEquals(101, upgrade(server, "http://localhost:5173"), "a development server on localhost");
            assertEquals(101, upgrade(server, "https://127.0.0.1"));
            assertEquals(403, upgrade(server, "https://evil.example"));
            assertEquals(403, upgrade(server, "http://localhost.evil.example"));
            assertEquals(403, upgrade(server, "null"));
            assertEquals(3.0, SignalingLimitsTest.refused(server, "origin"));
        }
        Properties any = new Properties();
        any.setProperty("SFU_ALLOWED_ORIGINS", "*");
        try (Main.Server open = TestServers.start(any)) {
            assertEquals(101, upgrade(open, "https://evil.example"));
        }
    }

    @Test
    void originPolicyMatchesTheHostHeaderForTheOwnOrigin() {
        OriginPolicy policy = new OriginPolicy(List.of());
        assertTrue(policy.allows("https://meet.example", "meet.example", true));
        assertFalse(policy.allows("http://meet.example", "meet.example", true), "the scheme must match");
        assertFalse(policy.allows("https://meet.example", "other.example", true));
        assertTrue(policy.allows("http://[::1]:8080", "x", false));
        OriginPolicy list = new OriginPolicy(List.of("https://meet.example"));
        assertTrue(list.allows("https://meet.example", "sfu.example", true));
        assertFalse(list.allows("http://localhost:8080", "sfu.example", false), "a list replaces the default");
    }

    @Test
    void theAdminApiIsOffWithoutItsOwnToken() throws Exception {
        Properties auth = new Properties();
        auth.setProperty("SFU_AUTH_SECRET", SECRET);
        try (Main.Server server = TestServers.start(auth)) {
            HttpResponse<String> response = get(server, "/api/conferences", SECRET);
            assertEquals(404, response.statusCode(), "the join secret is not an admin token");
            JsonNode body = WsClient.JSON.readTree(response.body());
            assertEquals("not-found", body.get("code").asText());
            assertTrue(body.get("message").asText().contains("SFU_ADMIN_TOKEN"));
            assertEquals(404, get(server, "/api/conferences", null).statusCode());
        }
    }

    private static HttpResponse<String> get(Main.Server s, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String body = b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        byte[] signature = new JoinAuthorizer(SECRET, Clock.systemUTC()).sign(header + "." + body);
        return header + "." + body + "." + b64.encodeToString(signature);
    }

    private static String refusal(JoinAuthorizer authorizer, String claims) {
        return assertThrows(SignalingException.class, () -> authorizer.authorize("room", token(claims))).getMessage();
    }

    @Test
    void tokensAreCheckedForNbfLifetimeAudienceAndIssuer() throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        long now = NOW.getEpochSecond();
        JoinAuthorizer plain = new JoinAuthorizer(new ServerConfig.Auth(SECRET, Duration.ofHours(24), null, null), clock);
        plain.authorize("room", token("{\"room\":\"room\",\"exp\":" + (now + 600) + "}"));
        plain.authorize("room", token("{\"room\":\"room\",\"iat\":" + now + ",\"nbf\":" + (now - 5) + ",\"exp\":"
                + (now + 24 * 3600) + "}"));
        assertTrue(refusal(plain, "{\"room\":\"room\",\"nbf\":" + (now + 60) + ",\"exp\":" + (now + 600) + "}")
                .contains("nbf"));
        assertTrue(refusal(plain, "{\"room\":\"room\",\"exp\":" + (now - 1) + "}").contains("exp"));
        assertTrue(refusal(plain, "{\"room\":\"room\"}").contains("exp"));
        assertTrue(refusal(plain, "{\"room\":\"room\",\"iat\":" + now + ",\"exp\":" + (now + 25 * 3600) + "}")
                .contains("exp - iat"));
        assertTrue(refusal(plain, "{\"room\":\"room\",\"exp\":" + (now + 25 * 3600) + "}").contains("claim exp"),
                "without iat the lifetime counts from now");
        assertTrue(refusal(plain, "{\"room\":\"other\",\"exp\":" + (now + 600) + "}").contains("room"));

        JoinAuthorizer strict = new JoinAuthorizer(new ServerConfig.Auth(SECRET, Duration.ofHours(1), "sfu.example",
                "https://id.example"), clock);
        String good = "\"room\":\"room\",\"exp\":" + (now + 600);
        strict.authorize("room", token("{" + good + ",\"aud\":\"sfu.example\",\"iss\":\"https://id.example\"}"));
        strict.authorize("room", token("{" + good + ",\"aud\":[\"x\",\"sfu.example\"],\"iss\":\"https://id.example\"}"));
        assertTrue(refusal(strict, "{" + good + ",\"iss\":\"https://id.example\"}").contains("aud"));
        assertTrue(refusal(strict, "{" + good + ",\"aud\":\"other\",\"iss\":\"https://id.example\"}").contains("aud"));
        assertTrue(refusal(strict, "{" + good + ",\"aud\":\"sfu.example\",\"iss\":\"https://evil.example\"}")
                .contains("iss"));
    }

    @Test
    void turnCredentialsLiveTenMinutesByDefault() throws Exception {
        Properties turn = new Properties();
        turn.setProperty("SFU_ICE_SERVERS", "turn:127.0.0.1:3478");
        turn.setProperty("SFU_TURN_SECRET", "turn-secret-of-at-least-32-bytes!");
        try (Main.Server server = TestServers.start(turn); WsClient c = new WsClient(server.httpPort())) {
            JsonNode joined = c.request("{\"type\":\"join\",\"conference\":\"turn\",\"id\":1}");
            String username = joined.get("iceServers").get(0).get("username").asText();
            long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
            long lifetime = expiry - Instant.now().getEpochSecond();
            assertTrue(lifetime > 540 && lifetime <= 600, "lifetime " + lifetime + " s");
        }
    }

    @Test
    void displayNamesLoseControlCharactersBeforeOthersSeeThem() throws Exception {
        try (Main.Server server = TestServers.start(); WsClient a = new WsClient(server.httpPort());
                WsClient b = new WsClient(server.httpPort())) {
            a.request("{\"type\":\"join\",\"conference\":\"names\",\"displayName\":\"Ada\",\"id\":1}");
            b.request("{\"type\":\"join\",\"conference\":\"names\",\"displayName\":\"Eve\\n\\u202eINFO admin\\u0007\","
                    + "\"id\":1}");
            assertEquals("EveINFO admin", a.next("participantJoined").get("displayName").asText());
        }
        assertEquals("\"a\\u000ab\\u0022\"", DisplayNames.forLog("a\nb\""));
        assertEquals("Zoë 😀", DisplayNames.clean(" Zoë\u200b 😀\r"));
    }
}
