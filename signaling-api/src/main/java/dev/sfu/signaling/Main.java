package dev.sfu.signaling;

import dev.sfu.cluster.ClusterNode;
import dev.sfu.core.Sfu;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Starts the SFU: the media port and core, then the HTTP/WebSocket server, and in a cluster its node.
 * SIGTERM drains: no new conference, {@code /health} turns 503, calls go on until they end or the drain
 * timeout passes, then the clients left are sent elsewhere and the process exits ({@link Drainer}).
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("check")) {
            // The check prints its own report; the client's and ice4j's logs would only bury it.
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
            String level = System.getenv("SFU_LOG_LEVEL");
            setRootLogLevel(level == null ? ServerConfig.LogLevel.WARN : ServerConfig.LogLevel.valueOf(level.trim()
                    .toUpperCase(java.util.Locale.ROOT)));
            if (level == null && LoggerFactory.getLogger("org.ice4j") instanceof ch.qos.logback.classic.Logger ice4j) {
                ice4j.setLevel(ch.qos.logback.classic.Level.ERROR); // its warnings about client agents mean nothing here
            }
            System.exit(CheckCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
            return;
        }
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(TokenTool.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out,
                    System.err));
            return;
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        ServerConfig config;
        try {
            config = ServerConfig.load(args, System.getenv());
        } catch (ConfigException e) {
            // One line, no stack trace: the message names the key and what it expects.
            System.err.println("configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        setRootLogLevel(config.logLevel());
        if (config.ops().logFormat() == ServerConfig.LogFormat.JSON) {
            Operations.useJsonLogs();
        }
        Server server;
        try {
            server = Server.start(config);
        } catch (Exception e) {
            // A port in use or an unreadable certificate: say which, without a stack trace.
            System.err.println("cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        for (String warning : StartupChecks.warnings(config, server::mediaPortAnswersAt)) {
            LOG.warn("REACHABILITY: {}", warning);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // A drain the admin API started ends the process, which runs the hook below.
        server.afterDrain(() -> new Thread(() -> System.exit(0), "exit").start());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: draining");
            server.drainAndClose();
            stopped.countDown();
        }, "shutdown"));
        String scheme = config.tlsEnabled() ? "https" : "http";
        System.out.println();
        System.out.println("  SFU is running. Open " + scheme + "://localhost:" + server.httpPort() + "/ in a browser");
        System.out.println("  (two tabs make a call; media on UDP " + server.mediaPort()
                + (server.iceTcpPort() > 0 ? " and ICE-TCP " + server.iceTcpPort() : "") + ", advertised as "
                + config.sfu().ice().advertisedAddresses() + ")");
        System.out.println();
        stopped.await();
    }

    /** Applies {@code sfu.log-level} over logback.xml's start level (which reads SFU_LOG_LEVEL itself). */
    private static void setRootLogLevel(ServerConfig.LogLevel level) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.toLevel(level.name()));
        }
    }

    /** A running server: core plus HTTP. Tests start it in process. */
    public static final class Server implements AutoCloseable {
        private final Sfu sfu;
        private final HttpServer http;
        private volatile ClusterNode cluster;
        private Webhooks webhooks;

        private Server(Sfu sfu, HttpServer http) {
            this.sfu = sfu;
            this.http = http;
        }

        public static Server start(ServerConfig config) throws Exception {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmGcMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            Sfu sfu = Sfu.start(config.sfu(), registry);
            Operations.registerBuildInfo(registry);
            Webhooks webhooks = new Webhooks(config.ops(), registry, java.time.Clock.systemUTC());
            if (webhooks.enabled()) {
                sfu.setEvents(webhooks);
            }
            Server server;
            try {
                server = new Server(sfu, new HttpServer(config, sfu, registry, sslContext(config)));
                server.webhooks = webhooks;
            } catch (Exception e) {
                sfu.close();
                webhooks.close();
                throw e;
            }
            if (config.cluster().enabled()) {
                // After the HTTP port is bound: the node's public URL names it.
                server.cluster = ClusterStart.start(config, sfu, registry, server.httpPort());
                server.http.cluster(server.cluster);
            }
            return server;
        }

        private static SslContext sslContext(ServerConfig config) throws Exception {
            if (config.tls().mode() == ServerConfig.TlsMode.PEM) {
                return SslContextBuilder.forServer(new File(config.tls().certificate()), new File(config.tls().key())).build();
            }
            if (config.tls().mode() == ServerConfig.TlsMode.SELF_SIGNED) {
                SelfSignedTls tls = SelfSignedTls.generate();
                LOG.warn("serving https with a self-signed certificate (SHA-256 {}): browsers will ask to accept it",
                        tls.fingerprint());
                return SslContextBuilder.forServer(tls.privateKey(), tls.certificate()).build();
            }
            return null;
        }

        public int httpPort() {
            return http.port();
        }

        public int mediaPort() {
            return sfu.mediaPort();
        }

        /** True when a STUN request to {@code address} at the media port comes back from it (1 s at most). */
        boolean mediaPortAnswersAt(java.net.InetAddress address) {
            return sfu.mediaPortAnswersAt(address, java.time.Duration.ofSeconds(1));
        }

        /** The passive ICE-TCP port bound, or 0 when ICE-TCP is off. */
        public int iceTcpPort() {
            return sfu.iceTcpPort();
        }

        /** What happens when a drain started by the admin API is over. */
        public void afterDrain(Runnable r) {
            http.afterDrain(r);
        }

        /**
         * Drains (if it had not started), waits until every call ended or the drain timeout passed and the
         * clients left were sent elsewhere, then closes.
         */
        public void drainAndClose() {
            http.drain();
            try {
                http.awaitDrained();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }

        /** Closes at once: refuses joins, reports 503, gives up its leases, closes every endpoint, then the ports. */
        @Override
        public void close() {
            http.drain();
            ClusterNode node = cluster;
            if (node != null) {
                node.close();
            }
            sfu.close();
            http.close();
            if (webhooks != null) {
                webhooks.close();
            }
        }
    }
}
