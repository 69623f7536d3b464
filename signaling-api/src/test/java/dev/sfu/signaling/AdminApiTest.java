package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every admin API call and refusal (docs/admin-api.md) against the real server, and its OpenAPI document. */
class AdminApiTest {
    private static final String ADMIN = "admin-token-of-at-least-32-bytes!!";
    private static Main.Server server;
    private static Main.Server off;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Properties env = new Properties();
        env.setProperty("SFU_AUTH_SECRET", GrantsTest.SECRET);
        env.setProperty("SFU_ADMIN_TOKEN", ADMIN);
        server = TestServers.start(env);
        Properties noAdmin = new Properties();
        noAdmin.setProperty("SFU_AUTH_SECRET", GrantsTest.SECRET);
        off = TestServers.start(noAdmin);
    }

    @AfterAll
    static void stop() {
        server.close();
        off.close();
    }

    record Reply(int status, JsonNode body) {
    }

    static Reply call(Main.Server s, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        return new Reply(r.statusCode(), WsClient.JSON.readTree(r.body()));
    }

    static Reply call(String method, String path, String body) throws Exception {
        return call(server, method, path, body, ADMIN);
    }

    static void assertApiError(Reply r, int status, String code) {
        assertEquals(status, r.status(), r.body().toString());
        assertEquals(code, r.body().path("code").asText(), r.body().toString());
        assertFalse(r.body().path("message").asText().isEmpty());
        assertFalse(r.body().toString().contains("Exception"));
    }

    static JsonNode join(WsClient c, String room, String identity) throws Exception {
        return GrantsTest.join(c, room, GrantsTest.token(GrantsTest.SECRET, room, "sub", "\"" + identity + "\""), 1);
    }

    @Test
    void offWithoutItsTokenAndRefusedWithAWrongOne() throws Exception {
        assertApiError(call(off, "GET", "/api/conferences", null, ADMIN), 404, "not-found");
        assertApiError(call(server, "GET", "/api/conferences", null, null), 401, "unauthorized");
        assertApiError(call(server, "GET", "/api/conferences", null, "wrong"), 401, "unauthorized");
        assertApiError(call(server, "DELETE", "/api/conferences/x", null, GrantsTest.SECRET), 401, "unauthorized");
    }

    @Test
    void getMuteAndPermissionsOfAParticipant() throws Exception {
        try (WsClient alice = new WsClient(server.httpPort()); WsClient bob = new WsClient(server.httpPort())) {
            String a = join(alice, "adm", "alice").path("endpointId").asText();
            String b = join(bob, "adm", "bob").path("endpointId").asText();
            assertEquals("answer", GrantsTest.offer(alice, 2, "{\"1\":\"camera\"}").path("type").asText());
            bob.next("offer");

            Reply got = call("GET", "/api/conferences/adm", null);
            assertEquals(200, got.status(), got.body().toString());
            assertEquals("adm", got.body().path("conference").asText());
            JsonNode participants = got.body().path("participants");
            assertEquals(2, participants.size());
            JsonNode pa = find(participants, "endpointId", a);
            assertEquals("alice", pa.path("identity").asText());
            assertEquals("connecting", pa.path("transports").path("publish").asText(), "no ICE from this client");
            assertEquals("none", find(participants, "endpointId", b).path("transports").path("publish").asText());
            assertTrue(pa.path("permissions").path("canPublish").asBoolean());
            JsonNode tracks = pa.path("tracks");
            assertEquals(2, tracks.size());
            JsonNode video = find(tracks, "kind", "video");
            assertEquals("camera", video.path("source").asText());
            assertEquals(3, video.path("layers").size(), "Chrome's offer has three simulcast layers");
            assertEquals(0, video.path("bitrate").asLong());
            String audioId = find(tracks, "kind", "audio").path("trackId").asText();

            // Server-side mute: the owner and the others are told; the detail shows it.
            Reply muted = call("POST", "/api/conferences/adm/participants/" + a + "/tracks/" + audioId + "/mute",
                    "{\"muted\":true}");
            assertEquals(200, muted.status(), muted.body().toString());
            for (WsClient c : new WsClient[] {alice, bob}) {
                JsonNode m = c.next("trackMuted");
                assertEquals(a, m.path("endpointId").asText());
                assertEquals(audioId, m.path("trackId").asText());
                assertTrue(m.path("muted").asBoolean());
            }
            assertTrue(find(find(call("GET", "/api/conferences/adm", null).body().path("participants"), "endpointId", a)
                    .path("tracks"), "kind", "audio").path("muted").asBoolean());
            assertApiError(call("POST", "/api/conferences/adm/participants/" + a + "/tracks/nope/mute", "{\"muted\":true}"),
                    404, "not-found");
            assertApiError(call("POST", "/api/conferences/adm/participants/" + a + "/tracks/" + audioId + "/mute", "{}"),
                    400, "bad-request");
            assertApiError(call("POST", "/api/conferences/adm/participants/" + a + "/tracks/" + audioId + "/mute", "{nope"),
                    400, "bad-request");

            // Revoking canPublish mutes what it publishes and refuses its next offer and unmute.
            Reply perms = call("PATCH", "/api/conferences/adm/participants/" + a + "/permissions", "{\"canPublish\":false}");
            assertEquals(200, perms.status(), perms.body().toString());
            assertFalse(perms.body().path("canPublish").asBoolean());
            JsonNode videoMuted = bob.next("trackMuted");
            assertEquals(video.path("trackId").asText(), videoMuted.path("trackId").asText());
            GrantsTest.assertUnauthorized(GrantsTest.offer(alice, 3, null), "canPublish");
            GrantsTest.assertUnauthorized(alice.request("{\"type\":\"mute\",\"trackId\":\"" + audioId
                    + "\",\"muted\":false,\"id\":4}"), "canPublish");
            assertApiError(call("PATCH", "/api/conferences/adm/participants/" + a + "/permissions", "{\"canFly\":true}"),
                    400, "bad-request");
            assertApiError(call("PATCH", "/api/conferences/adm/participants/" + a + "/permissions", "{\"sources\":[\"x\"]}"),
                    400, "bad-request");
            assertApiError(call("PATCH", "/api/conferences/adm/participants/nobody/permissions", "{}"), 404, "not-found");
            assertApiError(call("PATCH", "/api/conferences/other/participants/" + a + "/permissions", "{}"), 404, "not-found");
        }
    }

    @Test
    void kickAndClose() throws Exception {
        try (WsClient alice = new WsClient(server.httpPort()); WsClient bob = new WsClient(server.httpPort());
                WsClient carol = new WsClient(server.httpPort())) {
            JsonNode aliceJoined = join(alice, "kick", "alice");
            String a = aliceJoined.path("endpointId").asText();
            join(bob, "kick", "bob");
            join(carol, "kick", "carol");
            Reply kicked = call("DELETE", "/api/conferences/kick/participants/" + a, null);
            assertEquals(200, kicked.status(), kicked.body().toString());
            assertEquals("kicked", alice.next("removed").path("reason").asText());
            assertEquals(1000, alice.closed.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(a, bob.next("participantLeft").path("endpointId").asText());
            assertApiError(call("DELETE", "/api/conferences/kick/participants/" + a, null), 404, "not-found");
            try (WsClient again = new WsClient(server.httpPort())) {
                JsonNode resumed = again.request("{\"type\":\"resume\",\"endpointId\":\"" + a + "\",\"resumeToken\":\""
                        + aliceJoined.path("resumeToken").asText() + "\",\"id\":1}");
                assertEquals("not-joined", resumed.path("code").asText(), "a removed participant cannot resume");
            }

            Reply closed = call("DELETE", "/api/conferences/kick", null);
            assertEquals(200, closed.status(), closed.body().toString());
            assertEquals(2, closed.body().path("removed").asInt());
            assertEquals("conference-closed", bob.next("removed").path("reason").asText());
            assertEquals("conference-closed", carol.next("removed").path("reason").asText());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (call("GET", "/api/conferences/kick", null).status() != 404) {
                assertTrue(System.nanoTime() < deadline, "the conference ends once its participants are gone");
                Thread.sleep(50);
            }
            assertApiError(call("DELETE", "/api/conferences/kick", null), 404, "not-found");
            assertApiError(call("GET", "/api/conferences/bad%20name", null), 404, "not-found");
        }
    }

    @Test
    void theOpenApiDocumentDescribesExactlyTheRoutes() throws Exception {
        HttpResponse<String> doc = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                + "/api/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, doc.statusCode());
        JsonNode paths = WsClient.JSON.readTree(doc.body()).path("paths");
        Set<String> documented = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            for (Iterator<String> m = path.getValue().fieldNames(); m.hasNext(); ) {
                String method = m.next();
                if (!method.equals("parameters")) {
                    documented.add(method.toUpperCase() + " " + path.getKey());
                    assertTrue(path.getValue().path(method).path("responses").has("401"), "every route needs the token");
                }
            }
        }
        Set<String> routes = new HashSet<>();
        AdminApi.ROUTES.forEach(r -> routes.add(r.method() + " " + r.template()));
        assertEquals(routes, documented, "openapi.json lists exactly the routes the server has");
        // And the server answers each documented route as a route (not 405), unknown ids with not-found.
        for (String route : documented) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[a-zA-Z]+\\}", "nothing-here");
            Reply r = call(method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}");
            assertNotEquals(405, r.status(), route);
            assertTrue(r.status() == 200 || r.body().path("code").asText().equals("not-found"), route + " " + r.body());
            String other = method.equals("PUT") ? "GET" : "PUT";
            assertApiError(call(other, path, "{}"), 405, "method-not-allowed");
        }
        assertApiError(call("GET", "/api/conferences/a/b/c/d", null), 404, "not-found");
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asText())) {
                return n;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }
}
