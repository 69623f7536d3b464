package dev.sfu.signaling;

import dev.sfu.core.ConferenceService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import dev.sfu.cluster.ClusterNode;

/**
 * The HTTP port: the web client, {@code /health}, {@code /metrics}, {@code /api/conferences}, and the
 * signaling WebSocket at {@code /ws}. Netty event loops only route and parse; nothing here blocks.
 */
public final class HttpServer implements AutoCloseable {
    /** Largest HTTP request the server reads (the routes take no bodies). */
    private static final int MAX_HTTP_REQUEST = 64 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Channel channel;

    /** The cluster node, once started (cluster mode); joins wait for it by being refused as unavailable. */
    private final AtomicReference<ClusterNode> cluster = new AtomicReference<>();
    private final Drainer drainer;

    public HttpServer(ServerConfig config, ConferenceService conferences, PrometheusMeterRegistry registry,
            SslContext ssl) throws java.io.IOException {
        IceServers iceServers = new IceServers(config.iceServers(), config.turn().secret(),
                config.turn().credentialLifetime(), Clock.systemUTC());
        JoinAuthorizer authorizer = new JoinAuthorizer(config.auth(), Clock.systemUTC());
        ServerConfig.SignalingLimits limits = config.signaling();
        SignalingMetrics metrics = new SignalingMetrics(registry);
        ConnectionLimits connectionLimits = new ConnectionLimits(limits.maxConnections(), limits.maxConnectionsPerAddress());
        SessionRegistry joined = new SessionRegistry();
        HttpRoutes routes = new HttpRoutes(conferences, registry, draining, config.adminToken(),
                new OriginPolicy(config.allowedOrigins()), config.tlsEnabled(), connectionLimits, metrics)
                .withAdminApi(new AdminApi(conferences, joined, config.adminToken()));
        ResumeRegistry resumes = new ResumeRegistry(limits.resumeGrace(), (delay, task) -> {
            var timer = group.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> timer.cancel(false);
        }, metrics);
        registry.gauge("sfu.signaling.parked.endpoints", resumes, ResumeRegistry::parked);
        ConnectionRoster roster = new ConnectionRoster();
        SignalingSessionFactory sessions = new SignalingSessionFactory(conferences, iceServers, authorizer, metrics,
                limits.messagesPerSecond(), draining, resumes, joined, config.cluster().enabled(), cluster, roster);
        drainer = new Drainer(draining, conferences, roster, config.drainTimeout());
        ClusterRoutes clusterRoutes = new ClusterRoutes(cluster, conferences, drainer, config.adminToken());
        long idleSeconds = Math.max(1, limits.idleTimeout().toSeconds());
        // Writes beyond the high mark make the channel unwritable: the client is not reading fast enough.
        int high = Math.max(2048, Math.min(64 * 1024, limits.maxPendingBytes() / 2));
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast(ssl.newHandler(ch.alloc()));
                        }
                        p.addLast(new SlowReaderGuard(limits.maxPendingBytes(), limits.unwritableTimeout(), metrics));
                        p.addLast(new HttpServerCodec(8192, 16384, MAX_HTTP_REQUEST));
                        p.addLast(new HttpObjectAggregator(MAX_HTTP_REQUEST));
                        p.addLast(new IdleStateHandler(idleSeconds, Math.max(1, idleSeconds / 3), 0, TimeUnit.SECONDS));
                        p.addLast(clusterRoutes);
                        p.addLast(routes);
                        // Frames over maxFrameSize are refused by the decoder (1009) before they are buffered;
                        // fragments are joined up to the same size.
                        p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                .websocketPath("/ws").checkStartsWith(true).handshakeTimeoutMillis(10_000)
                                // SignalingHandler sends the 1009 and closes gracefully, so the client reads it.
                                .decoderConfig(WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(limits.maxFrameSize())
                                        .allowExtensions(false).closeOnProtocolViolation(false).build())
                                // SignalingHandler answers close frames: it must see them to tell a leave from a drop.
                                .handleCloseFrames(false).build()));
                        p.addLast(new WebSocketFrameAggregator(limits.maxFrameSize()));
                        p.addLast(new SignalingHandler(sessions, limits));
                    }
                });
        InetSocketAddress address = new InetSocketAddress(config.http().bindAddress(), config.http().port());
        try {
            channel = bootstrap.bind(address).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new java.io.IOException("cannot bind the HTTP port " + config.http().bindAddress() + ":"
                    + config.http().port() + ": " + e.getMessage(), e);
        }
    }

    /** The port actually bound. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Joins the cluster: from now on joins are routed through {@code node}. */
    public void cluster(ClusterNode node) {
        drainer.cluster(node);
        cluster.set(node);
    }

    /**
     * Starts draining (idempotent): {@code /health} answers 503 and no new conference starts here; calls go
     * on until they end or the drain timeout, then {@link #afterDrain} runs.
     */
    public void drain() {
        drainer.start();
    }

    /** What happens when a drain is over (the process exits); the admin API can start one too. */
    public void afterDrain(Runnable r) {
        drainer.afterDrain(r);
    }

    /** Waits until a drain that started is over. */
    public void awaitDrained() throws InterruptedException {
        drainer.await();
    }

    /** Whether a drain started (by SIGTERM or the admin API). */
    public boolean draining() {
        return draining.get();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
