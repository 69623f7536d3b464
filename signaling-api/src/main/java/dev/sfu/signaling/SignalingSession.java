package dev.sfu.signaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sfu.core.ConferenceService;
import dev.sfu.core.EndpointHandle;
import dev.sfu.core.EndpointListener;
import dev.sfu.core.Participant;
import dev.sfu.core.SignalingException;
import dev.sfu.core.SignalingException.Code;
import dev.sfu.core.TrackMapping;
import dev.sfu.core.transport.TransportRole;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One client's conversation in the signaling protocol (docs/signaling-protocol.md), independent of the
 * WebSocket carrying it: it validates each message, drives the endpoint, and answers with replies or
 * {@code error} messages. Nothing a client sends can make it throw; no stack trace reaches the client.
 */
final class SignalingSession implements EndpointListener {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingSession.class);
    static final ObjectMapper JSON = new ObjectMapper();
    /** Consecutive bad messages after which the connection is closed with 1008 (policy violation). */
    static final int MAX_ERRORS_IN_A_ROW = 20;

    /** Where the session's messages go, and how it closes its connection. */
    interface Connection {
        void send(String json);

        void close(int code, String reason);
    }

    private final ConferenceService conferences;
    private final Connection connection;
    private final IceServers iceServers;
    private final JoinAuthorizer authorizer;
    private final SignalingMetrics metrics;
    private final RateLimiter rateLimiter;
    private final SessionRegistry registry;
    /** What this participant may do: from its token, or changed by the admin API. */
    private volatile Grants grants = Grants.ALL;
    private volatile EndpointHandle endpoint;
    private volatile boolean hasJoined;
    private int errorsInARow;

    SignalingSession(ConferenceService conferences, Connection connection, IceServers iceServers,
            JoinAuthorizer authorizer, SignalingMetrics metrics, RateLimiter rateLimiter) {
        this(conferences, connection, iceServers, authorizer, metrics, rateLimiter, new SessionRegistry());
    }

    SignalingSession(ConferenceService conferences, Connection connection, IceServers iceServers,
            JoinAuthorizer authorizer, SignalingMetrics metrics, RateLimiter rateLimiter, SessionRegistry registry) {
        this.registry = registry;
        this.conferences = conferences;
        this.connection = connection;
        this.iceServers = iceServers;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.rateLimiter = rateLimiter;
    }

    EndpointHandle endpoint() {
        return endpoint;
    }

    /** Whether a join ever succeeded on this connection (the join deadline no longer applies). */
    boolean hasJoined() {
        return hasJoined;
    }

    /** Handles one text frame. */
    void onMessage(String text) {
        metrics.messageReceived();
        JsonNode id = null;
        EndpointHandle current = endpoint;
        if (current != null) {
            MDC.put("conference", current.conferenceId());
            MDC.put("endpoint", current.endpointId());
        }
        try {
            if (!rateLimiter.tryAcquire()) {
                throw new SignalingException(Code.BAD_REQUEST, "too many messages: slow down");
            }
            JsonNode message;
            try {
                message = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new SignalingException(Code.BAD_REQUEST, "not valid JSON");
            }
            if (message == null || !message.isObject()) {
                throw new SignalingException(Code.BAD_REQUEST, "a message must be a JSON object");
            }
            id = message.get("id");
            if (id != null && !id.isNumber() && !id.isTextual()) {
                id = null;
                throw new SignalingException(Code.BAD_REQUEST, "id must be a number or a string");
            }
            JsonNode type = message.get("type");
            if (type == null || !type.isTextual()) {
                throw new SignalingException(Code.BAD_REQUEST, "a message needs a string field \"type\"");
            }
            dispatch(type.asText(), message, id);
            errorsInARow = 0;
        } catch (SignalingException e) {
            sendError(id, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("signaling message failed", e);
            sendError(id, Code.INTERNAL, "the server could not handle the message");
        } finally {
            MDC.remove("conference");
            MDC.remove("endpoint");
        }
    }

    /** A frame that is not a message at all (too large, binary). */
    void onInvalidFrame(String reason) {
        metrics.messageReceived();
        sendError(null, Code.BAD_REQUEST, reason);
    }

    private void dispatch(String type, JsonNode m, JsonNode id) throws SignalingException {
        switch (type) {
            case "join" -> join(m, id);
            case "ping" -> send(reply("pong", id));
            case "offer" -> offer(m, id);
            case "answer" -> answer(m);
            case "candidate" -> candidate(m);
            case "receiverConstraints" -> receiverConstraints(m);
            case "restartIce" -> joined().restartIce(transport(m));
            case "leave" -> leave();
            case "mute" -> mute(m);
            default -> throw new SignalingException(Code.BAD_REQUEST, "unknown message type \"" + abbreviate(type) + "\"");
        }
    }

    private void join(JsonNode m, JsonNode id) throws SignalingException {
        if (endpoint != null) {
            throw new SignalingException(Code.BAD_REQUEST, "already joined: send leave first");
        }
        String conference = requiredText(m, "conference");
        String displayName = optionalText(m, "displayName", "");
        if (displayName.length() > DisplayNames.MAX_LENGTH) {
            throw new SignalingException(Code.BAD_REQUEST, "displayName must be at most 64 characters");
        }
        // Others receive it in their messages and it goes into logs: no control or format characters.
        displayName = DisplayNames.clean(displayName);
        Grants granted = authorizer.authorize(conference, optionalText(m, "token", null));
        if (granted.name() != null) {
            displayName = granted.name();
        }
        grants = granted;
        EndpointHandle handle = conferences.join(conference, displayName, this, granted.joinOptions());
        endpoint = handle;
        hasJoined = true;
        SignalingSession replaced = registry.register(handle.conferenceId(), handle.endpointId(), granted.identity(), this);
        if (replaced != null) {
            replaced.remove("duplicate-identity");
        }
        LOG.debug("joined {} as {}", handle.conferenceId(), DisplayNames.forLog(displayName));
        metrics.joined();
        ObjectNode joined = reply("joined", id);
        joined.put("endpointId", handle.endpointId());
        joined.put("conference", handle.conferenceId());
        joined.set("iceServers", iceServers.forEndpoint(handle.endpointId()));
        ArrayNode participants = joined.putArray("participants");
        for (Participant p : handle.participantsAtJoin()) {
            participants.addObject().put("endpointId", p.endpointId()).put("displayName", p.displayName());
        }
        send(joined);
    }

    private void offer(JsonNode m, JsonNode id) throws SignalingException {
        EndpointHandle e = joined();
        requireTransport(m, "publish", "offer");
        String sdp = requiredText(m, "sdp");
        Map<String, String> sources = PublishGrantCheck.sources(m);
        PublishGrantCheck.check(sdp, sources, grants);
        e.publishOffer(sdp, sources).whenComplete((answer, failure) -> {
            if (failure == null) {
                ObjectNode reply = reply("answer", id);
                reply.put("transport", "publish");
                reply.put("sdp", answer);
                send(reply);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof SignalingException s) {
                sendError(id, s.code(), s.getMessage());
            } else {
                LOG.error("publish offer failed", cause);
                sendError(id, Code.INTERNAL, "the server could not handle the offer");
            }
        });
    }

    private void answer(JsonNode m) throws SignalingException {
        EndpointHandle e = joined();
        requireTransport(m, "subscribe", "answer");
        e.subscribeAnswer(requiredText(m, "sdp"));
    }

    private void candidate(JsonNode m) throws SignalingException {
        EndpointHandle e = joined();
        TransportRole transport = transport(m);
        JsonNode candidate = m.get("candidate");
        if (candidate != null && !candidate.isNull() && !candidate.isTextual()) {
            throw new SignalingException(Code.BAD_REQUEST, "candidate must be a string or null");
        }
        JsonNode index = m.get("sdpMLineIndex");
        if (index != null && !index.isNull() && !index.canConvertToInt()) {
            throw new SignalingException(Code.BAD_REQUEST, "sdpMLineIndex must be a number");
        }
        e.remoteCandidate(transport, candidate == null || candidate.isNull() ? null : candidate.asText(),
                optionalText(m, "sdpMid", null), index == null || index.isNull() ? null : index.asInt());
    }

    /** The {@code transport} field: "publish" or "subscribe". */
    private static TransportRole transport(JsonNode m) throws SignalingException {
        TransportRole role = TransportRole.ofWireName(requiredText(m, "transport"));
        if (role == null) {
            throw new SignalingException(Code.BAD_REQUEST, "transport must be \"publish\" or \"subscribe\"");
        }
        return role;
    }

    private void receiverConstraints(JsonNode m) throws SignalingException {
        EndpointHandle e = joined();
        JsonNode d = m.get("defaultMaxHeight");
        if (d == null || !d.canConvertToInt() || d.asInt() < 0) {
            throw new SignalingException(Code.BAD_REQUEST, "defaultMaxHeight must be a non-negative integer");
        }
        Map<String, Integer> perEndpoint = new HashMap<>();
        JsonNode endpoints = m.get("endpoints");
        if (endpoints != null && !endpoints.isNull()) {
            if (!endpoints.isObject()) {
                throw new SignalingException(Code.BAD_REQUEST, "endpoints must be an object of endpointId to maxHeight");
            }
            for (Map.Entry<String, JsonNode> f : endpoints.properties()) {
                if (!f.getValue().canConvertToInt() || f.getValue().asInt() < 0) {
                    throw new SignalingException(Code.BAD_REQUEST, "maxHeight must be a non-negative integer");
                }
                perEndpoint.put(f.getKey(), f.getValue().asInt());
            }
        }
        e.receiverConstraints(d.asInt(), perEndpoint);
    }

    private void leave() {
        EndpointHandle e = endpoint;
        endpoint = null;
        if (e != null) {
            registry.unregister(e.conferenceId(), e.endpointId(), grants.identity(), this);
            e.leave();
        }
    }

    /** {@code mute}: the client mutes or unmutes one of its tracks; unmuting needs the grant to publish it. */
    private void mute(JsonNode m) throws SignalingException {
        EndpointHandle e = joined();
        String trackId = requiredText(m, "trackId");
        JsonNode muted = m.get("muted");
        if (muted == null || !muted.isBoolean()) {
            throw new SignalingException(Code.BAD_REQUEST, "muted must be true or false");
        }
        String source = e.publishedSources().get(trackId);
        if (source != null && !muted.asBoolean() && !grants.mayPublish(source)) {
            throw new SignalingException(Code.UNAUTHORIZED, "you may not unmute " + source
                    + (grants.canPublish() ? " (grant sources)" : " (grant canPublish)"));
        }
        e.setTrackMuted(trackId, muted.asBoolean(), false);
    }

    /**
     * The server removes this participant (admin API, a newer join of its identity, a closed conference):
     * it gets {@code removed} with the reason, its endpoint leaves, its WebSocket closes. Any thread.
     */
    void remove(String reason) {
        EndpointHandle e = endpoint;
        endpoint = null;
        if (e == null) {
            return;
        }
        registry.unregister(e.conferenceId(), e.endpointId(), grants.identity(), this);
        send(reply("removed", null).put("reason", reason));
        e.leave(reason);
        connection.close(1000, reason);
    }

    Grants grants() {
        return grants;
    }

    /**
     * New grants from the admin API: subscribing and data take effect at once; what it may no longer
     * publish is muted by the server (everyone is told) and its offers and unmutes are refused from now on.
     */
    void updateGrants(Grants updated) {
        grants = updated;
        EndpointHandle e = endpoint;
        if (e == null) {
            return;
        }
        e.updatePermissions(updated.canSubscribe(), updated.canPublishData() && !updated.hidden());
        for (String source : new java.util.HashSet<>(e.publishedSources().values())) {
            if (!updated.mayPublish(source)) {
                e.setSourceMuted(source, true);
            }
        }
    }

    /** The connection closed: the same as {@code leave}. */
    void onClose() {
        leave();
    }

    private EndpointHandle joined() throws SignalingException {
        EndpointHandle e = endpoint;
        if (e == null) {
            throw new SignalingException(Code.NOT_JOINED, "send join first");
        }
        return e;
    }

    private static void requireTransport(JsonNode m, String expected, String type) throws SignalingException {
        if (!expected.equals(requiredText(m, "transport"))) {
            throw new SignalingException(Code.BAD_REQUEST, type + " is only for transport \"" + expected + "\"");
        }
    }

    private static String requiredText(JsonNode m, String field) throws SignalingException {
        JsonNode v = m.get(field);
        if (v == null || !v.isTextual()) {
            throw new SignalingException(Code.BAD_REQUEST, "missing or non-string field \"" + field + "\"");
        }
        return v.asText();
    }

    private static String optionalText(JsonNode m, String field, String defaultValue) throws SignalingException {
        JsonNode v = m.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw new SignalingException(Code.BAD_REQUEST, "field \"" + field + "\" must be a string");
        }
        return v.asText();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static ObjectNode reply(String type, JsonNode id) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", type);
        if (id != null) {
            node.set("id", id);
        }
        return node;
    }

    private void sendError(JsonNode id, Code code, String message) {
        metrics.error(code);
        ObjectNode error = reply("error", id);
        error.put("code", code.wireName());
        error.put("message", message);
        send(error);
        if (++errorsInARow >= MAX_ERRORS_IN_A_ROW) {
            connection.close(1008, "too many bad messages");
        }
    }

    private void send(ObjectNode node) {
        connection.send(node.toString());
    }

    // ---- EndpointListener: the server speaks ----

    @Override
    public void subscribeOffer(String sdp, List<TrackMapping> tracks) {
        ObjectNode offer = reply("offer", null);
        offer.put("transport", "subscribe");
        offer.put("sdp", sdp);
        ArrayNode list = offer.putArray("tracks");
        for (TrackMapping t : tracks) {
            ObjectNode entry = list.addObject().put("mid", t.mid()).put("endpointId", t.endpointId())
                    .put("kind", t.kind().wireName()).put("trackId", t.trackId());
            if (t.source() != null) {
                entry.put("source", t.source());
            }
            entry.put("muted", t.muted());
        }
        send(offer);
    }

    @Override
    public void candidate(String transport, String candidate, String sdpMid, int sdpMLineIndex) {
        ObjectNode c = reply("candidate", null);
        c.put("transport", transport).put("candidate", candidate).put("sdpMid", sdpMid).put("sdpMLineIndex", sdpMLineIndex);
        send(c);
    }

    @Override
    public void participantJoined(Participant participant) {
        send(reply("participantJoined", null).put("endpointId", participant.endpointId())
                .put("displayName", participant.displayName()));
    }

    @Override
    public void participantLeft(String endpointId) {
        send(reply("participantLeft", null).put("endpointId", endpointId));
    }

    @Override
    public void dominantSpeaker(String endpointId) {
        send(reply("dominantSpeaker", null).put("endpointId", endpointId));
    }

    @Override
    public void trackMuted(String endpointId, String trackId, boolean muted) {
        send(reply("trackMuted", null).put("endpointId", endpointId).put("trackId", trackId).put("muted", muted));
    }

    @Override
    public void closed(String reason) {
        EndpointHandle e = endpoint;
        if (e != null) {
            registry.unregister(e.conferenceId(), e.endpointId(), grants.identity(), this);
        }
        endpoint = null;
        connection.close(1000, reason.length() > 100 ? reason.substring(0, 100) : reason);
    }
}
