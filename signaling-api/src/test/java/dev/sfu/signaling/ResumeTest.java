package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Session resumption over real WebSockets (docs/signaling-protocol.md, "Resuming"): a drop without a close
 * frame parks the endpoint, {@code resume} takes it back, a close frame or {@code leave} ends it at once.
 */
class ResumeTest {
    private static Main.Server server;
    /** A server whose grace period is short enough to watch it expire. */
    private static Main.Server shortGrace;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start();
        Properties p = new Properties();
        p.setProperty("SFU_RESUME_SECONDS", "1");
        shortGrace = TestServers.start(p);
    }

    @AfterAll
    static void stop() {
        server.close();
        shortGrace.close();
    }

    private static JsonNode join(WsClient c, String conference, String name) throws Exception {
        JsonNode joined = c.request("{\"type\":\"join\",\"id\":1,\"conference\":\"" + conference
                + "\",\"displayName\":\"" + name + "\"}");
        assertEquals("joined", joined.path("type").asText(), joined.toString());
        return joined;
    }

    private static String resume(JsonNode joined) {
        return "{\"type\":\"resume\",\"id\":\"r\",\"endpointId\":\"" + joined.path("endpointId").asText()
                + "\",\"resumeToken\":\"" + joined.path("resumeToken").asText() + "\"}";
    }

    /** The first message of a type within {@code millis}, or null. */
    private static JsonNode within(WsClient c, String type, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            JsonNode m = c.received.poll(20, TimeUnit.MILLISECONDS);
            if (m != null && type.equals(m.path("type").asText())) {
                return m;
            }
        }
        return null;
    }

    @Test
    void aDroppedConnectionIsResumedAndTheOthersNeverSeeItLeave() throws Exception {
        try (WsClient alice = new WsClient(server.httpPort()); WsClient bob = new WsClient(server.httpPort())) {
            JsonNode joined = join(alice, "resume-drop", "alice");
            String token = joined.path("resumeToken").asText();
            assertTrue(token.length() >= 22, "a resume token of at least 128 bits: " + token);
            join(bob, "resume-drop", "bob");
            alice.drop();
            assertNull(within(bob, "participantLeft", 1000), "a drop is not a leave during the grace period");
            try (WsClient again = new WsClient(server.httpPort())) {
                JsonNode resumed = again.request(resume(joined));
                assertEquals("resumed", resumed.path("type").asText(), resumed.toString());
                assertEquals(joined.path("endpointId"), resumed.path("endpointId"));
                assertEquals(1, resumed.path("participants").size());
                assertEquals("bob", resumed.path("participants").get(0).path("displayName").asText());
                assertEquals("pong", again.request("{\"type\":\"ping\",\"id\":2}").path("type").asText());
                assertNull(within(bob, "participantLeft", 300));
                // The resumed session is the endpoint: bob hears of it leaving when it does.
                again.send("{\"type\":\"leave\"}");
                assertEquals(joined.path("endpointId"), bob.next("participantLeft").path("endpointId"));
                JsonNode refused = again.request(resume(joined).replace("\"r\"", "\"r2\""));
                assertEquals("error", refused.path("type").asText(), "a left endpoint cannot be resumed");
            }
        }
    }

    @Test
    void aCloseFrameIsALeaveAtOnce() throws Exception {
        try (WsClient bob = new WsClient(server.httpPort())) {
            JsonNode joined;
            try (WsClient alice = new WsClient(server.httpPort())) {
                joined = join(alice, "resume-clean", "alice");
                join(bob, "resume-clean", "bob");
            }
            JsonNode left = within(bob, "participantLeft", 2000);
            assertEquals(joined.path("endpointId"), left.path("endpointId"));
            try (WsClient again = new WsClient(server.httpPort())) {
                JsonNode refused = again.request(resume(joined));
                assertEquals("not-joined", refused.path("code").asText(), refused.toString());
            }
        }
    }

    @Test
    void aWrongTokenIsRefusedAndTheEndpointStaysResumable() throws Exception {
        try (WsClient bob = new WsClient(server.httpPort())) {
            WsClient alice = new WsClient(server.httpPort());
            JsonNode joined = join(alice, "resume-token", "alice");
            join(bob, "resume-token", "bob");
            alice.drop();
            try (WsClient thief = new WsClient(server.httpPort())) {
                String forged = resume(joined).replace(joined.path("resumeToken").asText(), "AAAAAAAAAAAAAAAAAAAAAA");
                JsonNode refused = thief.request(forged);
                assertEquals("not-joined", refused.path("code").asText(), refused.toString());
                assertFalse(refused.toString().contains("Exception"));
                assertEquals("not-joined", thief.request("{\"type\":\"resume\",\"id\":3,\"endpointId\":\"nobody\","
                        + "\"resumeToken\":\"x\"}").path("code").asText());
                assertEquals("bad-request", thief.request("{\"type\":\"resume\",\"id\":4}").path("code").asText());
            }
            try (WsClient again = new WsClient(server.httpPort())) {
                assertEquals("resumed", again.request(resume(joined)).path("type").asText());
            }
            // The resumed connection closed cleanly (try-with-resources): that is a leave.
            assertEquals(joined.path("endpointId"), bob.next("participantLeft").path("endpointId"));
        }
    }

    @Test
    void aResumeTakesOverAConnectionTheServerStillThinksIsAlive() throws Exception {
        try (WsClient bob = new WsClient(server.httpPort()); WsClient alice = new WsClient(server.httpPort())) {
            JsonNode joined = join(alice, "resume-halfopen", "alice");
            join(bob, "resume-halfopen", "bob");
            // The client's network changed; its old socket is still open as far as the server knows.
            try (WsClient again = new WsClient(server.httpPort())) {
                assertEquals("resumed", again.request(resume(joined)).path("type").asText());
                assertEquals(1000, alice.closed.get(5, TimeUnit.SECONDS), "the stale connection is closed");
                assertNull(within(bob, "participantLeft", 500), "closing the stale connection ends nothing");
                // Messages for the endpoint now reach the new connection only.
                try (WsClient carol = new WsClient(server.httpPort())) {
                    join(carol, "resume-halfopen", "carol");
                    assertEquals("carol", again.next("participantJoined").path("displayName").asText());
                }
            }
        }
    }

    @Test
    void anEndpointNotResumedWithinTheGracePeriodLeaves() throws Exception {
        try (WsClient bob = new WsClient(shortGrace.httpPort())) {
            WsClient alice = new WsClient(shortGrace.httpPort());
            JsonNode joined = join(alice, "resume-expire", "alice");
            join(bob, "resume-expire", "bob");
            alice.drop();
            JsonNode left = within(bob, "participantLeft", 5000);
            assertEquals(joined.path("endpointId"), left == null ? null : left.path("endpointId"),
                    "the endpoint leaves when the grace period (1 s) ends");
            try (WsClient late = new WsClient(shortGrace.httpPort())) {
                assertEquals("not-joined", late.request(resume(joined)).path("code").asText());
            }
        }
    }
}
