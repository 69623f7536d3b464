package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Join-token grants (docs/tokens.md) over real WebSockets against the real server on loopback. */
class GrantsTest {
    static final String SECRET = "grants-secret-of-at-least-32-bytes!";
    private static Main.Server server;

    @BeforeAll
    static void start() throws Exception {
        Properties env = new Properties();
        env.setProperty("SFU_AUTH_SECRET", SECRET);
        server = TestServers.start(env);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A token for a room with claims over the defaults (one hour, no sub unless given). */
    static String token(String secret, String room, String... claims) {
        ObjectNode c = WsClient.JSON.createObjectNode();
        long now = System.currentTimeMillis() / 1000;
        c.put("room", room).put("iat", now).put("exp", now + 3600);
        for (int i = 0; i < claims.length; i += 2) {
            try {
                c.set(claims[i], WsClient.JSON.readTree(claims[i + 1]));
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
        }
        return TokenTool.sign(c, secret);
    }

    static String chromeOffer() throws Exception {
        try (InputStream in = GrantsTest.class.getResourceAsStream("/sdp/chrome-publish-offer.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n").replace("\n", "\r\n");
        }
    }

    static JsonNode join(WsClient c, String room, String token, int id) throws Exception {
        ObjectNode join = WsClient.JSON.createObjectNode().put("type", "join").put("conference", room)
                .put("displayName", "n" + id).put("token", token).put("id", id);
        return c.request(join.toString());
    }

    static JsonNode offer(WsClient c, int id, String sources) throws Exception {
        ObjectNode offer = WsClient.JSON.createObjectNode().put("type", "offer").put("transport", "publish")
                .put("sdp", chromeOffer()).put("id", id);
        if (sources != null) {
            offer.set("sources", WsClient.JSON.readTree(sources));
        }
        return c.request(offer.toString());
    }

    static void assertUnauthorized(JsonNode reply, String grant) {
        assertEquals("error", reply.path("type").asText(), reply.toString());
        assertEquals("unauthorized", reply.path("code").asText(), reply.toString());
        assertTrue(reply.path("message").asText().contains(grant), "the refusal names " + grant + ": " + reply);
        assertFalse(reply.toString().contains("Exception"));
    }

    /** Whether a message of a type arrives within a time (for asserting that none does). */
    static JsonNode within(WsClient c, String type, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            JsonNode m = c.received.poll(50, TimeUnit.MILLISECONDS);
            if (m != null && type.equals(m.path("type").asText())) {
                return m;
            }
        }
        return null;
    }

    @Test
    void publishIsRefusedWithoutCanPublishOrAnAllowedSource() throws Exception {
        try (WsClient c = new WsClient(server.httpPort()); WsClient d = new WsClient(server.httpPort());
                WsClient e = new WsClient(server.httpPort())) {
            assertEquals("joined", join(c, "pub", token(SECRET, "pub", "sub", "\"viewer\"", "canPublish", "false"), 1)
                    .path("type").asText());
            assertUnauthorized(offer(c, 2, null), "canPublish");

            join(d, "pub", token(SECRET, "pub", "sub", "\"mic-only\"", "sources", "[\"microphone\"]"), 1);
            assertUnauthorized(offer(d, 2, null), "camera");
            assertUnauthorized(offer(d, 3, "{\"1\":\"screen\"}"), "screen");

            join(e, "pub", token(SECRET, "pub", "sub", "\"screen-sharer\"", "sources", "[\"microphone\",\"screen\"]"), 1);
            assertEquals("answer", offer(e, 2, "{\"1\":\"screen\"}").path("type").asText(), "a granted source is answered");
            assertEquals("bad-request", offer(e, 3, "{\"1\":\"hologram\"}").path("code").asText());
        }
    }

    @Test
    void withoutCanSubscribeNoSubscribeOfferComes() throws Exception {
        try (WsClient alice = new WsClient(server.httpPort()); WsClient bob = new WsClient(server.httpPort());
                WsClient carol = new WsClient(server.httpPort())) {
            join(bob, "sub", token(SECRET, "sub", "sub", "\"bob\"", "canSubscribe", "false"), 1);
            join(carol, "sub", token(SECRET, "sub", "sub", "\"carol\""), 1);
            join(alice, "sub", token(SECRET, "sub", "sub", "\"alice\""), 1);
            assertEquals("answer", offer(alice, 2, "{\"1\":\"screen\"}").path("type").asText());
            JsonNode carolOffer = carol.next("offer");
            // The first offer may carry only the first track (the next waits for carol's answer).
            assertTrue(carolOffer.path("tracks").size() >= 1, carolOffer.toString());
            for (JsonNode t : carolOffer.path("tracks")) {
                assertEquals(t.path("kind").asText().equals("audio") ? "microphone" : "screen", t.path("source").asText());
                assertFalse(t.path("muted").asBoolean());
            }
            assertNull(within(bob, "offer", 1500), "no subscribe offer without canSubscribe");
        }
    }

    @Test
    void aHiddenParticipantIsNotAnnouncedAndMayNotPublish() throws Exception {
        try (WsClient alice = new WsClient(server.httpPort()); WsClient ghost = new WsClient(server.httpPort());
                WsClient late = new WsClient(server.httpPort())) {
            join(alice, "hid", token(SECRET, "hid", "sub", "\"alice\""), 1);
            JsonNode joined = join(ghost, "hid", token(SECRET, "hid", "sub", "\"recorder\"", "hidden", "true"), 1);
            assertEquals(1, joined.path("participants").size(), "the hidden one sees the others");
            JsonNode lateJoined = join(late, "hid", token(SECRET, "hid", "sub", "\"late\""), 1);
            assertEquals(1, lateJoined.path("participants").size(), "a later joiner is not told of the hidden one");
            JsonNode announced = alice.next("participantJoined");
            assertEquals(lateJoined.path("endpointId").asText(), announced.path("endpointId").asText(),
                    "alice hears of the late joiner, never of the hidden one");
            assertUnauthorized(offer(ghost, 2, null), "hidden");
            ghost.send("{\"type\":\"leave\"}");
            assertNull(within(alice, "participantLeft", 800), "nor of its leaving");
        }
    }

    @Test
    void aSecondJoinWithAnIdentityReplacesTheFirst() throws Exception {
        try (WsClient first = new WsClient(server.httpPort()); WsClient second = new WsClient(server.httpPort());
                WsClient other = new WsClient(server.httpPort()); WsClient third = new WsClient(server.httpPort());
                WsClient fourth = new WsClient(server.httpPort())) {
            join(other, "dup", token(SECRET, "dup", "sub", "\"other\""), 1);
            JsonNode a = join(first, "dup", token(SECRET, "dup", "sub", "\"alice\""), 1);
            other.next("participantJoined");
            JsonNode b = join(second, "dup", token(SECRET, "dup", "sub", "\"alice\""), 1);
            assertEquals("joined", b.path("type").asText());
            JsonNode removed = first.next("removed");
            assertEquals("duplicate-identity", removed.path("reason").asText());
            assertEquals(1000, first.closed.get(5, TimeUnit.SECONDS));
            assertEquals(a.path("endpointId").asText(), other.next("participantLeft").path("endpointId").asText());
            assertEquals("pong", second.request("{\"type\":\"ping\",\"id\":9}").path("type").asText(), "the new one lives");

            // A token without sub is its own identity: used twice, the later join replaces the earlier.
            String anonymous = token(SECRET, "dup");
            join(third, "dup", anonymous, 1);
            join(fourth, "dup", anonymous, 1);
            assertEquals("duplicate-identity", third.next("removed").path("reason").asText());
        }
    }

    @Test
    void badGrantClaimsAreRefusedByName() throws Exception {
        try (WsClient c = new WsClient(server.httpPort())) {
            assertUnauthorized(join(c, "bad", token(SECRET, "bad", "canPublish", "\"yes\""), 1), "canPublish");
            assertUnauthorized(join(c, "bad", token(SECRET, "bad", "sources", "[\"hologram\"]"), 2), "sources");
            assertUnauthorized(join(c, "bad", token(SECRET, "bad", "sub", "\"" + "x".repeat(200) + "\""), 3), "sub");
            long future = System.currentTimeMillis() / 1000 + 600;
            assertUnauthorized(join(c, "bad", token(SECRET, "bad", "nbf", String.valueOf(future)), 4), "nbf");
            JsonNode named = join(c, "bad", token(SECRET, "bad", "name", "\"From Token\"", "metadata", "{\"x\":1}"), 5);
            assertEquals("joined", named.path("type").asText());
        }
    }

    @Test
    void theMuteMessageReachesTheOthersAndIsChecked() throws Exception {
        try (WsClient alice = new WsClient(server.httpPort()); WsClient bob = new WsClient(server.httpPort())) {
            JsonNode a = join(alice, "mute", token(SECRET, "mute", "sub", "\"alice\""), 1);
            join(bob, "mute", token(SECRET, "mute", "sub", "\"bob\""), 1);
            assertEquals("answer", offer(alice, 2, null).path("type").asText());
            JsonNode offer = bob.next("offer");
            String trackId = offer.path("tracks").get(0).path("trackId").asText();
            alice.send("{\"type\":\"mute\",\"trackId\":\"" + trackId + "\",\"muted\":true}");
            JsonNode muted = bob.next("trackMuted");
            assertEquals(a.path("endpointId").asText(), muted.path("endpointId").asText());
            assertEquals(trackId, muted.path("trackId").asText());
            assertTrue(muted.path("muted").asBoolean());
            assertEquals("bad-request", alice.request("{\"type\":\"mute\",\"trackId\":\"nope\",\"muted\":true,\"id\":3}")
                    .path("code").asText());
            assertEquals("bad-request", alice.request("{\"type\":\"mute\",\"trackId\":\"" + trackId + "\",\"id\":4}")
                    .path("code").asText());
            assertNull(within(alice, "trackMuted", 300), "the owner is not told of its own mute");
        }
    }

    @Test
    void theTokenToolMintsATokenTheServerAccepts() throws Exception {
        Map<String, String> env = Map.of("SFU_AUTH_SECRET", SECRET);
        String token = TokenTool.token(new String[] {"--room", "tool", "--identity", "alice", "--ttl", "30m",
            "--can-publish", "false", "--sources", "microphone,camera", "--name", "Alice"}, env, Clock.systemUTC());
        JsonNode claims = WsClient.JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertEquals("alice", claims.path("sub").asText());
        assertFalse(claims.path("canPublish").asBoolean(true));
        assertEquals(1800, claims.path("exp").asLong() - claims.path("iat").asLong());
        try (WsClient c = new WsClient(server.httpPort())) {
            assertEquals("joined", join(c, "tool", token, 1).path("type").asText());
            assertUnauthorized(offer(c, 2, null), "canPublish");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, TokenTool.run(new String[] {"--room", "r"}, Map.of(), new PrintStream(out), new PrintStream(err)));
        assertTrue(err.toString().contains("SFU_AUTH_SECRET"), err.toString());
        assertEquals(2, TokenTool.run(new String[] {"--room", "r", "--ttl", "400d"}, env, new PrintStream(out),
                new PrintStream(err)));
        assertEquals(0, TokenTool.run(new String[] {"--room", "r"}, env, new PrintStream(out), new PrintStream(err)));
        assertNotNull(out.toString().trim());
    }
}
