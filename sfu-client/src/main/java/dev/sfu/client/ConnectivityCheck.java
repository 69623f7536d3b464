package dev.sfu.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.ice.IceTransport;
import dev.sfu.ice.TurnProbe;
import dev.sfu.sctp.SendResult;
import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelListener;
import dev.sfu.sctp.dcep.DataChannelOptions;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connectivity check from a command line ({@code java -jar sfu-server.jar check URL}), the twin of
 * the {@code /check} page: from the machine it runs on, it joins a room over the signaling API, then for
 * UDP and for ICE-TCP connects two data-only clients through the server, times messages from one to the
 * other (a round trip to the server: both legs start and end here) and a 256 KiB burst; then it asks
 * every TURN server the SFU hands out for an allocation with the credentials it hands out. It prints what
 * works and what to do, in plain words. Each attempt costs the server two endpoints for a few seconds
 * and no media.
 */
public final class ConnectivityCheck {
    private static final int BURST_BYTES = 256 * 1024;
    private static final int CHUNK = 16 * 1024;
    private static final int PINGS = 5;

    /** One path's outcome. */
    public record PathResult(String name, boolean ok, String problem, long roundTripMillis, long kbps) {
    }

    /** Everything the check found, and what it means. */
    public record Report(boolean signalingOk, String signalingProblem, List<PathResult> paths, List<String> verdict) {
        /** The process's exit status: 0 when media has a path, 1 when not. */
        public int exitStatus() {
            return paths.stream().anyMatch(PathResult::ok) ? 0 : 1;
        }
    }

    private final URI webSocket;
    private final String room;
    private final String token;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public ConnectivityCheck(URI server, String room, String token, Duration timeout) {
        this.webSocket = webSocketUri(server);
        this.room = room;
        this.token = token;
        this.timeout = timeout;
    }

    /** {@code http(s)://host[:port]} or {@code ws(s)://host[:port]/ws}: the signaling WebSocket's URI. */
    static URI webSocketUri(URI server) {
        String scheme = switch (server.getScheme() == null ? "" : server.getScheme()) {
            case "https", "wss" -> "wss";
            case "http", "ws" -> "ws";
            default -> throw new IllegalArgumentException("the server URL must start with http://, https://, ws:// or "
                    + "wss://: " + server);
        };
        if (server.getHost() == null) {
            throw new IllegalArgumentException("the server URL has no host: " + server);
        }
        String path = server.getPath() == null || server.getPath().isEmpty() || server.getPath().equals("/") ? "/ws"
                : server.getPath();
        return URI.create(scheme + "://" + server.getRawAuthority() + path);
    }

    /** Runs every step; never throws for what the network does (that is what it reports). */
    public Report run() throws InterruptedException {
        MediaThread thread = new MediaThread("check");
        ExecutorService handshakes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "check-dtls");
            t.setDaemon(true);
            return t;
        });
        try {
            JsonNode joined;
            InetAddress local;
            ClientContext udp;
            try {
                local = localAddressTowards(webSocket.getHost());
                udp = ClientContext.onAddress(local, handshakes, IceTransport.Mode.UDP);
            } catch (java.io.IOException e) {
                return new Report(false, "cannot resolve " + webSocket.getHost() + ": " + reason(e), List.of(),
                        List.of("The server's host name does not resolve from here. Check the URL."));
            }
            try (Session probe = new Session("signaling", thread, udp)) {
                joined = probe.join();
            } catch (Exception e) {
                String problem = "cannot join over " + webSocket + ": " + reason(e);
                return new Report(false, problem, List.of(), List.of("The signaling server cannot be reached or refused "
                        + "the join (" + reason(e) + "). Check the URL, that the server runs, and give --token when it "
                        + "requires tokens."));
            }
            List<PathResult> paths = new ArrayList<>();
            paths.add(media("UDP", thread, udp));
            paths.add(media("TCP (ICE-TCP)", thread, ClientContext.onAddress(local, handshakes, IceTransport.Mode.TCP)));
            for (JsonNode server : joined.path("iceServers")) {
                JsonNode urls = server.path("urls");
                for (JsonNode url : urls.isArray() ? urls : List.of(urls)) {
                    if (url.asText().matches("^turns?:.*")) {
                        TurnProbe.Result r = TurnProbe.allocate(url.asText(), server.path("username").asText(),
                                server.path("credential").asText(), timeout);
                        paths.add(new PathResult("TURN " + url.asText(), r.ok(), r.problem(), r.roundTripMillis(), 0));
                    }
                }
            }
            return new Report(true, null, paths, verdict(paths));
        } finally {
            thread.close();
            handshakes.shutdownNow();
        }
    }

    /** Two clients on one path: a sender and a receiver of its messages through the server. */
    private PathResult media(String name, MediaThread thread, ClientContext context) throws InterruptedException {
        try (Session sender = new Session("check-sender", thread, context);
                Session receiver = new Session("check-receiver", thread, context)) {
            sender.join();
            receiver.join();
            sender.publishData();
            receiver.publishData();
            DataChannel channel = sender.client.openDataChannel("check", DataChannelOptions.RELIABLE)
                    .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            sender.connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            receiver.connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            // Pings: each carries its send time; the receiver keeps the median delay. Both ends are here.
            long[] delays = new long[PINGS];
            for (int i = 0; i < PINGS; i++) {
                receiver.nextPing = new CompletableFuture<>();
                long deadline = System.nanoTime() + timeout.toNanos();
                while (true) {
                    byte[] ping = ByteBuffer.allocate(16).putLong(0, System.nanoTime()).array();
                    sender.client.execute(() -> channel.send(ping, System.nanoTime()));
                    try {
                        // The first message makes the server open the relayed channel: it may take a retry.
                        delays[i] = receiver.nextPing.get(500, TimeUnit.MILLISECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        if (System.nanoTime() > deadline) {
                            throw e;
                        }
                    }
                }
            }
            Arrays.sort(delays);
            long rttMillis = Math.round(delays[PINGS / 2] / 1e6);
            // The burst: 256 KiB in 16 KiB messages, timed from the first send to the last byte received.
            receiver.burstBytes.set(0);
            receiver.burstDone = new CompletableFuture<>();
            long start = System.nanoTime();
            byte[] chunk = new byte[CHUNK];
            sender.client.execute(() -> {
                for (int sent = 0; sent < BURST_BYTES; sent += CHUNK) {
                    if (channel.send(chunk, System.nanoTime()) != SendResult.OK) {
                        receiver.burstDone.completeExceptionally(new IllegalStateException("the burst was refused"));
                        return;
                    }
                }
            });
            long end = receiver.burstDone.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            long kbps = Math.round(BURST_BYTES * 8.0 / Math.max(1, (end - start) / 1_000_000.0));
            return new PathResult(name, true, null, rttMillis, kbps);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new PathResult(name, false, reason(e), -1, 0);
        }
    }

    /** What works, in plain words (the same verdicts as the /check page). */
    static List<String> verdict(List<PathResult> paths) {
        PathResult udp = find(paths, "UDP");
        PathResult tcp = find(paths, "TCP (ICE-TCP)");
        List<PathResult> turns = paths.stream().filter(p -> p.name().startsWith("TURN ")).toList();
        List<String> lines = new ArrayList<>();
        if (udp != null && udp.ok()) {
            lines.add("UDP works: calls take the direct, fastest path.");
        } else if (tcp != null && tcp.ok()) {
            lines.add("UDP blocked on this network: ICE-TCP works, so calls connect over TCP (with more delay when "
                    + "packets are lost). Configure TURN over TLS on port 443 for networks that block both.");
        } else if (turns.stream().anyMatch(PathResult::ok)) {
            lines.add("Direct connections to the media server are blocked on this network: calls work through TURN.");
        } else {
            lines.add("No path to the media server works from this network. The server's UDP media port (and its TCP "
                    + "port for ICE-TCP) must be reachable, or configure a TURN server over TLS on port 443.");
        }
        for (PathResult t : turns) {
            if (!t.ok()) {
                lines.add(t.name().substring(5) + " failed (" + t.problem() + "): check that it runs and is reachable, "
                        + "and that the server's SFU_TURN_SECRET matches its static-auth-secret.");
            }
        }
        if (turns.isEmpty() && !(udp != null && udp.ok())) {
            lines.add("This server offers no TURN server: configure one (SFU_ICE_SERVERS, SFU_TURN_SECRET) for networks "
                    + "that block UDP.");
        }
        return lines;
    }

    private static PathResult find(List<PathResult> paths, String name) {
        return paths.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    /** The report as a person reads it. */
    public static void print(Report report, PrintStream out) {
        if (!report.signalingOk()) {
            out.println("signaling: fails: " + report.signalingProblem());
        } else {
            out.println("signaling: works");
            for (PathResult p : report.paths()) {
                out.println(String.format(Locale.ROOT, "%-40s %s", p.name() + ":", p.ok()
                        ? "works" + (p.roundTripMillis() >= 0 ? ", round trip " + p.roundTripMillis() + " ms" : "")
                                + (p.kbps() > 0 ? String.format(Locale.ROOT, ", %.1f Mbit/s", p.kbps() / 1000.0) : "")
                        : "fails: " + p.problem()));
            }
        }
        out.println();
        report.verdict().forEach(out::println);
    }

    /** The local address the system would use towards {@code host} (no packet is sent). */
    static InetAddress localAddressTowards(String host) throws java.io.IOException {
        InetAddress target = InetAddress.getByName(host);
        if (target.isLoopbackAddress()) {
            return target;
        }
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(target, 9));
            return s.getLocalAddress();
        }
    }

    /** A failure in plain words: no Java class names, which mean nothing to the person running the check. */
    static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.util.concurrent.CompletionException || t.getMessage() == null
                || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (t instanceof java.net.UnknownHostException) {
            return "unknown host " + t.getMessage();
        }
        if (t instanceof java.net.http.WebSocketHandshakeException h) {
            return "the server refused the WebSocket (HTTP " + h.getResponse().statusCode() + ")";
        }
        String message = t.getMessage() == null ? "failed" : t.getMessage();
        return message.replaceAll("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ?", "");
    }

    /** One client of the check: its WebSocket, its SfuClient, what its data channels received. */
    private final class Session implements DataChannelListener, AutoCloseable {
        final SfuClient client;
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        volatile CompletableFuture<Long> nextPing = new CompletableFuture<>();
        volatile CompletableFuture<Long> burstDone = new CompletableFuture<>();
        final AtomicLong burstBytes = new AtomicLong();
        private WebSocketSignaling signaling;

        Session(String name, MediaThread thread, ClientContext context) {
            this.client = new SfuClient(name, context, thread, new SfuClient.Listener() {
            });
        }

        JsonNode join() throws Exception {
            signaling = WebSocketSignaling.connect(WebSocketSignaling.withConference(webSocket, room), http, client);
            client.attach(signaling);
            JsonNode reply = signaling.join(room, "connectivity check", token).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            if ("redirect".equals(reply.path("type").asText())) {
                throw new IllegalStateException("the room is on another node (" + reply.path("url").asText()
                        + "): run the check against that node");
            }
            return reply;
        }

        void publishData() throws Exception {
            client.enableDataChannels(this);
            client.publish(List.of(ClientSdp.PublishSpec.data("0"))).toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onConnected() {
            connected.complete(null);
        }

        @Override
        public void onBinary(DataChannel channel, byte[] data) {
            if (data.length == 16) {
                nextPing.complete(System.nanoTime() - ByteBuffer.wrap(data).getLong(0));
            } else if (burstBytes.addAndGet(data.length) >= BURST_BYTES) {
                burstDone.complete(System.nanoTime());
            }
        }

        @Override
        public void close() {
            if (signaling != null) {
                try {
                    signaling.leave();
                } catch (RuntimeException e) {
                    // already closed
                }
                signaling.close();
            }
            client.close();
        }
    }
}
