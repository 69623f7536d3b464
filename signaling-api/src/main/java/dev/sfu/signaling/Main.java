package dev.sfu.signaling;

import dev.sfu.core.Sfu;
import dev.sfu.core.SfuConfig;
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
 * Starts the SFU: the media port and core, then the HTTP/WebSocket server. SIGTERM drains: joins are
 * refused, {@code /health} turns 503, every endpoint is closed cleanly, then the process exits.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        ServerConfig config;
        try {
            config = ServerConfig.load(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Server server = Server.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: draining");
            server.close();
            stopped.countDown();
        }, "shutdown"));
        String scheme = config.tls() ? "https" : "http";
        System.out.println();
        System.out.println("  SFU is running. Open " + scheme + "://localhost:" + server.httpPort() + "/ in a browser");
        System.out.println("  (two tabs make a call; media on UDP " + server.mediaPort() + ", advertised as "
                + config.advertisedAddresses() + ")");
        System.out.println();
        stopped.await();
    }

    /** A running server: core plus HTTP. Tests start it in process. */
    public static final class Server implements AutoCloseable {
        private final Sfu sfu;
        private final HttpServer http;

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
            SfuConfig core = SfuConfig.builder()
                    .ice(dev.sfu.ice.IceConfig.builder().bindAddress(config.mediaBindAddress()).udpPort(config.mediaPort())
                            .advertisedAddresses(config.advertisedAddresses()).tcpPort(config.iceTcpPort())
                            .stunServer(config.stunServer()).consentTimeout(config.consentTimeout()).build())
                    .maxEndpointsPerConference(config.maxEndpointsPerConference()).maxConferences(config.maxConferences())
                    .mediaThreads(config.mediaThreads()).lastN(config.lastN()).build();
            Sfu sfu = Sfu.start(core, registry);
            try {
                return new Server(sfu, new HttpServer(config, sfu, registry, sslContext(config)));
            } catch (Exception e) {
                sfu.close();
                throw e;
            }
        }

        private static SslContext sslContext(ServerConfig config) throws Exception {
            if (config.tlsCertificate() != null && config.tlsKey() != null) {
                return SslContextBuilder.forServer(new File(config.tlsCertificate()), new File(config.tlsKey())).build();
            }
            if (config.tlsSelfSigned()) {
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

        /** Drains: refuses joins, reports 503, closes every endpoint, then the ports. */
        @Override
        public void close() {
            http.drain();
            sfu.close();
            http.close();
        }
    }
}
