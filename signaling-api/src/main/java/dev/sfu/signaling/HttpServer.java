package dev.sfu.signaling;

import dev.sfu.core.ConferenceService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP port: the web client, {@code /health}, {@code /metrics}, {@code /api/conferences}, and the
 * signaling WebSocket at {@code /ws}. Netty event loops only route and parse; nothing here blocks.
 */
public final class HttpServer implements AutoCloseable {
    /** Frames up to this size are read; text over {@link #MAX_MESSAGE} gets an error. Beyond: closed (1009). */
    static final int MAX_FRAME = 1024 * 1024;
    static final int MAX_MESSAGE = 64 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Channel channel;

    public HttpServer(ServerConfig config, ConferenceService conferences, PrometheusMeterRegistry registry,
            SslContext ssl) throws InterruptedException {
        IceServers iceServers = new IceServers(config.iceServerUrls(), config.turnSecret(),
                config.turnCredentialLifetime(), Clock.systemUTC());
        JoinAuthorizer authorizer = new JoinAuthorizer(config.authSecret(), Clock.systemUTC());
        SignalingMetrics metrics = new SignalingMetrics(registry);
        HttpRoutes routes = new HttpRoutes(conferences, registry, draining, config.authSecret() != null
                ? (config.adminToken() != null ? config.adminToken() : config.authSecret()) : null,
                config.allowedOrigins());
        SignalingSessionFactory sessions = new SignalingSessionFactory(conferences, iceServers, authorizer, metrics,
                config.messagesPerSecond(), draining);
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast(ssl.newHandler(ch.alloc()));
                        }
                        p.addLast(new HttpServerCodec(8192, 16384, MAX_FRAME));
                        p.addLast(new HttpObjectAggregator(MAX_MESSAGE));
                        p.addLast(new IdleStateHandler(60, 20, 0, TimeUnit.SECONDS));
                        p.addLast(routes);
                        p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                .websocketPath("/ws").maxFramePayloadLength(MAX_FRAME).allowExtensions(false)
                                .handshakeTimeoutMillis(10_000).build()));
                        p.addLast(new SignalingHandler(sessions));
                    }
                })
                .bind(new InetSocketAddress(config.httpBindAddress(), config.httpPort())).sync().channel();
    }

    /** The port actually bound. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** From now on {@code /health} answers 503 and joins are refused. */
    public void drain() {
        draining.set(true);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
