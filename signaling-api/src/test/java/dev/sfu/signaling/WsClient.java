package dev.sfu.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test WebSocket client of the signaling API: sends text, queues what arrives. */
final class WsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    WsClient(int port) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
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

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete(-1);
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    void send(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] data) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(data), true).get(10, TimeUnit.SECONDS);
    }

    /** The next message of a type, skipping others (server-initiated messages may interleave). */
    JsonNode next(String type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
            if (m != null && type.equals(m.path("type").asText())) {
                return m;
            }
        }
        throw new AssertionError("no " + type + " message within 10 s");
    }

    /** Sends a request and returns the reply (or error) carrying its id. */
    JsonNode request(String json) throws Exception {
        send(json);
        JsonNode id = JSON.readTree(json).get("id");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
            if (m != null && (id == null ? m.path("type").asText().equals("error") : id.equals(m.get("id")))) {
                return m;
            }
        }
        throw new AssertionError("no reply to " + json);
    }

    /** Drops the connection without a close frame, as a dying network does: the server may park the endpoint. */
    void drop() {
        socket.abort();
    }

    /** Closes cleanly (a close frame: the same as leave), then lets go of the socket. */
    @Override
    public void close() {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
                closed.get(2, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // already closed by the server, or it does not answer: drop it
        } finally {
            socket.abort();
        }
    }
}
