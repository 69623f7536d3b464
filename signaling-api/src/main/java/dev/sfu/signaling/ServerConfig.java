package dev.sfu.signaling;

import dev.sfu.core.SfuConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The server's settings, as one typed tree: the HTTP/WebSocket side here, the media core in
 * {@link SfuConfig} (which holds the ICE settings and the media tuning). {@link #load} reads the
 * defaults ({@code sfu-defaults.conf}), then the file of {@code --config FILE}, then the {@code SFU_*}
 * environment variables, each overriding the one before (docs/configuration.md).
 *
 * @param http where the HTTP port listens
 * @param tls whether and how it serves https/wss
 * @param auth join tokens; a null secret = no authentication
 * @param adminToken bearer token of {@code /api/conferences}; null = the admin API is off
 * @param allowedOrigins Origins that may open {@code /ws}: empty = this server's own and localhost's,
 *     {@code ["*"]} = any
 * @param iceServers STUN/TURN URLs handed to clients
 * @param turn credentials for those TURN servers
 * @param signaling limits of the signaling connections
 * @param logLevel the root log level
 * @param sfu the media core
 * @param cluster the cluster this node belongs to; {@link Cluster#enabled()} false = standalone
 * @param drainTimeout how long a draining server lets calls go on
 * @param ops webhooks, the log format and metrics options (docs/operations.md)
 */
public record ServerConfig(
        Http http,
        Tls tls,
        Auth auth,
        String adminToken,
        List<String> allowedOrigins,
        List<String> iceServers,
        Turn turn,
        SignalingLimits signaling,
        LogLevel logLevel,
        SfuConfig sfu,
        Cluster cluster,
        Duration drainTimeout,
        Ops ops) {

    public ServerConfig {
        allowedOrigins = List.copyOf(allowedOrigins);
        iceServers = List.copyOf(iceServers);
    }

    /** A standalone server, drained for the default 30 min, with no webhooks and text logs. */
    public ServerConfig(Http http, Tls tls, Auth auth, String adminToken, List<String> allowedOrigins,
            List<String> iceServers, Turn turn, SignalingLimits signaling, LogLevel logLevel, SfuConfig sfu) {
        this(http, tls, auth, adminToken, allowedOrigins, iceServers, turn, signaling, logLevel, sfu,
                Cluster.STANDALONE, Duration.ofMinutes(30), Ops.NONE);
    }

    /**
     * @param redisUrl null = standalone
     * @param nodeId null = host name and HTTP port
     * @param publicUrl null = ws://first advertised address:HTTP port/ws
     */
    public record Cluster(String redisUrl, String nodeId, String publicUrl, String region, Duration heartbeat,
            Duration recordTtl, Duration leaseTtl, double capacityPacketsPerSecond, double fullStress,
            String keyPrefix, Duration redisTimeout) {
        static final Cluster STANDALONE = new Cluster(null, null, null, "", Duration.ofSeconds(2), Duration.ofSeconds(6),
                Duration.ofSeconds(10), 200_000, 0.9, "sfu:", Duration.ofSeconds(1));

        public boolean enabled() {
            return redisUrl != null;
        }
    }

    /** @param bindAddress the address the HTTP port binds */
    public record Http(int port, String bindAddress) {
    }

    /** How the HTTP port serves TLS. */
    public enum TlsMode {
        OFF, PEM, SELF_SIGNED
    }

    /** @param certificate PEM chain, for {@link TlsMode#PEM} @param key PKCS#8 PEM key, for {@link TlsMode#PEM} */
    public record Tls(TlsMode mode, String certificate, String key) {
        /** Whether the HTTP port serves https/wss. */
        public boolean enabled() {
            return mode != TlsMode.OFF;
        }
    }

    /**
     * @param secret HS256 key of join tokens; null = joins need no token
     * @param maxTokenLifetime the longest a token may be valid (exp - iat, or exp - now)
     * @param audience when not null, a token's {@code aud} must contain it
     * @param issuer when not null, a token's {@code iss} must be it
     */
    public record Auth(String secret, Duration maxTokenLifetime, String audience, String issuer) {
    }

    /** @param secret TURN REST shared secret, or null @param credentialLifetime lifetime of the credentials */
    public record Turn(String secret, Duration credentialLifetime) {
    }

    /**
     * @param messagesPerSecond per connection, bursts of twice that
     * @param joinDeadline from WebSocket open to a successful join
     * @param maxConnections open WebSockets in all
     * @param maxConnectionsPerAddress open WebSockets per client address
     * @param maxMessageSize a larger message gets an error (and the connection goes on)
     * @param maxFrameSize a larger frame or fragmented message closes the socket (1009)
     * @param maxPendingBytes bytes queued for a client that does not read before it is closed
     * @param unwritableTimeout how long a socket may stay unwritable before it is closed
     * @param idleTimeout a socket without traffic for this long is closed
     * @param resumeGrace how long an endpoint whose socket dropped waits to be resumed; zero: it leaves at once
     */
    public record SignalingLimits(int messagesPerSecond, Duration joinDeadline, int maxConnections,
            int maxConnectionsPerAddress, int maxMessageSize, int maxFrameSize, int maxPendingBytes,
            Duration unwritableTimeout, Duration idleTimeout, Duration resumeGrace) {
    }

    /**
     * @param webhookUrls receivers of the events (empty: no webhooks)
     * @param webhookSecret HMAC-SHA256 key of their signature header; null = unsigned
     * @param webhookMaxPending events queued per receiver; beyond, new ones are dropped and counted
     * @param webhookMaxAttempts tries per event before it is dropped and counted
     * @param webhookTimeout per request
     * @param logFormat text, or json (one JSON object a line)
     */
    public record Ops(List<String> webhookUrls, String webhookSecret, int webhookMaxPending, int webhookMaxAttempts,
            Duration webhookTimeout, LogFormat logFormat) {
        static final Ops NONE = new Ops(List.of(), null, 1000, 6, Duration.ofSeconds(5), LogFormat.TEXT);

        public Ops {
            webhookUrls = List.copyOf(webhookUrls);
        }
    }

    /** How log lines are written. */
    public enum LogFormat {
        TEXT, JSON
    }

    /** Root log levels. */
    public enum LogLevel {
        TRACE, DEBUG, INFO, WARN, ERROR
    }

    /**
     * Reads the configuration from the command line ({@code [--config FILE]}), the file it names, and the
     * environment.
     *
     * @throws ConfigException naming the key and what was expected, or the unknown argument
     */
    public static ServerConfig load(String[] args, Map<String, String> env) {
        return ConfigLoader.load(args, env);
    }

    /** Whether the HTTP port serves https/wss. */
    public boolean tlsEnabled() {
        return tls.enabled();
    }
}
