package dev.sfu.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sfu.core.ConferenceService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Plain HTTP routes. A request for {@code /ws} passes on to the WebSocket handshake once its Origin is
 * allowed; everything else is answered here.
 */
@ChannelHandler.Sharable
final class HttpRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");

    private final ConferenceService conferences;
    private final PrometheusMeterRegistry registry;
    private final AtomicBoolean draining;
    /** Set on a channel that holds a signaling connection slot, so that it takes at most one. */
    private static final AttributeKey<Boolean> HOLDS_SLOT = AttributeKey.valueOf("sfu.signaling.slot");

    private final String adminToken;
    private final OriginPolicy origins;
    private final boolean tls;
    private final ConnectionLimits limits;
    private final SignalingMetrics metrics;
    private AdminApi admin;

    /** @param adminToken null = the admin API is off */
    HttpRoutes(ConferenceService conferences, PrometheusMeterRegistry registry, AtomicBoolean draining,
            String adminToken, OriginPolicy origins, boolean tls, ConnectionLimits limits, SignalingMetrics metrics) {
        super(false);
        this.conferences = conferences;
        this.registry = registry;
        this.draining = draining;
        this.adminToken = adminToken;
        this.origins = origins;
        this.tls = tls;
        this.limits = limits;
        this.metrics = metrics;
        this.admin = new AdminApi(conferences, new SessionRegistry(), adminToken);
    }

    /** The admin API's routes (they reach participants through the signaling sessions' registry). */
    HttpRoutes withAdminApi(AdminApi admin) {
        this.admin = admin;
        return this;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals("/ws")) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (!origins.allows(origin, request.headers().get(HttpHeaderNames.HOST), tls)) {
                request.release();
                metrics.refused(SignalingMetrics.Limit.ORIGIN);
                respond(ctx, request, HttpResponseStatus.FORBIDDEN, "text/plain", bytes("origin not allowed"));
                return;
            }
            if (!takeSlot(ctx, request)) {
                request.release();
                return;
            }
            ctx.fireChannelRead(request); // to the WebSocket handshake, which releases it
            return;
        }
        try {
            if (AdminApi.handles(path)) {
                admin.handle(ctx, request, path);
                return;
            }
            if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", bytes("GET only"));
                return;
            }
            switch (path) {
                case "/health" -> health(ctx, request);
                case "/metrics" -> respond(ctx, request, HttpResponseStatus.OK,
                        "text/plain; version=0.0.4; charset=utf-8", bytes(registry.scrape()));
                case "/check" -> staticFile(ctx, request, "/check.html"); // the connectivity check page
                default -> staticFile(ctx, request, path);
            }
        } finally {
            request.release();
        }
    }

    /**
     * Takes a signaling connection slot for this channel until it closes; when none is left, answers 503
     * (the instance is full: another may take the client) or 429 (this address holds too many).
     */
    private boolean takeSlot(ChannelHandlerContext ctx, FullHttpRequest request) {
        Channel channel = ctx.channel();
        if (channel.hasAttr(HOLDS_SLOT)) {
            return true;
        }
        InetAddress address = channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (address == null) {
            return true; // not a TCP peer (embedded tests)
        }
        ConnectionLimits.Refusal refusal = limits.tryOpen(address);
        if (refusal != null) {
            boolean global = refusal == ConnectionLimits.Refusal.MAX_CONNECTIONS;
            metrics.refused(global ? SignalingMetrics.Limit.MAX_CONNECTIONS : SignalingMetrics.Limit.MAX_CONNECTIONS_PER_ADDRESS);
            respond(ctx, request, global ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.TOO_MANY_REQUESTS,
                    "application/json", bytes(error(global ? "unavailable" : "too-many-connections",
                            global ? "this server holds its maximum of signaling connections: try another"
                                    : "too many signaling connections from your address")), true);
            return false;
        }
        channel.attr(HOLDS_SLOT).set(Boolean.TRUE);
        channel.closeFuture().addListener(f -> limits.release(address));
        return true;
    }

    private static String error(String code, String message) {
        return SignalingSession.JSON.createObjectNode().put("code", code).put("message", message).toString();
    }

    private void health(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean drain = draining.get();
        ObjectNode body = SignalingSession.JSON.createObjectNode().put("status", drain ? "draining" : "ok");
        respond(ctx, request, drain ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
                "application/json", bytes(body.toString()));
    }

    private void staticFile(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (!name.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*") || name.contains("..")) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain", bytes("not found"));
            return;
        }
        try (InputStream in = HttpRoutes.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain", bytes("not found"));
                return;
            }
            String extension = name.substring(name.lastIndexOf('.') + 1);
            respond(ctx, request, HttpResponseStatus.OK, CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"),
                    in.readAllBytes());
        } catch (IOException e) {
            respond(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain", bytes("cannot read file"));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String contentType, byte[] body) {
        respond(ctx, request, status, contentType, body, false);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String contentType, byte[] body, boolean close) {
        ByteBuf content = request.method() == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        response.headers().set("X-Content-Type-Options", "nosniff");
        boolean keepAlive = !close && HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
