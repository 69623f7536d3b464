package dev.sfu.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sfu.core.EndpointListener;
import dev.sfu.core.Participant;
import dev.sfu.core.TrackMapping;
import dev.sfu.core.media.MediaKind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The signaling API v1 over a real WebSocket, as a browser speaks it: requests with ids, replies matched
 * by id, server messages handed to an {@link EndpointListener} (an {@link SfuClient}). The load harness's
 * peers and the {@code check} command speak through it.
 */
public final class WebSocketSignaling implements SfuClient.Signaling, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;
    private final EndpointListener listener;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    /** Set when the server answered the join with {@code redirect}: the socket's close is expected. */
    private volatile boolean redirected;
    /** Set when the harness dropped this socket on purpose: the client resumes on another. */
    private volatile boolean dropped;

    private WebSocketSignaling(WebSocket socket, EndpointListener listener) {
        this.socket = socket;
        this.listener = listener;
    }

    /** Opens the WebSocket; server messages go to {@code listener} once it is open. */
    public static WebSocketSignaling connect(URI uri, HttpClient http, EndpointListener listener) throws Exception {
        Holder holder = new Holder();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(uri, holder).get(10, TimeUnit.SECONDS);
        WebSocketSignaling signaling = new WebSocketSignaling(socket, listener);
        holder.signaling.complete(signaling);
        return signaling;
    }

    /** Binds the socket listener to the signaling object created after the socket opened. */
    private static final class Holder implements WebSocket.Listener {
        final CompletableFuture<WebSocketSignaling> signaling = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                signaling.thenAccept(s -> s.onMessage(message));
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            // After a redirect the client lives on with the next node's socket: this close is not its end.
            signaling.thenAccept(s -> {
                if (!s.redirected && !s.dropped) {
                    s.listener.closed("websocket closed " + statusCode + " " + reason);
                }
            });
            return null;
        }
    }

    private void onMessage(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (IOException e) {
            return;
        }
        JsonNode id = m.get("id");
        if (id != null && id.canConvertToInt()) {
            CompletableFuture<JsonNode> reply = pending.remove(id.asInt());
            if (reply != null && "redirect".equals(m.path("type").asText())) {
                // Marked before the server's close (which follows at once) can reach onClose.
                redirected = true;
            }
            if (reply != null) {
                if ("error".equals(m.path("type").asText())) {
                    reply.completeExceptionally(new IOException(m.path("code").asText() + ": " + m.path("message").asText()));
                } else {
                    reply.complete(m);
                }
                return;
            }
        }
        switch (m.path("type").asText()) {
            case "offer" -> {
                List<TrackMapping> tracks = new ArrayList<>();
                for (JsonNode t : m.path("tracks")) {
                    tracks.add(new TrackMapping(t.path("mid").asText(), t.path("endpointId").asText(),
                            MediaKind.ofWireName(t.path("kind").asText()), t.path("trackId").asText()));
                }
                listener.subscribeOffer(m.path("sdp").asText(), tracks);
            }
            case "participantJoined" -> listener.participantJoined(
                    new Participant(m.path("endpointId").asText(), m.path("displayName").asText()));
            case "participantLeft" -> listener.participantLeft(m.path("endpointId").asText());
            case "dominantSpeaker" -> listener.dominantSpeaker(m.path("endpointId").asText());
            case "candidate" -> listener.candidate(m.path("transport").asText(), m.path("candidate").asText(),
                    m.path("sdpMid").asText(), m.path("sdpMLineIndex").asInt());
            default -> {
            }
        }
    }

    /** Sends a request and completes with its reply; an {@code error} reply completes exceptionally. */
    public CompletableFuture<JsonNode> request(ObjectNode message) {
        int id = nextId.getAndIncrement();
        message.put("id", id);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        send(message);
        return reply;
    }

    private void send(ObjectNode message) {
        synchronized (socket) {
            socket.sendText(message.toString(), true).join();
        }
    }

    /**
     * The conference in the URL ({@code ?conference=NAME}), so that a balancer can route on it; kept if the
     * URL already names one (a redirect's URL does).
     */
    public static URI withConference(URI server, String conference) {
        String query = server.getRawQuery();
        if (query != null && query.matches("(.*&)?conference=.*")) {
            return server;
        }
        String s = server.toString();
        return URI.create(s + (query == null ? "?" : "&") + "conference=" + conference);
    }

    public CompletableFuture<JsonNode> join(String conference, String displayName) {
        return join(conference, displayName, null);
    }

    /** {@code join} with a token (when the server requires one); null: none. */
    public CompletableFuture<JsonNode> join(String conference, String displayName, String token) {
        ObjectNode join = JSON.createObjectNode().put("type", "join").put("conference", conference)
                .put("displayName", displayName);
        if (token != null) {
            join.put("token", token);
        }
        return request(join);
    }

    @Override
    public CompletionStage<String> publishOffer(String sdp) {
        return request(JSON.createObjectNode().put("type", "offer").put("transport", "publish").put("sdp", sdp))
                .thenApply(reply -> reply.path("sdp").asText());
    }

    @Override
    public void subscribeAnswer(String sdp) {
        send(JSON.createObjectNode().put("type", "answer").put("transport", "subscribe").put("sdp", sdp));
    }

    /** {@code resume} (docs/signaling-protocol.md, "Resuming"): the first message of a new connection. */
    public CompletableFuture<JsonNode> resume(String endpointId, String resumeToken) {
        return request(JSON.createObjectNode().put("type", "resume").put("endpointId", endpointId)
                .put("resumeToken", resumeToken));
    }

    /** The join was answered with {@code redirect}: the close that follows is not the client's end. */
    public void markRedirected() {
        redirected = true;
    }

    /** Drops the connection as a failing network does: no close frame, no leave. */
    public void drop() {
        dropped = true;
        socket.abort();
    }

    public void leave() {
        send(JSON.createObjectNode().put("type", "leave"));
    }

    @Override
    public void close() {
        socket.abort();
    }
}
