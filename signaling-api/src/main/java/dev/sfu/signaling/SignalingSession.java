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
    private final ResumeRegistry resumes;
    private final SessionRegistry registry;
    /** The endpoint's lasting state (grants) while this session carries it. */
    private volatile JoinedParticipant participant;
    private volatile EndpointHandle endpoint;
    /** Carries the endpoint's messages to this session while it is the attached one. */
    private volatile EndpointRelay relay;
    private volatile boolean hasJoined;
    private int errorsInARow;

    SignalingSession(ConferenceService conferences, Connection connection, IceServers iceServers,
            JoinAuthorizer authorizer, SignalingMetrics metrics, RateLimiter rateLimiter, ResumeRegistry resumes) {
        this(conferences, connection, iceServers, authorizer, metrics, rateLimiter, resumes, new SessionRegistry());
    }

    SignalingSession(ConferenceService conferences, Connection connection, IceServers iceServers,
            JoinAuthorizer authorizer, SignalingMetrics metrics, RateLimiter rateLimiter, ResumeRegistry resumes,
            SessionRegistry registry) {
        this.registry = registry;
        this.conferences = conferences;
        this.connection = connection;
        this.iceServers = iceServers;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.rateLimiter = rateLimiter;
        this.resumes = resumes;
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
        } catch (JoinRedirect r) {
            // The conference is on another node (docs/signaling-protocol.md, "Clusters").
            send(reply("redirect", id).put("url", r.url()));
            connection.close(1000, "redirect");
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
            case "resume" -> resume(m, id);
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
        String[] endpointId = new String[1];
        EndpointRelay newRelay = new EndpointRelay(() -> resumes.forget(endpointId[0]));
        EndpointHandle handle = conferences.join(conference, displayName, newRelay, granted.joinOptions());
        endpointId[0] = handle.endpointId();
        String resumeToken = resumes.register(handle, newRelay);
        JoinedParticipant joinedParticipant = new JoinedParticipant(handle, newRelay, granted,
                () -> resumes.forget(handle.endpointId()));
        newRelay.onEnded(() -> registry.unregister(joinedParticipant));
        endpoint = handle;
        relay = newRelay;
        participant = joinedParticipant;
        hasJoined = true;
        JoinedParticipant replaced = registry.register(joinedParticipant);
        if (replaced != null) {
            replaced.remove("duplicate-identity");
        }
        LOG.debug("joined {} as {}", handle.conferenceId(), DisplayNames.forLog(displayName));
        metrics.joined();
        ObjectNode joined = reply("joined", id);
        joined.put("endpointId", handle.endpointId());
        joined.put("conference", handle.conferenceId());
        joined.set("iceServers", iceServers.forEndpoint(handle.endpointId()));
        putParticipants(joined, handle.participantsAtJoin());
        if (resumes.enabled()) {
            joined.put("resumeToken", resumeToken);
        }
        // Attached only now, so that "joined" is the first message the client gets about this endpoint.
        newRelay.attach(this, () -> send(joined));
    }

    private static void putParticipants(ObjectNode message, List<Participant> list) {
        ArrayNode participants = message.putArray("participants");
        for (Participant p : list) {
            participants.addObject().put("endpointId", p.endpointId()).put("displayName", p.displayName());
        }
    }

    /**
     * {@code resume}: takes over an endpoint whose WebSocket dropped (docs/signaling-protocol.md,
     * "Resuming"). The reply lists the participants now, then a fresh subscribe offer follows; the client
     * restarts ICE itself if its network changed.
     */
    private void resume(JsonNode m, JsonNode id) throws SignalingException {
        if (endpoint != null) {
            throw new SignalingException(Code.BAD_REQUEST, "already joined: resume is the first message of a connection");
        }
        String endpointId = requiredText(m, "endpointId");
        String token = requiredText(m, "resumeToken");
        ResumeRegistry.Resumable taken = resumes.claim(endpointId, token);
        if (taken == null) {
            throw new SignalingException(Code.NOT_JOINED, "this session cannot be resumed (ended, expired or unknown): join anew");
        }
        EndpointHandle handle = taken.handle();
        endpoint = handle;
        relay = taken.relay();
        participant = registry.participant(handle.endpointId());
        hasJoined = true;
        LOG.info("{} resumed on a new connection", handle.endpointId());
        ObjectNode resumed = reply("resumed", id);
        resumed.put("endpointId", handle.endpointId());
        resumed.put("conference", handle.conferenceId());
        putParticipants(resumed, handle.participants());
        EndpointListener previous = taken.relay().attach(this, () -> send(resumed));
        if (previous instanceof SignalingSession old) {
            old.handOver(); // the old connection has not noticed it is dead yet: it must not end the endpoint
        }
        handle.resendSubscribeOffer();
    }

    /** Another connection resumed this session's endpoint: let go of it and close quietly. */
    private void handOver() {
        endpoint = null;
        relay = null;
        participant = null;
        connection.close(1000, "resumed on another connection");
    }

    private void offer(JsonNode m, JsonNode id) throws SignalingException {
        EndpointHandle e = joined();
        requireTransport(m, "publish", "offer");
        String sdp = requiredText(m, "sdp");
        Map<String, String> sources = PublishGrantCheck.sources(m);
        PublishGrantCheck.check(sdp, sources, grants());
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
        EndpointRelay r = relay;
        endpoint = null;
        relay = null;
        participant = null;
        if (e != null && r != null && r.detach(this)) {
            resumes.forget(e.endpointId());
            e.leave();
        }
    }

    /** What this participant may do now: its token's grants, or as the admin API changed them. */
    private Grants grants() {
        JoinedParticipant p = participant;
        return p != null ? p.grants() : Grants.ALL;
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
        Grants g = grants();
        if (source != null && !muted.asBoolean() && !g.mayPublish(source)) {
            throw new SignalingException(Code.UNAUTHORIZED, "you may not unmute " + source
                    + (g.canPublish() ? " (grant sources)" : " (grant canPublish)"));
        }
        e.setTrackMuted(trackId, muted.asBoolean(), false);
    }

    /** The server removed the endpoint: {@code removed} with the reason, then the connection closes. */
    void removedByServer(String reason) {
        endpoint = null;
        relay = null;
        participant = null;
        send(reply("removed", null).put("reason", reason));
        connection.close(1000, reason);
    }

    /**
     * The connection closed. A clean close (the client's close frame) is a {@code leave}; a drop without
     * one parks the endpoint for resumption, its media going on, and it leaves only if no client takes it
     * back within the grace period.
     */
    void onClose(boolean clean) {
        EndpointHandle e = endpoint;
        EndpointRelay r = relay;
        if (clean || e == null || r == null) {
            leave();
            return;
        }
        endpoint = null;
        relay = null;
        participant = null;
        if (!r.detach(this)) {
            return; // another connection has resumed it already
        }
        if (resumes.park(e.endpointId())) {
            LOG.info("{}: signaling connection dropped; the endpoint waits for the client to resume", e.endpointId());
        } else {
            resumes.forget(e.endpointId());
            e.leave();
        }
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
            leave(); // a policy close is no drop: nothing to resume
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
        endpoint = null;
        relay = null;
        participant = null;
        connection.close(1000, reason.length() > 100 ? reason.substring(0, 100) : reason);
    }
}
