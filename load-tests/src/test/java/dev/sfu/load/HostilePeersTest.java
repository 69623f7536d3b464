package dev.sfu.load;

import dev.sfu.client.WebSocketSignaling;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ClientContext;
import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.ServerConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile peers and faults beside a 3-party conference ("calm") on one server, each case an automated
 * test over real sockets: the case ends in a clear error or a silent drop with a counter, nothing reaches
 * another conference, and the calm conference keeps flowing without loss, corruption or duplicates
 * (checked after every case by {@link #calmConferenceIsUndisturbed}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
@Tag("long")
class HostilePeersTest {
    private static final int CONSENT_TIMEOUT_SECONDS = 4;
    private static final int MAX_ENDPOINTS = 5;

    private Main.Server server;
    private URI webSocket;
    private HttpClient http;
    private ExecutorService handshakes;
    private MediaThread[] threads;
    private ScheduledExecutorService clock;
    private ClientContext context;
    private Peers peers;
    private List<SimulatedPeer> calm;
    private Calm before;

    @BeforeAll
    void startServerAndCalmConference() throws Exception {
        server = Main.Server.start(ServerConfig.load(new String[0], Map.of("SFU_HTTP_PORT", "0",
                "SFU_HTTP_BIND_ADDRESS", "127.0.0.1", "SFU_MEDIA_PORT", "0", "SFU_MEDIA_BIND_ADDRESS", "127.0.0.1", "SFU_ICE_TCP_PORT", "0",
                "SFU_ADVERTISED_ADDRESS", "127.0.0.1", "SFU_MAX_SIGNALING_CONNECTIONS_PER_ADDRESS", "1000",
                "SFU_CONSENT_TIMEOUT_SECONDS",
                Integer.toString(CONSENT_TIMEOUT_SECONDS), "SFU_MAX_ENDPOINTS_PER_CONFERENCE",
                Integer.toString(MAX_ENDPOINTS))));
        webSocket = URI.create("ws://127.0.0.1:" + server.httpPort() + "/ws");
        http = HttpClient.newHttpClient();
        handshakes = Executors.newCachedThreadPool();
        threads = new MediaThread[] {new MediaThread("peers-0"), new MediaThread("peers-1")};
        context = ClientContext.onAddress(InetAddress.getLoopbackAddress(), handshakes);
        peers = new Peers(webSocket, http, context, threads, 1, 20);
        for (int i = 0; i < 3; i++) {
            peers.publisher("calm", true);
        }
        calm = List.copyOf(peers.publishers);
        clock = Executors.newSingleThreadScheduledExecutor();
        clock.scheduleAtFixedRate(new Sender(peers, 300, 1), 0, 20, TimeUnit.MILLISECONDS);
        LoadTest.awaitMedia(calm, calm, 30);
    }

    @AfterAll
    void stop() throws Exception {
        writeLatencyTable();
        clock.shutdownNow();
        for (SimulatedPeer p : peers.everyone) {
            p.leave();
        }
        for (MediaThread t : threads) {
            t.close();
        }
        handshakes.shutdownNow();
        server.close();
    }

    @BeforeEach
    void noteCalm() throws InterruptedException {
        Thread.sleep(300);
        before = Calm.of(calm);
    }

    /** After every case: the calm conference received more media and lost, broke or duplicated none. */
    @AfterEach
    void calmConferenceIsUndisturbed(org.junit.jupiter.api.TestInfo info) throws InterruptedException {
        Thread.sleep(1000);
        Calm after = Calm.of(calm);
        latencyByCase.add(after.latencyRowSince(before, info.getTestMethod().map(m -> m.getName()).orElse("?")));
        assertTrue(after.received > before.received + 3 * 2 * 25, "calm media kept flowing: " + before + " -> " + after);
        assertEquals(before.lost, after.lost, "calm packets lost");
        assertEquals(before.corrupted, after.corrupted, "calm packets corrupted (or foreign)");
        assertEquals(before.reordered, after.reordered, "calm packets duplicated or reordered");
    }

    /**
     * Random and truncated datagrams from a stranger (ice4j drops what is neither from a known address nor
     * STUN naming a known ufrag; it has no counter for that), and random datagrams from a connected
     * peer's own address, which reach its transport: undecryptable ones and those of no RFC 7983 kind are
     * dropped and counted.
     */
    @Test
    @Order(1)
    void garbageAtTheMediaPortIsDropped() throws Exception {
        Random random = new Random(1);
        try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress port = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.mediaPort());
            for (int i = 0; i < 600; i++) {
                byte[] junk = new byte[random.nextInt(1500)];
                random.nextBytes(junk);
                stranger.send(new DatagramPacket(junk, junk.length, port));
            }
            byte[][] truncated = {
                {0x00, 0x01, 0x00, 0x50, 0x21, 0x12, (byte) 0xa4, 0x42, 1, 2}, // STUN header cut short
                {0x16, (byte) 0xfe, (byte) 0xfd, 0, 0}, // a DTLS record header cut short
                {(byte) 0x80, 0x60, 0, 1, 0}, // an SRTP packet cut inside its header
                {(byte) 0x81, (byte) 0xc8, 0, 6}, // an SRTCP sender report cut short
                {}, // nothing at all
            };
            for (byte[] t : truncated) {
                stranger.send(new DatagramPacket(t, t.length, port));
            }
        }
        double srtpDroppedBefore = metric("sfu_packets_dropped_total");
        double portDroppedBefore = metric("sfu_packets_dropped_port_total");
        SimulatedPeer alice = calm.get(0);
        CompletableFuture<Void> sent = new CompletableFuture<>();
        alice.client.execute(() -> {
            byte[] junk = new byte[1500];
            for (int i = 0; i < 200; i++) {
                random.nextBytes(junk);
                // Half look like SRTP (RFC 7983: 128..191), half like nothing we speak (64..79).
                junk[0] = (byte) (i % 2 == 0 ? 0x80 + random.nextInt(64) : 64 + random.nextInt(16));
                alice.client.sendRawOnPublishTransport(junk, 0, 20 + random.nextInt(1200));
            }
            sent.complete(null);
        });
        sent.get(10, TimeUnit.SECONDS);
        waitFor(() -> metric("sfu_packets_dropped_total") - srtpDroppedBefore >= 100,
                "SRTP-looking garbage fails authentication and is counted");
        waitFor(() -> metric("sfu_packets_dropped_port_total") - portDroppedBefore >= 100,
                "garbage of no known kind is counted");
    }

    @Test
    @Order(2)
    void replayedSrtpIsDroppedAndCounted() throws Exception {
        double droppedBefore = metric("sfu_packets_dropped_total");
        SimulatedPeer alice = calm.get(0);
        alice.replaysPending = 40;
        waitFor(() -> alice.replaysSent >= 40, "the replays went out from alice's own address");
        waitFor(() -> metric("sfu_packets_dropped_total") - droppedBefore >= 40,
                "the replay window dropped every copy");
    }

    @Test
    @Order(3)
    void aPeerWhoseCertificateDoesNotMatchItsFingerprintIsRejected() throws Exception {
        double failuresBefore = metric("sfu_dtls_failures_total");
        SfuClient liar = new SfuClient("liar", context, threads[0], new SfuClient.Listener() {
        });
        WebSocketSignaling signaling = WebSocketSignaling.connect(webSocket, http, liar);
        liar.attach(new SdpRewriting(signaling, sdp -> sdp.replaceAll("a=fingerprint:sha-256 ([0-9A-F]{2})",
                "a=fingerprint:sha-256 " + "00")));
        try {
            signaling.join("liars", "liar").get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> published = liar.publish(List.of(new ClientSdp.PublishSpec("0", "audio", 4242)))
                    .toCompletableFuture();
            waitFor(() -> metric("sfu_dtls_failures_total") > failuresBefore,
                    "the server refused the handshake and counted it");
            waitFor(published::isDone, "the liar's publish transport failed");
            assertTrue(published.isCompletedExceptionally(), "the liar never got SRTP keys");
        } finally {
            liar.close();
            signaling.close();
        }
    }

    @Test
    @Order(4)
    void stunWithAWrongPasswordIsNotAnswered() throws Exception {
        // Mallory learns a real ufrag of the server (her own transport's) and tries it with a guess.
        SfuClient mallory = new SfuClient("mallory", context, threads[0], new SfuClient.Listener() {
        });
        WebSocketSignaling signaling = WebSocketSignaling.connect(webSocket, http, mallory);
        AtomicReference<String> answer = new AtomicReference<>();
        mallory.attach(new SdpRewriting(signaling, sdp -> sdp) {
            @Override
            public CompletionStage<String> publishOffer(String sdp) {
                return super.publishOffer(sdp).thenApply(a -> {
                    answer.set(a);
                    return a;
                });
            }
        });
        try {
            signaling.join("evil", "mallory").get(10, TimeUnit.SECONDS);
            mallory.publish(List.of(new ClientSdp.PublishSpec("0", "audio", 4343))).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            String ufrag = answer.get().lines().filter(l -> l.startsWith("a=ice-ufrag:")).findFirst().orElseThrow()
                    .substring("a=ice-ufrag:".length()).trim();
            try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                stranger.setSoTimeout(1500);
                byte[] request = bindingRequest(ufrag + ":mallory", "not-the-password".getBytes(StandardCharsets.UTF_8));
                stranger.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(),
                        server.mediaPort()));
                byte[] reply = new byte[1500];
                DatagramPacket p = new DatagramPacket(reply, reply.length);
                try {
                    stranger.receive(p);
                    int type = (reply[0] & 0xff) << 8 | (reply[1] & 0xff);
                    assertNotEquals(0x0101, type, "a binding success for a wrong password");
                } catch (SocketTimeoutException silentDrop) {
                    // dropped without an answer: also right
                }
            }
        } finally {
            mallory.close();
            signaling.close();
        }
    }

    @Test
    @Order(5)
    void anotherConferencesSsrcsAndMidsReachOnlyTheSendersOwnConference() throws Exception {
        // A second set of peers numbered from 0 again: Mallory's SSRCs, mids and payload publisher id are
        // exactly those of the calm conference's first publisher.
        Peers evil = new Peers(webSocket, http, context, threads, 1, 20);
        SimulatedPeer mallory = evil.publisher("evil", false);
        SimulatedPeer eve = evil.subscriber("evil");
        assertEquals(calm.get(0).index, mallory.index);
        peers.publishers.add(mallory); // the sender drives her too
        try {
            waitFor(() -> eve.streams.size() >= 2, "mallory's media flows in her own conference");
            Thread.sleep(1000);
            assertTrue(eve.streams.keySet().stream().allMatch(k -> k.startsWith(mallory.endpointId + "/")),
                    "eve got only mallory's streams: " + eve.streams.keySet());
            for (SimulatedPeer p : calm) {
                assertFalse(p.streams.keySet().stream().anyMatch(k -> k.startsWith(mallory.endpointId)),
                        "mallory's media reached the calm conference");
            }
        } finally {
            peers.publishers.remove(mallory);
            mallory.leave();
            eve.leave();
        }
    }

    @Test
    @Order(6)
    void webSocketAbuseGetsErrorsAndCloses() throws Exception {
        double errorsBefore = metric("sfu_signaling_errors_total");
        AtomicReference<Integer> closeCode = new AtomicReference<>();
        StringBuilder replies = new StringBuilder();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(webSocket, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                synchronized (replies) {
                    replies.append(data).append('\n');
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                closeCode.set(statusCode);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        // A flood of joins and garbage on one connection: rate limited and answered with errors.
        for (int i = 0; i < 200 && closeCode.get() == null; i++) {
            ws.sendText(i % 2 == 0 ? "{\"type\":\"join\",\"conference\":\"flood\",\"displayName\":\"f\",\"id\":" + i + "}"
                    : "{not json", true).get(5, TimeUnit.SECONDS);
        }
        waitFor(() -> metric("sfu_signaling_errors_total") > errorsBefore, "errors answered and counted");
        synchronized (replies) {
            assertTrue(replies.toString().contains("\"type\":\"error\""), replies.toString());
            assertFalse(replies.toString().contains("\"code\":\"internal\""), "no internal error reached the client");
        }
        // A frame far over the limit closes the connection.
        if (closeCode.get() == null) {
            ws.sendText("x".repeat(2 * 1024 * 1024), true);
        }
        waitFor(() -> closeCode.get() != null || ws.isInputClosed(), "the server closed the abusive connection");
    }

    @Test
    @Order(7)
    void aClientThatNeverCompletesItsHandshakeIsRemovedAfterTheConsentTimeout() throws Exception {
        double endpointsBefore = metric("sfu_endpoints");
        // It joins and sends a publish offer but never sends a connectivity check or a DTLS record.
        WebSocketSignaling silent = WebSocketSignaling.connect(webSocket, http, new SfuClient("silent", context,
                threads[0], new SfuClient.Listener() {
                }));
        try {
            silent.join("silence", "silent").get(10, TimeUnit.SECONDS);
            String offer = ClientSdp.publishOffer(List.of(new ClientSdp.PublishSpec("0", "audio", 4444)),
                    new dev.sfu.core.sdp.TransportParameters("abcd", "abcdefghijklmnopqrstuv", "sha-256",
                            "AA:" .repeat(31) + "AA", dev.sfu.core.sdp.DtlsSetup.ACTPASS, List.of()), "silent");
            silent.publishOffer(offer).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(endpointsBefore + 1, metric("sfu_endpoints"));
            waitFor(() -> metric("sfu_endpoints") == endpointsBefore, "the endpoint was removed",
                    CONSENT_TIMEOUT_SECONDS + 10);
        } finally {
            silent.close();
        }
    }

    @Test
    @Order(8)
    void aSubscriberWhoseNetworkVanishesIsRemovedWhenConsentExpires() throws Exception {
        SimulatedPeer gone = peers.subscriber("calm");
        waitFor(() -> gone.streams.size() >= 6, "the new subscriber receives the calm conference");
        double endpointsBefore = metric("sfu_endpoints");
        double iceFailuresBefore = metric("sfu_ice_failures_total");
        long vanishedAt = System.nanoTime();
        gone.client.vanish(); // no leave, no close_notify: its sockets just go quiet
        waitFor(() -> metric("sfu_endpoints") == endpointsBefore - 1, "the vanished subscriber was removed",
                CONSENT_TIMEOUT_SECONDS + 10);
        double seconds = (System.nanoTime() - vanishedAt) / 1e9;
        assertTrue(seconds >= CONSENT_TIMEOUT_SECONDS - 1, "removed only when consent expired, after " + seconds + " s");
        assertTrue(metric("sfu_ice_failures_total") > iceFailuresBefore, "the consent failure is counted");
        peers.everyone.remove(gone);
        gone.signaling.close();
    }

    @Test
    @Order(9)
    void aPublisherWithTwentyPercentLossDisturbsNoOtherPublisher() throws Exception {
        double lostBefore = metric("sfu_packets_lost_total");
        SimulatedPeer lossy = peers.publisher("calm", true);
        lossy.uplinkLoss = 0.2;
        waitFor(() -> calm.stream().allMatch(p -> p.streams.keySet().stream()
                .filter(k -> k.startsWith(lossy.endpointId)).count() == 2), "everyone receives the lossy publisher");
        Thread.sleep(3000);
        waitFor(() -> metric("sfu_packets_lost_total") > lostBefore + 50, "the server saw and counted the loss");
        long lossyLost = calm.stream().flatMap(p -> p.streams.entrySet().stream())
                .filter(e -> e.getKey().startsWith(lossy.endpointId)).mapToLong(e -> e.getValue().lost()).sum();
        assertTrue(lossyLost > 0, "the lossy publisher's own streams show its loss");
        // The calm publishers' streams are checked by calmConferenceIsUndisturbed (Calm counts only theirs).
        peers.publishers.remove(lossy);
        peers.everyone.remove(lossy);
        lossy.leave();
    }

    @Test
    @Order(10)
    void aFullConferenceRejectsTheNextJoinWithConferenceFull() throws Exception {
        List<WebSocketSignaling> extra = new java.util.ArrayList<>();
        try {
            String error = null;
            for (int i = 0; i < MAX_ENDPOINTS + 1 && error == null; i++) {
                WebSocketSignaling s = WebSocketSignaling.connect(webSocket, http, new SfuClient("extra" + i, context,
                        threads[0], new SfuClient.Listener() {
                        }));
                extra.add(s);
                try {
                    s.join("calm", "extra" + i).get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    error = e.getCause().getMessage();
                }
            }
            assertTrue(error != null && error.startsWith("conference-full"), "got " + error);
        } finally {
            for (WebSocketSignaling s : extra) {
                s.leave();
                s.close();
            }
        }
    }

    /**
     * Issue 17 point 4: 300 publish offers whose peers never do ICE (60 conferences of 5, as many addresses
     * would send them) hold no DTLS handshake thread and delay no one: a new call beside them gets media
     * within 5 s. (The per-connection cap is raised for this test; one address would otherwise be capped
     * at 32 sockets.)
     */
    @Test
    @Order(12)
    void threeHundredOffersThatNeverDoIceDelayNoOne() throws Exception {
        double endpointsBefore = metric("sfu_endpoints");
        List<java.net.http.WebSocket> sockets = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger answers = new java.util.concurrent.atomic.AtomicInteger();
        // A message may arrive in parts (the JDK hands over what each read brought): match whole messages.
        java.util.Map<java.net.http.WebSocket, StringBuilder> partial = new java.util.concurrent.ConcurrentHashMap<>();
        java.net.http.WebSocket.Listener countAnswers = new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                StringBuilder message = partial.computeIfAbsent(ws, w -> new StringBuilder()).append(data);
                if (last) {
                    if (message.indexOf("\"type\":\"answer\"") >= 0) {
                        answers.incrementAndGet();
                    }
                    message.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
        Peers fresh = new Peers(webSocket, http, context, threads, 1, 20);
        try {
            for (int i = 0; i < 300; i++) {
                java.net.http.WebSocket ws = http.newWebSocketBuilder().buildAsync(webSocket, countAnswers)
                        .get(10, TimeUnit.SECONDS);
                sockets.add(ws);
                String offer = ClientSdp.publishOffer(List.of(new ClientSdp.PublishSpec("0", "audio", 5000 + i)),
                        new dev.sfu.core.sdp.TransportParameters("u" + (1000 + i), "abcdefghijklmnopqrstuv" + i,
                                "sha-256", "AB:".repeat(31) + "AB", dev.sfu.core.sdp.DtlsSetup.ACTPASS, List.of()),
                        "never" + i);
                ws.sendText("{\"type\":\"join\",\"id\":1,\"conference\":\"never-" + (i / MAX_ENDPOINTS)
                        + "\",\"displayName\":\"n\"}", true).get(5, TimeUnit.SECONDS);
                ws.sendText(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "offer").put("id", 2)
                        .put("transport", "publish").put("sdp", offer).toString(), true).get(5, TimeUnit.SECONDS);
            }
            try {
                waitFor(() -> answers.get() == 300, "all 300 offers were answered", 30);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + " (" + answers.get() + " answers)", e);
            }
            // (The earliest are being removed already: no ICE within the consent timeout, 4 s here.)
            long start = System.nanoTime();
            SimulatedPeer publisher = fresh.publisher("beside-the-crowd", false);
            SimulatedPeer subscriber = fresh.subscriber("beside-the-crowd");
            peers.publishers.add(publisher); // the sender drives it
            try {
                waitFor(() -> subscriber.streams.size() >= 2 && subscriber.streams.values().stream()
                        .allMatch(st -> st.received > 0), "a new call gets media", 5);
                System.out.printf("a call beside 300 silent offers got media after %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } finally {
                peers.publishers.remove(publisher);
                publisher.leave();
                subscriber.leave();
            }
        } finally {
            for (java.net.http.WebSocket ws : sockets) {
                ws.sendClose(1000, "");
            }
        }
        waitFor(() -> metric("sfu_endpoints") <= endpointsBefore, "the 300 left", 20);
    }

    /** A signaling connection of the test's own: requests with ids, replies matched by id. */
    private final class RawClient implements AutoCloseable {
        private final java.util.concurrent.BlockingQueue<com.fasterxml.jackson.databind.JsonNode> received =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        private final WebSocket ws;
        private int nextId = 1;

        RawClient() throws Exception {
            ws = http.newWebSocketBuilder().buildAsync(webSocket, new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        try {
                            received.add(json.readTree(text.toString()));
                        } catch (Exception e) {
                            throw new AssertionError("unparseable reply: " + text, e);
                        }
                        text.setLength(0);
                    }
                    w.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
        }

        /** Sends a message (an id is added) and returns the reply to it. */
        com.fasterxml.jackson.databind.JsonNode request(com.fasterxml.jackson.databind.node.ObjectNode message)
                throws Exception {
            int id = nextId++;
            ws.sendText(message.put("id", id).toString(), true).get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                com.fasterxml.jackson.databind.JsonNode m = received.poll(50, TimeUnit.MILLISECONDS);
                if (m != null && m.path("id").asInt(-1) == id) {
                    return m;
                }
            }
            throw new AssertionError("no reply to " + message.path("type"));
        }

        void send(com.fasterxml.jackson.databind.node.ObjectNode message) throws Exception {
            ws.sendText(message.toString(), true).get(10, TimeUnit.SECONDS);
        }

        com.fasterxml.jackson.databind.node.ObjectNode message(String type) {
            return json.createObjectNode().put("type", type);
        }

        com.fasterxml.jackson.databind.JsonNode join(String conference) throws Exception {
            return request(message("join").put("conference", conference).put("displayName", "hostile"));
        }

        com.fasterxml.jackson.databind.JsonNode offer(String sdp) throws Exception {
            return request(message("offer").put("transport", "publish").put("sdp", sdp));
        }

        @Override
        public void close() throws Exception {
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
        }
    }

    private static dev.sfu.core.sdp.TransportParameters someCredentials(String ufrag) {
        return new dev.sfu.core.sdp.TransportParameters(ufrag, "abcdefghijklmnopqrstuv", "sha-256",
                "AB:".repeat(31) + "AB", dev.sfu.core.sdp.DtlsSetup.ACTPASS, List.of());
    }

    /**
     * Issue 17 point 3: an offer asking for more tracks than an endpoint may publish is refused whole,
     * naming the limit; the endpoint stays and may offer within it.
     */
    @Test
    @Order(13)
    void anOfferOverTheTrackLimitIsRejectedNamingIt() throws Exception {
        try (RawClient c = new RawClient()) {
            assertEquals("joined", c.join("too-many-tracks").path("type").asText());
            List<ClientSdp.PublishSpec> nine = new java.util.ArrayList<>();
            for (int i = 0; i < 9; i++) {
                nine.add(new ClientSdp.PublishSpec(Integer.toString(i), "audio", 9000 + i));
            }
            com.fasterxml.jackson.databind.JsonNode reply = c.offer(ClientSdp.publishOffer(nine, someCredentials("lim1"), "x"));
            assertEquals("sdp-rejected", reply.path("code").asText(), reply.toString());
            assertTrue(reply.path("message").asText().contains("8"), "the limit is named: " + reply);
            reply = c.offer(ClientSdp.publishOffer(nine.subList(0, 8), someCredentials("lim1"), "x"));
            assertEquals("answer", reply.path("type").asText(), "8 audio tracks are within the limit");
        }
    }

    /**
     * Issue 17 point 5: a 60 KiB offer of 13,000 simulcast rids, the worst an offer within the message
     * limit can carry, is answered quickly (the bound is 50 ms; asserted loosely, so that a busy CI
     * machine cannot fail it, and printed).
     */
    @Test
    @Order(14)
    void anOfferOfThirteenThousandRidsIsAnsweredQuickly() throws Exception {
        try (RawClient c = new RawClient()) {
            c.join("many-rids");
            StringBuilder rids = new StringBuilder();
            for (int i = 0; i < 13_000; i++) {
                rids.append(i == 0 ? "" : ";").append(Integer.toString(i, 36));
            }
            String offer = ClientSdp.publishOffer(List.of(new ClientSdp.PublishSpec("0", "video", 0, List.of("q", "h", "f"))),
                    someCredentials("rids"), "x").replace("a=simulcast:send q;h;f", "a=simulcast:send " + rids);
            assertTrue(offer.contains(rids), "the rids are in the offer");
            assertTrue(offer.length() < 64 * 1024, "within the message limit: " + offer.length());
            c.offer(ClientSdp.publishOffer(List.of(new ClientSdp.PublishSpec("0", "audio", 1)), someCredentials("warm"), "x"));
            long start = System.nanoTime();
            com.fasterxml.jackson.databind.JsonNode reply = c.offer(offer);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("an offer of 13,000 rids (%d bytes) was answered (%s) in %d ms%n", offer.length(),
                    reply.path("type").asText(), millis);
            assertTrue(reply.path("type").asText().equals("answer") || reply.path("code").asText().equals("sdp-rejected"),
                    reply.toString());
            assertTrue(millis < 1000, "answered in " + millis + " ms");
        }
    }

    /**
     * Issue 17 point 6: candidates naming special-purpose addresses (cloud metadata, multicast, broadcast,
     * this host) are refused and counted, and candidates past the per-session cap are refused and counted.
     */
    @Test
    @Order(15)
    void candidatesToSpecialAddressesAndFloodsAreRefusedAndCounted() throws Exception {
        double refusedBefore = metric("sfu_ice_packets_dropped_total{reason=\"refused-candidate-address\"}");
        double floodBefore = metric("sfu_ice_packets_dropped_total{reason=\"too-many-candidates\"}");
        try (RawClient c = new RawClient()) {
            c.join("candidates");
            assertEquals("answer", c.offer(ClientSdp.publishOffer(List.of(new ClientSdp.PublishSpec("0", "audio", 1)),
                    someCredentials("cand"), "x")).path("type").asText());
            for (String address : List.of("169.254.169.254", "224.0.0.1", "255.255.255.255", "0.0.0.0")) {
                c.send(c.message("candidate").put("transport", "publish").put("sdpMid", "0").put("sdpMLineIndex", 0)
                        .put("candidate", "candidate:1 1 udp 2122260223 " + address + " 5000 typ host"));
            }
            // 40 more: past the cap of 32 per ICE session, within the signaling rate (bursts of 100 messages).
            for (int i = 0; i < 40; i++) {
                c.send(c.message("candidate").put("transport", "publish").put("sdpMid", "0").put("sdpMLineIndex", 0)
                        .put("candidate", "candidate:" + (i + 2) + " 1 udp 2122260223 198.51.100." + (i + 1) + " 5000 typ host"));
            }
            assertEquals("pong", c.request(c.message("ping")).path("type").asText(), "the connection goes on");
            waitFor(() -> metric("sfu_ice_packets_dropped_total{reason=\"refused-candidate-address\"}") >= refusedBefore + 4,
                    "the special-purpose addresses were refused and counted");
            waitFor(() -> metric("sfu_ice_packets_dropped_total{reason=\"too-many-candidates\"}") > floodBefore,
                    "candidates past the cap were refused and counted");
        }
    }

    // ---- helpers ----

    /**
     * A subscriber that NACKs the last 100 packets of everything it receives (all still cached), 100 times
     * a second, so every packet is asked for about a hundred times (issue 17: nothing used to stop that):
     * the server resends each packet at most once a round trip, within a budget earned by the media it
     * forwards, and counts the rest.
     */
    @Test
    @Order(11)
    void aSubscriberNackingEverythingCannotTurnTheServerIntoAnAmplifier() throws Exception {
        Peers storm = new Peers(webSocket, http, context, threads, 1, 20);
        SimulatedPeer source = storm.publisher("storm", false);
        SimulatedPeer greedy = storm.subscriber("storm");
        peers.publishers.add(source); // the sender drives it
        try {
            waitFor(() -> greedy.streams.size() >= 2, "media reaches the greedy subscriber");
            Thread.sleep(1500);
            double resentBefore = metric("sfu_retransmissions_total");
            double refusedBefore = metric("sfu_nack_refused_total");
            long mediaBefore = greedy.streams.values().stream().mapToLong(st -> st.received).sum();
            for (int i = 0; i < 300; i++) {
                greedy.client.execute(() -> greedy.nackEverything(100));
                Thread.sleep(10);
            }
            Thread.sleep(300);
            double resent = metric("sfu_retransmissions_total") - resentBefore;
            double refused = metric("sfu_nack_refused_total") - refusedBefore;
            long media = greedy.streams.values().stream().mapToLong(st -> st.received).sum() - mediaBefore;
            System.out.printf("NACK storm: %.0f packets resent, %.0f refused, %d media packets forwarded%n", resent,
                    refused, media);
            assertTrue(media > 100, "its media kept flowing");
            assertTrue(resent > 0, "NACKed packets are still answered");
            assertTrue(resent <= 2 * media, "resent " + resent + " against " + media + " media packets");
            assertTrue(refused > 10 * resent, "most of the storm was refused, and counted: " + refused);
        } finally {
            peers.publishers.remove(source);
            source.leave();
            greedy.leave();
        }
    }

    /**
     * The calm conference's one-way latency (publisher's send to subscriber's receive, through the server's
     * media thread) while each case ran: measured, not asserted (issue 17: "media-thread latency for a calm
     * conference stays flat"). Written to target/hostile-peers-latency.md; BENCHMARKS.md has a run.
     */
    private final List<String> latencyByCase = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void writeLatencyTable() throws java.io.IOException {
        StringBuilder table = new StringBuilder("| case | calm packets | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n");
        latencyByCase.forEach(row -> table.append(row).append('\n'));
        java.nio.file.Files.createDirectories(java.nio.file.Path.of("target"));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "hostile-peers-latency.md"), table);
        System.out.println("calm conference latency per case:\n" + table);
    }

    /** No hostile peer: the calm conference's latency to compare every case with. */
    @Test
    @Order(0)
    void calmBaseline() throws Exception {
        Thread.sleep(3000);
    }

    /** What the calm conference's peers received from the calm publishers (no one else's streams). */
    private record Calm(long received, long lost, long corrupted, long reordered, long[] latency) {
        /** A table row of what the calm subscribers received since {@code before}. */
        String latencyRowSince(Calm before, String name) {
            long[] diff = new long[latency.length];
            long packets = 0;
            int max = 0;
            for (int i = 0; i < diff.length; i++) {
                diff[i] = latency[i] - before.latency[i];
                packets += diff[i];
                if (diff[i] > 0) {
                    max = i;
                }
            }
            return String.format(java.util.Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |", name, packets,
                    StreamStats.percentileMillis(diff, 0.5), StreamStats.percentileMillis(diff, 0.99), max * 0.1);
        }

        static Calm of(List<SimulatedPeer> calm) {
            long received = 0;
            long lost = 0;
            long corrupted = 0;
            long reordered = 0;
            long[] latency = null;
            for (SimulatedPeer p : calm) {
                for (Map.Entry<String, StreamStats> e : p.streams.entrySet()) {
                    if (calm.stream().noneMatch(q -> e.getKey().startsWith(q.endpointId + "/"))) {
                        continue;
                    }
                    StreamStats s = e.getValue();
                    received += s.received;
                    lost += s.lost();
                    corrupted += s.corrupted;
                    reordered += s.reordered;
                    long[] h = s.latencyHistogram();
                    if (latency == null) {
                        latency = new long[h.length];
                    }
                    for (int i = 0; i < h.length; i++) {
                        latency[i] += h[i];
                    }
                }
            }
            return new Calm(received, lost, corrupted, reordered, latency == null ? new long[1] : latency);
        }
    }

    /** Signaling that rewrites the publish offer on its way out (a client lying in its SDP). */
    private static class SdpRewriting implements SfuClient.Signaling {
        private final WebSocketSignaling delegate;
        private final java.util.function.UnaryOperator<String> rewrite;

        SdpRewriting(WebSocketSignaling delegate, java.util.function.UnaryOperator<String> rewrite) {
            this.delegate = delegate;
            this.rewrite = rewrite;
        }

        @Override
        public CompletionStage<String> publishOffer(String sdp) {
            return delegate.publishOffer(rewrite.apply(sdp));
        }

        @Override
        public void subscribeAnswer(String sdp) throws Exception {
            delegate.subscribeAnswer(sdp);
        }
    }

    /** The sum of a metric's series in the server's Prometheus text. */
    private double metric(String name) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : body.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        waitFor(condition, what, 15);
    }

    private static void waitFor(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** A STUN Binding Request (RFC 5389) with USERNAME and a MESSAGE-INTEGRITY made with {@code key}. */
    private static byte[] bindingRequest(String username, byte[] key) throws Exception {
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        int userPadded = (user.length + 3) & ~3;
        int length = 4 + userPadded + 4 + 20;
        byte[] m = new byte[20 + length];
        m[1] = 0x01;
        m[2] = (byte) (length >> 8);
        m[3] = (byte) length;
        m[4] = 0x21;
        m[5] = 0x12;
        m[6] = (byte) 0xa4;
        m[7] = 0x42;
        new Random().nextBytes(java.util.Arrays.copyOfRange(m, 8, 20));
        for (int i = 8; i < 20; i++) {
            m[i] = (byte) (i * 17);
        }
        int at = 20;
        m[at + 1] = 0x06;
        m[at + 3] = (byte) user.length;
        System.arraycopy(user, 0, m, at + 4, user.length);
        at += 4 + userPadded;
        m[at + 1] = 0x08;
        m[at + 3] = 20;
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key, "HmacSHA1"));
        mac.update(m, 0, at);
        System.arraycopy(mac.doFinal(), 0, m, at + 4, 20);
        return m;
    }
}
