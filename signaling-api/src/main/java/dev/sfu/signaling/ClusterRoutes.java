package dev.sfu.signaling;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sfu.cluster.ClusterNode;
import dev.sfu.cluster.NodeRecord;
import dev.sfu.core.ConferenceService;
import dev.sfu.core.Participant;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The admin routes of draining and of the cluster, all behind the admin token: {@code POST /api/drain},
 * {@code GET /api/nodes} (the nodes with their load) and, in a cluster, {@code GET /api/conferences} for the
 * whole cluster with each conference's node. Everything else passes on to {@link HttpRoutes}.
 */
@ChannelHandler.Sharable
final class ClusterRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final AtomicReference<ClusterNode> cluster;
    private final ConferenceService conferences;
    private final Drainer drainer;
    private final String adminToken;

    ClusterRoutes(AtomicReference<ClusterNode> cluster, ConferenceService conferences, Drainer drainer,
            String adminToken) {
        super(false);
        this.cluster = cluster;
        this.conferences = conferences;
        this.drainer = drainer;
        this.adminToken = adminToken;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        ClusterNode node = cluster.get();
        boolean ours = path.equals("/api/drain") || path.equals("/api/nodes")
                || (path.equals("/api/conferences") && node != null);
        if (!ours) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            if (!authorized(ctx, request)) {
                return;
            }
            switch (path) {
                case "/api/drain" -> {
                    if (request.method() != HttpMethod.POST) {
                        respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, error("bad-request", "POST only"));
                        return;
                    }
                    boolean started = drainer.start();
                    respond(ctx, request, HttpResponseStatus.ACCEPTED, SignalingSession.JSON.createObjectNode()
                            .put("status", "draining").put("started", started).toString());
                }
                case "/api/nodes" -> {
                    if (node == null) {
                        respond(ctx, request, HttpResponseStatus.NOT_FOUND,
                                error("not-found", "this server runs alone: set SFU_REDIS_URL to make a cluster"));
                        return;
                    }
                    respond(ctx, request, HttpResponseStatus.OK, nodes(node).toString());
                }
                default -> respond(ctx, request, HttpResponseStatus.OK, clusterConferences(node).toString());
            }
        } finally {
            request.release();
        }
    }

    private boolean authorized(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (adminToken == null) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND,
                    error("not-found", "the admin API is off: set SFU_ADMIN_TOKEN to turn it on"));
            return false;
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String presented = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        if (!JoinAuthorizer.adminAllowed(adminToken, presented)) {
            respond(ctx, request, HttpResponseStatus.UNAUTHORIZED,
                    error("unauthorized", "send the admin token as Authorization: Bearer TOKEN"));
            return false;
        }
        return true;
    }

    private static ArrayNode nodes(ClusterNode node) {
        ArrayNode list = SignalingSession.JSON.createArrayNode();
        for (NodeRecord n : node.nodes()) {
            ObjectNode o = list.addObject().put("id", n.id()).put("url", n.url()).put("region", n.region())
                    .put("version", n.version()).put("state", n.state().name().toLowerCase())
                    .put("endpoints", n.endpoints()).put("conferences", n.conferences().size())
                    .put("packetsPerSecond", n.packetsPerSecond()).put("cpu", n.cpu()).put("stress", n.stress())
                    .put("updatedMillis", n.updatedMillis()).put("self", n.id().equals(node.nodeId()));
            ArrayNode media = o.putArray("mediaAddresses");
            n.mediaAddresses().forEach(media::add);
        }
        return list;
    }

    /** Every conference of the cluster and its node; the endpoints in full for those on this node. */
    private ArrayNode clusterConferences(ClusterNode node) {
        Map<String, List<Participant>> here = new HashMap<>();
        for (ConferenceService.ConferenceSummary c : conferences.conferences()) {
            here.put(c.conferenceId(), c.endpoints());
        }
        ArrayNode list = SignalingSession.JSON.createArrayNode();
        for (NodeRecord n : node.nodes()) {
            boolean self = n.id().equals(node.nodeId());
            Map<String, Integer> listed = self ? new HashMap<>() : n.conferences();
            if (self) {
                here.forEach((name, endpoints) -> listed.put(name, endpoints.size()));
            }
            listed.keySet().stream().sorted().forEach(name -> {
                ObjectNode o = list.addObject().put("conference", name).put("node", n.id())
                        .put("endpointCount", listed.get(name));
                if (self) {
                    ArrayNode endpoints = o.putArray("endpoints");
                    for (Participant p : here.get(name)) {
                        endpoints.addObject().put("endpointId", p.endpointId()).put("displayName", p.displayName());
                    }
                }
            });
        }
        return list;
    }

    private static String error(String code, String message) {
        return SignalingSession.JSON.createObjectNode().put("code", code).put("message", message).toString();
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                request.method() == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        response.headers().set("X-Content-Type-Options", "nosniff");
        if (HttpUtil.isKeepAlive(request)) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
