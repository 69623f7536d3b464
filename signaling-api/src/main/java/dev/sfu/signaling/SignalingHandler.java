package dev.sfu.signaling;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection: text frames go to its {@link SignalingSession}; a close frame is the same
 * as {@code leave}, a connection that drops without one leaves its endpoint waiting to be resumed. Its limits (docs/security.md): a join within the join deadline, frames within the frame
 * limit, and messages within the message limit; the server pings an idle connection and closes one silent
 * for the idle timeout. A client that does not read is {@link SlowReaderGuard}'s.
 */
final class SignalingHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingHandler.class);

    /** How long a socket closed by the server keeps reading (and discarding) before it is closed. */
    static final long LINGER_MILLIS = 2000;

    private final SignalingSessionFactory sessions;
    private final ServerConfig.SignalingLimits limits;
    private SignalingSession session;
    /** The client sent a close frame: the connection ends cleanly (a leave), not by a drop. */
    private boolean closeFrameReceived;
    /** Our close frame is on its way: what the client still sends is read and dropped. */
    private boolean closing;
    private ScheduledFuture<?> joinDeadline;

    SignalingHandler(SignalingSessionFactory sessions, ServerConfig.SignalingLimits limits) {
        this.sessions = sessions;
        this.limits = limits;
    }

    private SignalingMetrics metrics() {
        return sessions.metrics();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
            Channel channel = ctx.channel();
            metrics().connected();
            session = sessions.create(new SignalingSession.Connection() {
                @Override
                public void send(String json) {
                    // SlowReaderGuard closes the channel if the client does not take what is written.
                    if (channel.isActive()) {
                        channel.writeAndFlush(new TextWebSocketFrame(json));
                    }
                }

                @Override
                public void close(int code, String reason) {
                    // Graceful, like every close of ours: a client still sending (a flood closed with 1008)
                    // must still read the close frame and the errors before it, not a reset.
                    ctx.executor().execute(() -> {
                        closing = true;
                        closeGracefully(ctx, new CloseWebSocketFrame(code, reason));
                    });
                }
            }, urlConference(handshake.requestUri()));
            joinDeadline = ctx.executor().schedule(() -> {
                if (session != null && !session.hasJoined() && channel.isActive()) {
                    metrics().refused(SignalingMetrics.Limit.JOIN_DEADLINE);
                    channel.writeAndFlush(new CloseWebSocketFrame(1008, "no join within "
                            + readable(limits.joinDeadline()))).addListener(ChannelFutureListener.CLOSE);
                }
            }, limits.joinDeadline().toNanos(), TimeUnit.NANOSECONDS);
        } else if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(new PingWebSocketFrame());
            } else if (idle.state() == IdleState.READER_IDLE) {
                ctx.writeAndFlush(new CloseWebSocketFrame(1001, "no traffic for " + readable(limits.idleTimeout())))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    /** {@code /ws?conference=NAME}: the conference a balancer routed on, which the join must name. */
    static String urlConference(String uri) {
        java.util.List<String> values = new io.netty.handler.codec.http.QueryStringDecoder(uri).parameters()
                .get("conference");
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String readable(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (session == null || (closing && !(frame instanceof CloseWebSocketFrame))) {
            return;
        }
        if (frame instanceof TextWebSocketFrame text) {
            if (text.content().readableBytes() > limits.maxMessageSize()) {
                session.onInvalidFrame("a message may be at most " + limits.maxMessageSize() / 1024 + " KiB");
                return;
            }
            session.onMessage(text.text());
        } else if (frame instanceof CloseWebSocketFrame) {
            // Answered here rather than by the protocol handler, to tell a goodbye from a dropped connection.
            closeFrameReceived = true;
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            session.onInvalidFrame("binary frames are not part of the protocol: send JSON text");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (joinDeadline != null) {
            joinDeadline.cancel(false);
        }
        if (session != null) {
            session.onClose(closeFrameReceived);
            sessions.closed(session);
            metrics().disconnected();
            session = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupted
                && corrupted.closeStatus() == WebSocketCloseStatus.MESSAGE_TOO_BIG) {
            // The frame decoder refused a frame over the limit from its header; it discards the rest.
            metrics().refused(SignalingMetrics.Limit.FRAME_TOO_LARGE);
            closeGracefully(ctx, new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG));
            return;
        }
        if (cause instanceof TooLongFrameException) {
            // Fragments that add up to more than the limit (the frame aggregator).
            metrics().refused(SignalingMetrics.Limit.FRAME_TOO_LARGE);
            closeGracefully(ctx, new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG));
            return;
        }
        LOG.debug("signaling connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /**
     * Sends a close frame while the client may still be sending (the rest of an oversized frame): closing
     * the socket at once would make the kernel answer those bytes with a reset, which can destroy the
     * close frame before the client reads it. Instead our side of the connection is shut after the frame,
     * what still arrives is discarded by the decoders, and the socket closes when the client closes its
     * side or after {@link #LINGER_MILLIS}.
     */
    private static void closeGracefully(ChannelHandlerContext ctx, CloseWebSocketFrame frame) {
        Channel channel = ctx.channel();
        ctx.writeAndFlush(frame).addListener(f -> {
            if (channel instanceof io.netty.channel.socket.SocketChannel socket && socket.isActive()) {
                socket.shutdownOutput();
                ctx.executor().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                channel.close();
            }
        });
    }
}
