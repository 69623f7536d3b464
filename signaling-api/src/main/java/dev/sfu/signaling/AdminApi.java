package dev.sfu.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sfu.core.ConferenceDetail;
import dev.sfu.core.ConferenceService;
import dev.sfu.core.EndpointHandle;
import dev.sfu.core.Participant;
import dev.sfu.core.SignalingException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API (docs/admin-api.md, described by {@code openapi.json}): JSON in and out, errors as
 * {@code {code, message}}, every route behind the bearer token {@code SFU_ADMIN_TOKEN} and off without it.
 * Handlers run on the Netty event loop and never block: a conference's details are taken on its media
 * thread and written back when ready.
 */
final class AdminApi {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final String ID = "([A-Za-z0-9._-]{1,64})";
    private static final int MAX_BODY = 16 * 1024;

    /** One route: the OpenAPI test compares this table with the document. */
    record Route(String method, String template, Pattern pattern) {
        Route(String method, String template) {
            this(method, template, Pattern.compile(template.replaceAll("\\{[a-zA-Z]+\\}", ID.replace("\\", "\\\\"))));
        }
    }

    static final Route LIST = new Route("GET", "/api/conferences");
    static final Route GET = new Route("GET", "/api/conferences/{conference}");
    static final Route CLOSE = new Route("DELETE", "/api/conferences/{conference}");
    static final Route KICK = new Route("DELETE", "/api/conferences/{conference}/participants/{endpointId}");
    static final Route MUTE = new Route("POST", "/api/conferences/{conference}/participants/{endpointId}/tracks/{trackId}/mute");
    static final Route PERMISSIONS = new Route("PATCH", "/api/conferences/{conference}/participants/{endpointId}/permissions");
    static final List<Route> ROUTES = List.of(LIST, GET, CLOSE, KICK, MUTE, PERMISSIONS);
    static final String OPENAPI_PATH = "/api/openapi.json";

    private final ConferenceService conferences;
    private final SessionRegistry sessions;
    private final String adminToken;

    /** @param adminToken null = the admin API is off */
    AdminApi(ConferenceService conferences, SessionRegistry sessions, String adminToken) {
        this.conferences = conferences;
        this.sessions = sessions;
        this.adminToken = adminToken;
    }

    static boolean handles(String path) {
        return path.equals("/api/conferences") || path.startsWith("/api/conferences/") || path.equals(OPENAPI_PATH);
    }

    /** Answers one request; the caller releases it after this returns (the body is read here). */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        if (path.equals(OPENAPI_PATH)) {
            openApi(ctx, request);
            return;
        }
        if (adminToken == null) {
            // Off unless it has its own token: never the join tokens' secret, never open.
            error(ctx, request, HttpResponseStatus.NOT_FOUND, "not-found", "the admin API is off: set SFU_ADMIN_TOKEN to turn it on");
            return;
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String presented = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        if (!JoinAuthorizer.adminAllowed(adminToken, presented)) {
            error(ctx, request, HttpResponseStatus.UNAUTHORIZED, "unauthorized", "send the admin token as Authorization: Bearer TOKEN");
            return;
        }
        boolean pathKnown = false;
        for (Route route : ROUTES) {
            Matcher m = route.pattern().matcher(path);
            if (!m.matches()) {
                continue;
            }
            pathKnown = true;
            String method = request.method() == HttpMethod.HEAD ? "GET" : request.method().name();
            if (!route.method().equals(method)) {
                continue;
            }
            try {
                dispatch(route, m, ctx, request);
            } catch (ApiError e) {
                error(ctx, request, e.status, e.code, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("admin request {} {} failed", request.method(), route.template(), e);
                error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "the server could not handle the request");
            }
            return;
        }
        if (pathKnown) {
            error(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "this route does not take "
                    + request.method().name());
        } else {
            error(ctx, request, HttpResponseStatus.NOT_FOUND, "not-found", "no such admin API route (see " + OPENAPI_PATH + ")");
        }
    }

    private void dispatch(Route route, Matcher m, ChannelHandlerContext ctx, FullHttpRequest request) throws ApiError {
        if (route == LIST) {
            list(ctx, request);
        } else if (route == GET) {
            get(ctx, request, m.group(1));
        } else if (route == CLOSE) {
            close(ctx, request, m.group(1));
        } else if (route == KICK) {
            participant(m.group(1), m.group(2)).remove("kicked");
            ok(ctx, request, json().put("removed", m.group(2)));
        } else if (route == MUTE) {
            mute(ctx, request, participant(m.group(1), m.group(2)), m.group(3));
        } else if (route == PERMISSIONS) {
            permissions(ctx, request, participant(m.group(1), m.group(2)));
        }
    }

    private void list(ChannelHandlerContext ctx, FullHttpRequest request) {
        ArrayNode list = SignalingSession.JSON.createArrayNode();
        for (ConferenceService.ConferenceSummary c : conferences.conferences()) {
            ObjectNode node = list.addObject().put("conference", c.conferenceId());
            ArrayNode endpoints = node.putArray("endpoints");
            for (Participant p : c.endpoints()) {
                endpoints.addObject().put("endpointId", p.endpointId()).put("displayName", p.displayName());
            }
        }
        respond(ctx, request, HttpResponseStatus.OK, list.toString());
    }

    private void get(ChannelHandlerContext ctx, FullHttpRequest request, String conference) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method() == HttpMethod.HEAD;
        conferences.conference(conference).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS)
                .whenComplete((detail, failure) -> {
                    if (failure != null) {
                        write(ctx, keepAlive, head, HttpResponseStatus.SERVICE_UNAVAILABLE,
                                errorBody("unavailable", "the conference did not answer in time"));
                    } else if (detail == null) {
                        write(ctx, keepAlive, head, HttpResponseStatus.NOT_FOUND,
                                errorBody("not-found", "no conference " + conference));
                    } else {
                        write(ctx, keepAlive, head, HttpResponseStatus.OK, toJson(detail).toString());
                    }
                });
    }

    private ObjectNode toJson(ConferenceDetail detail) {
        ObjectNode root = json().put("conference", detail.conferenceId());
        ArrayNode participants = root.putArray("participants");
        for (ConferenceDetail.EndpointDetail e : detail.endpoints()) {
            ObjectNode p = participants.addObject().put("endpointId", e.endpointId()).put("displayName", e.displayName())
                    .put("identity", e.identity()).put("hidden", e.hidden()).put("metadata", e.metadata());
            JoinedParticipant joined = sessions.participant(e.endpointId());
            Grants grants = joined != null ? joined.grants() : null;
            p.set("permissions", grants != null ? grants.toJson() : json().put("canSubscribe", e.canSubscribe())
                    .put("canPublishData", e.canPublishData()));
            p.set("transports", json().put("publish", e.publishTransport()).put("subscribe", e.subscribeTransport()));
            ArrayNode tracks = p.putArray("tracks");
            for (ConferenceDetail.TrackDetail t : e.tracks()) {
                ObjectNode track = tracks.addObject().put("trackId", t.trackId()).put("mid", t.mid()).put("kind", t.kind())
                        .put("source", t.source()).put("muted", t.muted()).put("bitrate", t.bitrate());
                ArrayNode layers = track.putArray("layers");
                for (ConferenceDetail.LayerDetail l : t.layers()) {
                    layers.addObject().put("rid", l.rid()).put("bitrate", l.bitrate()).put("height", l.height())
                            .put("active", l.active());
                }
            }
        }
        return root;
    }

    private void close(ChannelHandlerContext ctx, FullHttpRequest request, String conference) throws ApiError {
        List<JoinedParticipant> list = sessions.participants(conference);
        boolean exists = conferences.conferences().stream().anyMatch(c -> c.conferenceId().equals(conference));
        if (list.isEmpty() && !exists) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "not-found", "no conference " + conference);
        }
        for (JoinedParticipant s : list) {
            s.remove("conference-closed");
        }
        ok(ctx, request, json().put("conference", conference).put("removed", list.size()));
    }

    private void mute(ChannelHandlerContext ctx, FullHttpRequest request, JoinedParticipant participant, String trackId)
            throws ApiError {
        JsonNode body = body(request, Set.of("muted"));
        JsonNode muted = body.get("muted");
        if (muted == null || !muted.isBoolean()) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "bad-request", "the body needs \"muted\": true or false");
        }
        EndpointHandle e = participant.handle();
        if (!e.publishedSources().containsKey(trackId)) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "not-found", "the participant publishes no track " + trackId);
        }
        try {
            e.setTrackMuted(trackId, muted.asBoolean(), true);
        } catch (SignalingException x) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "not-found", x.getMessage());
        }
        ok(ctx, request, json().put("trackId", trackId).put("muted", muted.asBoolean()));
    }

    private void permissions(ChannelHandlerContext ctx, FullHttpRequest request, JoinedParticipant participant)
            throws ApiError {
        JsonNode body = body(request, Set.of("canPublish", "canSubscribe", "canPublishData", "sources"));
        Grants updated;
        try {
            updated = participant.grants().withUpdates(body);
        } catch (SignalingException e) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "bad-request", e.getMessage().replaceAll(" \\(claim [a-zA-Z]+\\)", ""));
        }
        participant.updateGrants(updated);
        ok(ctx, request, updated.toJson());
    }

    /** A joined participant of a conference (its connection may be dropped and awaiting resumption), or 404. */
    private JoinedParticipant participant(String conference, String endpointId) throws ApiError {
        JoinedParticipant s = sessions.participant(endpointId);
        if (s == null || !s.conferenceId().equals(conference)) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "not-found", "no participant " + endpointId + " in " + conference);
        }
        return s;
    }

    /** The request's JSON object body, with only the fields named. */
    private static JsonNode body(FullHttpRequest request, Set<String> fields) throws ApiError {
        if (request.content().readableBytes() > MAX_BODY) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "bad-request", "the body is over " + MAX_BODY + " bytes");
        }
        JsonNode body;
        try {
            body = SignalingSession.JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "bad-request", "the body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new ApiError(HttpResponseStatus.BAD_REQUEST, "bad-request", "the body must be a JSON object");
        }
        for (String name : (Iterable<String>) body::fieldNames) {
            if (!fields.contains(name)) {
                throw new ApiError(HttpResponseStatus.BAD_REQUEST, "bad-request", "unknown field \""
                        + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + "\": expected " + String.join(", ", fields));
            }
        }
        return body;
    }

    private void openApi(ChannelHandlerContext ctx, FullHttpRequest request) {
        try (InputStream in = AdminApi.class.getResourceAsStream("/openapi.json")) {
            respond(ctx, request, HttpResponseStatus.OK, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | NullPointerException e) {
            error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "the API document is missing");
        }
    }

    private static ObjectNode json() {
        return SignalingSession.JSON.createObjectNode();
    }

    private static String errorBody(String code, String message) {
        return json().put("code", code).put("message", message).toString();
    }

    private static void ok(ChannelHandlerContext ctx, FullHttpRequest request, ObjectNode body) {
        respond(ctx, request, HttpResponseStatus.OK, body.toString());
    }

    private static void error(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String code,
            String message) {
        respond(ctx, request, status, errorBody(code, message));
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
        write(ctx, HttpUtil.isKeepAlive(request), request.method() == HttpMethod.HEAD, status, body);
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, boolean head, HttpResponseStatus status,
            String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        response.headers().set("X-Content-Type-Options", "nosniff");
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A refusal with its HTTP status and wire code. */
    private static final class ApiError extends Exception {
        final HttpResponseStatus status;
        final String code;

        ApiError(HttpResponseStatus status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }
}
