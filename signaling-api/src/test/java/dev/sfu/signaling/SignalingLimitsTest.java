package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The signaling connection limits (docs/security.md), each with real WebSockets on 127.0.0.1. */
@Timeout(60)
class SignalingLimitsTest {

    private static Main.Server start(String file) throws Exception {
        return TestServers.start(new Properties(), file);
    }

    static double metric(Main.Server server, String name, String reason) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Pattern line = Pattern.compile("^" + Pattern.quote(name)
                + (reason == null ? "" : "\\{reason=\"" + Pattern.quote(reason) + "\",?\\}") + " (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    static double refused(Main.Server server, String reason) throws Exception {
        return metric(server, "sfu_signaling_refused_total", reason);
    }

    static void waitFor(BooleanSupplierWithException condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    interface BooleanSupplierWithException {
        boolean getAsBoolean() throws Exception;
    }

    /** The status of a refused upgrade, or 101 when it succeeded (then the socket is closed). */
    private static int upgradeStatus(Main.Server server) throws Exception {
        try {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort() + "/ws"), new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    @Test
    void aSocketThatDoesNotJoinInTimeIsClosedWith1008() throws Exception {
        try (Main.Server server = start("sfu.signaling.join-deadline = 500ms");
                WsClient idle = new WsClient(server.httpPort());
                WsClient joined = new WsClient(server.httpPort())) {
            assertEquals("joined", joined.request("{\"type\":\"join\",\"conference\":\"deadline\",\"id\":1}")
                    .get("type").asText());
            assertEquals(1008, idle.closed.get(10, TimeUnit.SECONDS));
            assertEquals(1.0, refused(server, "join-deadline"));
            Thread.sleep(600); // past the deadline: the joined one is untouched
            assertEquals("pong", joined.request("{\"type\":\"ping\",\"id\":2}").get("type").asText());
        }
    }

    @Test
    void connectionsPerAddressAreCappedAt429AndFreedOnClose() throws Exception {
        try (Main.Server server = start("sfu.signaling.max-connections-per-address = 2")) {
            WsClient a = new WsClient(server.httpPort());
            try (WsClient b = new WsClient(server.httpPort())) {
                assertEquals(429, upgradeStatus(server));
                assertEquals(1.0, refused(server, "max-connections-per-address"));
                assertEquals("pong", b.request("{\"type\":\"ping\",\"id\":1}").get("type").asText());
                a.close();
                // Once the server sees a close, its slot is free again.
                waitFor(() -> metric(server, "sfu_signaling_connections", null) == 1.0, "a's slot released");
                assertEquals(101, upgradeStatus(server));
            }
        }
    }

    @Test
    void connectionsInAllAreCappedAt503() throws Exception {
        try (Main.Server server = start("sfu.signaling.max-connections = 1"); WsClient a = new WsClient(server.httpPort())) {
            assertEquals(503, upgradeStatus(server));
            assertEquals(1.0, refused(server, "max-connections"));
            assertEquals("pong", a.request("{\"type\":\"ping\",\"id\":1}").get("type").asText());
            // Plain HTTP is not a signaling connection and is still served.
            assertTrue(metric(server, "sfu_signaling_connections", null) == 1.0);
        }
    }

    @Test
    void aFrameOverTheLimitClosesWith1009() throws Exception {
        try (Main.Server server = start("")) {
            try (WsClient c = new WsClient(server.httpPort())) {
                // Over the message limit but within the frame limit: an error, and the connection goes on.
                c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
                assertEquals("error", c.next("error").get("type").asText());
                try {
                    c.send("x".repeat(200 * 1024));
                } catch (ExecutionException closedWhileSending) {
                    // the server may close before the whole frame is written
                }
                // The decoder refuses the frame from its header while the rest of the 200 KiB is still arriving:
                // the server sends 1009, shuts its side and reads on, so no reset can destroy the close frame.
                assertEquals(1009, c.closed.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1.0, refused(server, "frame-too-large"));
            // Fragments adding up to more than the limit: the same.
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort() + "/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                            closed.complete(statusCode);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket w, Throwable error) {
                            closed.complete(-1);
                        }
                    }).get(10, TimeUnit.SECONDS);
            try {
                for (int i = 0; i < 3; i++) {
                    ws.sendText("y".repeat(60 * 1024), false).get(10, TimeUnit.SECONDS);
                }
                ws.sendText("}", true).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException closedWhileSending) {
                // closed once the fragments passed the limit
            }
            assertEquals(1009, closed.get(10, TimeUnit.SECONDS));
            assertEquals(2.0, refused(server, "frame-too-large"));
        }
    }

    /**
     * A client that never reads while the server has much to tell it (here: pongs echoing a 60 KB id) is
     * closed once more than the pending limit waits for it, and counted; its connection is gone.
     */
    @Test
    void aClientThatNeverReadsIsClosedOncePendingBytesPassTheLimit() throws Exception {
        try (Main.Server server = start("sfu.signaling { messages-per-second = 1000000, max-pending-bytes = 256KiB, "
                + "unwritable-timeout = 1h }")) {
            floodWithoutReading(server, "pending-bytes", textPing(), 3000);
        }
    }

    /** The same with WebSocket ping frames, which Netty answers with pongs outside the signaling session. */
    @Test
    void aClientFloodingWebSocketPingsWithoutReadingIsClosed() throws Exception {
        try (Main.Server server = start("sfu.signaling { max-pending-bytes = 256KiB, unwritable-timeout = 1h }")) {
            byte[] ping = maskedFrame(0x89, new byte[125]);
            byte[] burst = new byte[ping.length * 500];
            for (int i = 0; i < 500; i++) {
                System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
            }
            // Bounded: 400 bursts of 500 pings are ~26 MB of pongs.
            floodWithoutReading(server, "pending-bytes", burst, 400);
        }
    }

    @Test
    void aClientThatNeverReadsIsClosedOnceUnwritableForTheTimeout() throws Exception {
        try (Main.Server server = start("sfu.signaling { messages-per-second = 1000000, max-pending-bytes = 512MiB, "
                + "unwritable-timeout = 300ms }")) {
            floodWithoutReading(server, "unwritable", textPing(), 3000);
        }
    }

    /** A JSON ping whose 60 KB id the pong echoes. */
    private static byte[] textPing() {
        return maskedFrame(0x81, ("{\"type\":\"ping\",\"id\":\"" + "p".repeat(60_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void floodWithoutReading(Main.Server server, String reason, byte[] frames, int maxWrites)
            throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // before connect: a small window, so the server's side fills
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.httpPort()), 5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + server.httpPort() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = readHeaders(in);
            assertTrue(response.startsWith("HTTP/1.1 101"), response);
            assertEquals(1.0, metric(server, "sfu_signaling_connections", null));
            int sent = 0;
            try {
                // Bounded (3000 JSON pings are ~180 MB of pongs), and far past any socket buffer.
                while (sent < maxWrites && !(refused(server, reason) >= 1)) {
                    for (int i = 0; i < 20; i++, sent++) {
                        out.write(frames);
                    }
                }
            } catch (IOException closedByServer) {
                // the server closed the connection while we were still writing
            }
            waitFor(() -> refused(server, reason) == 1.0, "the slow reader counted once as " + reason);
            waitFor(() -> metric(server, "sfu_signaling_connections", null) == 0.0, "its connection gone");
            // Reading now drains what the kernel buffered and then finds the connection closed.
            socket.setSoTimeout(10_000);
            byte[] buf = new byte[65536];
            long read = 0;
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    read += n;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server did not close the connection", e);
            } catch (IOException reset) {
                // closed with a reset: also closed
            }
            assertTrue(sent > 0 && read < (long) sent * frames.length, "the server stopped answering before the end");
        }
    }

    private static String readHeaders(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /** A client-to-server frame (masked, as RFC 6455 requires; the all-zero key leaves it as it is). */
    private static byte[] maskedFrame(int firstByte, byte[] payload) {
        List<Byte> header = new ArrayList<>();
        header.add((byte) firstByte);
        if (payload.length < 126) {
            header.add((byte) (0x80 | payload.length));
        } else {
            header.add((byte) (0x80 | 126));
            header.add((byte) (payload.length >> 8));
            header.add((byte) payload.length);
        }
        byte[] frame = new byte[header.size() + 4 + payload.length];
        for (int i = 0; i < header.size(); i++) {
            frame[i] = header.get(i);
        }
        System.arraycopy(payload, 0, frame, header.size() + 4, payload.length);
        return frame;
    }

}
