package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Webhooks to a real HTTP receiver on loopback: every event, its signature, order, retry and drops. */
class WebhooksTest {
    private static final String WEBHOOK_SECRET = "webhook-secret-of-at-least-32-bytes";

    /** A received request: its headers of interest, its body, and the status it was answered with. */
    record Delivery(String id, String timestamp, String signature, String body, int status) {
    }

    @Test
    void everyEventArrivesSignedInOrderAndAFailedOneIsRetried() throws Exception {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        AtomicInteger requests = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            // The very first request fails: the sender must retry it, and hold the later events meanwhile.
            int status = requests.getAndIncrement() == 0 ? 500 : 204;
            deliveries.add(new Delivery(exchange.getRequestHeaders().getFirst(Webhooks.ID_HEADER),
                    exchange.getRequestHeaders().getFirst(Webhooks.TIMESTAMP_HEADER),
                    exchange.getRequestHeaders().getFirst(Webhooks.SIGNATURE_HEADER),
                    new String(body, StandardCharsets.UTF_8), status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        Properties env = new Properties();
        env.setProperty("SFU_WEBHOOK_URLS", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        env.setProperty("SFU_WEBHOOK_SECRET", WEBHOOK_SECRET);
        env.setProperty("SFU_AUTH_SECRET", GrantsTest.SECRET);
        try (Main.Server server = TestServers.start(env)) {
            String aliceId;
            try (WsClient alice = new WsClient(server.httpPort()); WsClient bob = new WsClient(server.httpPort())) {
                aliceId = GrantsTest.join(alice, "hooks", GrantsTest.token(GrantsTest.SECRET, "hooks", "sub", "\"alice\"",
                        "metadata", "\"m1\""), 1).path("endpointId").asText();
                assertEquals("answer", GrantsTest.offer(alice, 2, "{\"1\":\"screen\"}").path("type").asText());
                GrantsTest.join(bob, "hooks", GrantsTest.token(GrantsTest.SECRET, "hooks", "sub", "\"bob\""), 1);
                alice.send("{\"type\":\"leave\"}");
                bob.next("participantLeft");
            }
            await(() -> accepted(deliveries).stream().anyMatch(e -> e.path("event").asText().equals("conference_ended")),
                    "the conference's end arrives");

            List<JsonNode> events = accepted(deliveries);
            List<String> types = new ArrayList<>();
            events.forEach(e -> types.add(e.path("event").asText()));
            assertEquals(List.of("conference_started", "participant_joined", "track_published", "track_published",
                    "participant_joined", "track_unpublished", "track_unpublished", "participant_left", "participant_left",
                    "conference_ended"), types, "in the order they happened");
            for (JsonNode e : events) {
                assertEquals("hooks", e.path("conference").asText());
            }
            JsonNode joined = events.get(1).path("participant");
            assertEquals(aliceId, joined.path("endpointId").asText());
            assertEquals("alice", joined.path("identity").asText());
            assertEquals("m1", joined.path("metadata").asText());
            assertEquals("screen", events.get(3).path("track").path("source").asText());
            assertEquals("leave", events.get(7).path("reason").asText());
            assertEquals(aliceId, events.get(7).path("participant").path("endpointId").asText());

            // The 500 was retried: the same id arrived twice, the first answered 500.
            assertEquals(500, deliveries.get(0).status());
            assertEquals(deliveries.get(0).id(), deliveries.get(1).id());
            assertEquals(deliveries.get(0).body(), deliveries.get(1).body());
            // Every delivery is signed over id.timestamp.body with the secret; the body carries id and timestamp.
            for (Delivery d : deliveries) {
                JsonNode body = WsClient.JSON.readTree(d.body());
                assertEquals(d.id(), body.path("id").asText());
                assertEquals(d.timestamp(), body.path("timestamp").asText());
                String expected = Webhooks.signature(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8),
                        new Webhooks.Event(d.id(), Long.parseLong(d.timestamp()), d.body()));
                assertEquals(expected, d.signature());
            }
            String metrics = metrics(server);
            assertTrue(metrics.contains("sfu_webhooks_sent_total 10.0"), metrics.lines()
                    .filter(l -> l.startsWith("sfu_webhooks")).toList().toString());
            assertTrue(metrics.contains("sfu_webhooks_failed_attempts_total 1.0"));
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void beyondMaxPendingEventsAreDroppedAndCountedAndSignalingGoesOn() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // closed again: connections to it are refused
        }
        Properties env = new Properties();
        env.setProperty("SFU_WEBHOOK_URLS", "http://127.0.0.1:" + deadPort + "/nobody");
        try (Main.Server server = TestServers.start(env, "sfu.webhooks { max-pending = 2, max-attempts = 50 }")) {
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                try (WsClient c = new WsClient(server.httpPort())) {
                    assertEquals("joined", c.request("{\"type\":\"join\",\"conference\":\"drop" + i + "\",\"id\":1}")
                            .path("type").asText());
                }
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "joins do not wait for the receiver");
            await(() -> {
                try {
                    return metrics(server).lines().anyMatch(l -> l.startsWith("sfu_webhooks_dropped_total{reason=\"queue-full\"}")
                            && !l.endsWith(" 0.0"));
                } catch (Exception e) {
                    return false;
                }
            }, "drops beyond max-pending are counted");
            assertTrue(metrics(server).contains("sfu_webhooks_pending 2.0"), "at most max-pending wait");
        }
    }

    private static List<JsonNode> accepted(List<Delivery> deliveries) {
        List<JsonNode> list = new ArrayList<>();
        for (Delivery d : deliveries) {
            if (d.status() / 100 == 2) {
                try {
                    list.add(WsClient.JSON.readTree(d.body()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
        return list;
    }

    static String metrics(Main.Server server) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(50);
        }
    }
}
