package dev.sfu.signaling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.sfu.core.MediaTuning;
import dev.sfu.core.ResourceLimits;
import dev.sfu.core.SfuConfig;
import dev.sfu.core.sdp.PublishLimits;
import dev.sfu.ice.IceConfig;
import dev.sfu.ice.RemoteCandidateScope;
import java.io.File;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link ServerConfig} from the defaults file, an optional HOCON/JSON file and the environment.
 * A key of the file that the defaults do not have is refused with the closest known key; every value is
 * checked for its type and range and refused with the key's name.
 */
final class ConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    static final String DEFAULTS = "sfu-defaults.conf";
    /** Shorter secrets are refused: an HMAC key should be as long as its output. */
    static final int MIN_SECRET_BYTES = 32;

    private ConfigLoader() {
    }

    static ServerConfig load(String[] args, Map<String, String> env) {
        Config file = ConfigFactory.empty();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = parseFile(new File(args[++i]));
            } else {
                throw new ConfigException("unknown argument " + args[i] + " (usage: [--config FILE])");
            }
        }
        return load(file, env);
    }

    /** The file's settings over the defaults, then the environment's over both. */
    static ServerConfig load(Config file, Map<String, String> env) {
        Config defaults = defaults();
        checkKeys(file.root(), defaults.root(), "");
        List<String> unknown = new ArrayList<>();
        Config fromEnv = EnvironmentVariables.read(env, unknown);
        for (String name : unknown) {
            String suggestion = KeySuggestions.closest(name, EnvironmentVariables.VARIABLES.keySet());
            LOG.warn("ignoring unknown environment variable {} (did you mean {}?)", name, suggestion);
        }
        Config merged = fromEnv.withFallback(file).withFallback(defaults).resolve();
        return build(new Settings(merged));
    }

    static Config defaults() {
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), DEFAULTS,
                ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /** Parses HOCON (of which JSON is a part), with HOCON's includes and substitutions. */
    static Config parseFile(File f) {
        if (!f.canRead()) {
            throw new ConfigException("cannot read the configuration file " + f);
        }
        try {
            return ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
                    .setAllowMissing(false)).resolve();
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException(oneLine(e.getMessage()));
        }
    }

    /** Parses configuration text (tests). */
    static Config parseString(String text) {
        try {
            return ConfigFactory.parseString(text).resolve();
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException(oneLine(e.getMessage()));
        }
    }

    /** Refuses a key that the defaults do not have, naming the closest one that they do. */
    private static void checkKeys(ConfigObject given, ConfigObject known, String prefix) {
        for (Map.Entry<String, ConfigValue> e : given.entrySet()) {
            String key = prefix + quoteIfNeeded(e.getKey());
            ConfigValue knownValue = known.get(e.getKey());
            if (knownValue == null) {
                String suggestion = KeySuggestions.closest(key, knownKeys());
                throw new ConfigException("unknown key " + key + " (" + e.getValue().origin().description()
                        + "): did you mean " + suggestion + "?");
            }
            if (knownValue.valueType() == ConfigValueType.OBJECT) {
                if (e.getValue().valueType() != ConfigValueType.OBJECT) {
                    throw new ConfigException(key + " (" + e.getValue().origin().description()
                            + "): expected an object with keys " + ((ConfigObject) knownValue).keySet());
                }
                checkKeys((ConfigObject) e.getValue(), (ConfigObject) knownValue, key + ".");
            }
        }
    }

    /** Every leaf key of the defaults, nulls included. */
    static TreeSet<String> knownKeys() {
        TreeSet<String> keys = new TreeSet<>();
        collect(defaults().root(), "", keys);
        return keys;
    }

    private static void collect(ConfigObject o, String prefix, TreeSet<String> keys) {
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
            if (e.getValue().valueType() == ConfigValueType.OBJECT) {
                collect((ConfigObject) e.getValue(), prefix + e.getKey() + ".", keys);
            } else {
                keys.add(prefix + e.getKey());
            }
        }
    }

    private static String quoteIfNeeded(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
    }

    private static ServerConfig build(Settings s) {
        int mediaPort = s.integer("sfu.core.ice.media-port", 0, 65535);
        IceConfig ice = IceConfig.builder()
                .bindAddress(s.text("sfu.core.ice.bind-address"))
                .udpPort(mediaPort)
                .advertisedAddresses(advertised(s.list("sfu.core.ice.advertised-addresses")))
                .tcpPort(iceTcpPort(s, mediaPort))
                .stunServer(s.optionalText("sfu.core.ice.stun-server"))
                .consentTimeout(s.duration("sfu.core.ice.consent-timeout", 1000, 3_600_000))
                .remoteCandidates(s.enumValue("sfu.core.ice.remote-candidates", RemoteCandidateScope.class))
                .build();
        MediaTuning tuning = new MediaTuning(
                s.powerOfTwo("sfu.core.tuning.packet-ring-size", 2, 1 << 20),
                s.integer("sfu.core.tuning.dtls-handshake-threads", 1, 100_000),
                s.integer("sfu.core.tuning.dtls-handshake-queue", 0, Integer.MAX_VALUE),
                s.powerOfTwo("sfu.core.tuning.pacer-capacity", 2, 1 << 16),
                s.duration("sfu.core.tuning.pacer-tick", 1, 1000),
                s.duration("sfu.core.tuning.feedback-interval", 1, 10_000),
                s.duration("sfu.core.tuning.keyframe-request-interval", 1, 60_000));
        int threads = s.integer("sfu.core.media-threads", 0, 1024);
        SfuConfig sfu = SfuConfig.builder()
                .ice(ice)
                .mediaThreads(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads)
                .maxEndpointsPerConference(s.integer("sfu.core.max-endpoints-per-conference", 1, 100_000))
                .maxConferences(s.integer("sfu.core.max-conferences", 1, 1_000_000))
                .lastN(s.integer("sfu.core.last-n", 0, 1000))
                .conferenceMetrics(s.flag("sfu.core.conference-metrics"))
                .tuning(tuning)
                .limits(new ResourceLimits(
                        new PublishLimits(s.integer("sfu.core.limits.audio-tracks-per-endpoint", 0, 256),
                                s.integer("sfu.core.limits.video-tracks-per-endpoint", 0, 256),
                                s.integer("sfu.core.limits.ssrcs-per-track", 2, 64)),
                        s.longBytes("sfu.core.limits.packet-cache-budget", 0, 1L << 40),
                        s.integer("sfu.core.limits.dtls-handshakes-per-address", 1, 100_000),
                        s.integer("sfu.core.limits.dtls-handshakes-per-conference", 1, 100_000)))
                .build();
        ServerConfig.Tls tls = new ServerConfig.Tls(s.enumValue("sfu.tls.mode", ServerConfig.TlsMode.class),
                s.optionalText("sfu.tls.certificate"), s.optionalText("sfu.tls.key"));
        if (tls.mode() == ServerConfig.TlsMode.PEM && (tls.certificate() == null || tls.key() == null)) {
            throw new ConfigException("sfu.tls.mode = pem needs sfu.tls.certificate and sfu.tls.key "
                    + "(SFU_TLS_CERT and SFU_TLS_KEY)");
        }
        if (tls.mode() == ServerConfig.TlsMode.PEM) {
            for (String key : List.of("sfu.tls.certificate", "sfu.tls.key")) {
                String path = key.endsWith("key") ? tls.key() : tls.certificate();
                if (!new File(path).canRead()) {
                    throw new ConfigException(key + " (" + EnvironmentVariables.variableFor(key) + "): cannot read " + path);
                }
            }
        }
        if (tls.mode() != ServerConfig.TlsMode.PEM && (tls.certificate() != null || tls.key() != null)) {
            throw new ConfigException("sfu.tls.certificate or sfu.tls.key is set but sfu.tls.mode is "
                    + tls.mode().name().toLowerCase().replace('_', '-') + ": set sfu.tls.mode = pem");
        }
        return new ServerConfig(
                new ServerConfig.Http(s.integer("sfu.http.port", 0, 65535), s.text("sfu.http.bind-address")),
                tls,
                new ServerConfig.Auth(s.secret("sfu.auth.secret"),
                        s.duration("sfu.auth.max-token-lifetime", 1000, 366L * 24 * 3_600_000),
                        s.optionalText("sfu.auth.audience"), s.optionalText("sfu.auth.issuer")),
                s.secret("sfu.admin.token"),
                s.list("sfu.allowed-origins"),
                s.list("sfu.ice-servers"),
                new ServerConfig.Turn(s.secret("sfu.turn.secret"),
                        s.duration("sfu.turn.credential-lifetime", 1000, 366L * 24 * 3_600_000)),
                new ServerConfig.SignalingLimits(
                        s.integer("sfu.signaling.messages-per-second", 1, 1_000_000),
                        s.duration("sfu.signaling.join-deadline", 100, 3_600_000),
                        s.integer("sfu.signaling.max-connections", 1, 10_000_000),
                        s.integer("sfu.signaling.max-connections-per-address", 1, 10_000_000),
                        s.bytes("sfu.signaling.max-message-size", 1024, 16 << 20),
                        s.bytes("sfu.signaling.max-frame-size", 1024, 16 << 20),
                        s.bytes("sfu.signaling.max-pending-bytes", 1024, 1 << 30),
                        s.duration("sfu.signaling.unwritable-timeout", 10, 3_600_000),
                        s.duration("sfu.signaling.idle-timeout", 1000, 3_600_000),
                        s.duration("sfu.signaling.resume-grace", 0, 600_000)),
                s.enumValue("sfu.log-level", ServerConfig.LogLevel.class),
                sfu,
                cluster(s),
                s.duration("sfu.drain.timeout", 0, 7L * 24 * 3_600_000),
                new ServerConfig.Ops(webhookUrls(s.list("sfu.webhooks.urls")), s.secret("sfu.webhooks.secret"),
                        s.integer("sfu.webhooks.max-pending", 1, 1_000_000),
                        s.integer("sfu.webhooks.max-attempts", 1, 100),
                        s.duration("sfu.webhooks.timeout", 100, 600_000),
                        s.enumValue("sfu.log-format", ServerConfig.LogFormat.class)));
    }

    /** Webhook receivers must be http(s) URLs: a typo stops the server instead of losing every event. */
    private static List<String> webhookUrls(List<String> urls) {
        for (String url : urls) {
            try {
                java.net.URI uri = new java.net.URI(url);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new java.net.URISyntaxException(url, "not http(s)");
                }
            } catch (java.net.URISyntaxException e) {
                throw new ConfigException("sfu.webhooks.urls (SFU_WEBHOOK_URLS): " + url.replaceAll("[^ -~]", "?")
                        + " is not an http(s) URL");
            }
        }
        return urls;
    }

    private static ServerConfig.Cluster cluster(Settings s) {
        Duration heartbeat = s.duration("sfu.cluster.heartbeat", 50, 60_000);
        Duration recordTtl = s.duration("sfu.cluster.record-ttl", 100, 600_000);
        Duration leaseTtl = s.duration("sfu.cluster.lease-ttl", 100, 600_000);
        if (recordTtl.compareTo(heartbeat.multipliedBy(2)) < 0 || leaseTtl.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new ConfigException("sfu.cluster.record-ttl and sfu.cluster.lease-ttl must be at least twice "
                    + "sfu.cluster.heartbeat (" + heartbeat.toMillis() + " ms), or a busy moment expires a live node");
        }
        String url = s.optionalText("sfu.cluster.redis-url");
        if (url != null && !url.startsWith("redis://") && !url.startsWith("rediss://")) {
            throw new ConfigException("sfu.cluster.redis-url (SFU_REDIS_URL): expected redis://host:port or "
                    + "rediss://host:port, got \"" + url + "\"");
        }
        String publicUrl = s.optionalText("sfu.cluster.public-url");
        if (publicUrl != null && !publicUrl.startsWith("ws://") && !publicUrl.startsWith("wss://")) {
            throw new ConfigException("sfu.cluster.public-url (SFU_PUBLIC_URL): expected ws://... or wss://..., got \""
                    + publicUrl + "\"");
        }
        String nodeId = s.optionalText("sfu.cluster.node-id");
        if (nodeId != null && !nodeId.matches("[A-Za-z0-9._:-]{1,64}")) {
            throw new ConfigException("sfu.cluster.node-id (SFU_NODE_ID): 1-64 characters of [A-Za-z0-9._:-]");
        }
        return new ServerConfig.Cluster(url, nodeId, publicUrl, s.optionalText("sfu.cluster.region") == null ? ""
                : s.optionalText("sfu.cluster.region"), heartbeat, recordTtl, leaseTtl,
                s.decimal("sfu.cluster.capacity-packets-per-second", 1, 1e9),
                s.decimal("sfu.cluster.full-stress", 0.01, 100), s.text("sfu.cluster.key-prefix"),
                s.duration("sfu.cluster.redis-timeout", 10, 60_000));
    }

    /**
     * ICE-TCP listens on the media port's number unless told otherwise, so a second instance on another
     * media port needs no second setting; 0 or -1 turn it off. With an ephemeral media port (0, tests) it
     * takes any free TCP port.
     */
    private static int iceTcpPort(Settings s, int mediaPort) {
        if (s.isNull("sfu.core.ice.tcp-port")) {
            return mediaPort == 0 ? IceConfig.TCP_PORT_ANY : mediaPort;
        }
        int port = s.integer("sfu.core.ice.tcp-port", -1, 65535);
        return port <= 0 ? 0 : port;
    }

    private static List<String> advertised(List<String> configured) {
        return configured.isEmpty() ? defaultAdvertisedAddresses() : configured;
    }

    /** 127.0.0.1 (for browsers on this machine) and this machine's first usable IPv4 address, if any. */
    static List<String> defaultAdvertisedAddresses() {
        List<String> addresses = new ArrayList<>(List.of("127.0.0.1"));
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLinkLocalAddress() && addresses.size() < 2) {
                        addresses.add(a.getHostAddress());
                    }
                }
            }
        } catch (IOException ignored) {
            // no interfaces to read: loopback only
        }
        return addresses;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ");
    }

    /** Typed reads of the merged tree; a wrong value names its key, its origin and what was expected. */
    private static final class Settings {
        private final Config config;

        Settings(Config config) {
            this.config = config;
        }

        boolean isNull(String key) {
            return config.getIsNull(key);
        }

        int integer(String key, int min, int max) {
            long v;
            try {
                v = config.getLong(key);
            } catch (com.typesafe.config.ConfigException e) {
                throw bad(key, "an integer from " + min + " to " + max);
            }
            if (v < min || v > max) {
                throw bad(key, "an integer from " + min + " to " + max);
            }
            return (int) v;
        }

        boolean flag(String key) {
            try {
                return config.getBoolean(key);
            } catch (com.typesafe.config.ConfigException e) {
                throw bad(key, "true or false");
            }
        }

        double decimal(String key, double min, double max) {
            double v;
            try {
                v = config.getDouble(key);
            } catch (com.typesafe.config.ConfigException e) {
                throw bad(key, "a number from " + min + " to " + max);
            }
            if (!(v >= min && v <= max)) {
                throw bad(key, "a number from " + min + " to " + max);
            }
            return v;
        }

        int powerOfTwo(String key, int min, int max) {
            int v = integer(key, min, max);
            if (Integer.bitCount(v) != 1) {
                throw bad(key, "a power of two from " + min + " to " + max);
            }
            return v;
        }

        /** A duration with a unit (a bare number would silently be milliseconds in HOCON). */
        java.time.Duration duration(String key, long minMillis, long maxMillis) {
            String expected = "a duration with a unit (e.g. 30s, 500ms, 24h) from " + minMillis + " ms to "
                    + maxMillis + " ms";
            if (value(key).valueType() != ConfigValueType.STRING) {
                throw bad(key, expected);
            }
            java.time.Duration d;
            try {
                d = config.getDuration(key);
            } catch (com.typesafe.config.ConfigException e) {
                throw bad(key, expected);
            }
            if (d.toMillis() < minMillis || d.toMillis() > maxMillis) {
                throw bad(key, expected);
            }
            return d;
        }

        int bytes(String key, long min, long max) {
            return (int) longBytes(key, min, Math.min(max, Integer.MAX_VALUE));
        }

        long longBytes(String key, long min, long max) {
            long v;
            try {
                v = config.getBytes(key);
            } catch (com.typesafe.config.ConfigException e) {
                throw bad(key, "a size (e.g. 65536, 64KiB, 1MiB) from " + min + " to " + max + " bytes");
            }
            if (v < min || v > max) {
                throw bad(key, "a size (e.g. 65536, 64KiB, 1MiB) from " + min + " to " + max + " bytes");
            }
            return v;
        }

        String text(String key) {
            ConfigValue v = value(key);
            if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
                throw bad(key, "a non-empty string");
            }
            return ((String) v.unwrapped()).trim();
        }

        /** An empty string or null is "none". */
        String optionalText(String key) {
            if (config.getIsNull(key)) {
                return null;
            }
            ConfigValue v = value(key);
            if (v.valueType() != ConfigValueType.STRING) {
                throw bad(key, "a string");
            }
            String s = ((String) v.unwrapped()).trim();
            return s.isEmpty() ? null : s;
        }

        String secret(String key) {
            String s = optionalText(key);
            if (s != null && s.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new ConfigException(name(key) + " must be at least " + MIN_SECRET_BYTES + " bytes long (it has "
                        + s.getBytes(StandardCharsets.UTF_8).length + "); make one with: openssl rand -hex 32");
            }
            return s;
        }

        List<String> list(String key) {
            ConfigValue v = value(key);
            if (v.valueType() != ConfigValueType.LIST) {
                throw bad(key, "a list of strings");
            }
            List<String> result = new ArrayList<>();
            for (Object o : (List<?>) v.unwrapped()) {
                if (!(o instanceof String s)) {
                    throw bad(key, "a list of strings");
                }
                if (!s.isBlank()) {
                    result.add(s.trim());
                }
            }
            return result;
        }

        <E extends Enum<E>> E enumValue(String key, Class<E> type) {
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(e.name().toLowerCase().replace('_', '-'));
            }
            ConfigValue v = value(key);
            if (v.valueType() == ConfigValueType.STRING) {
                String given = ((String) v.unwrapped()).trim().toUpperCase().replace('-', '_');
                for (E e : type.getEnumConstants()) {
                    if (e.name().equals(given)) {
                        return e;
                    }
                }
            }
            throw bad(key, "one of " + String.join(", ", names));
        }

        private ConfigValue value(String key) {
            if (config.getIsNull(key)) {
                throw bad(key, "a value, not null");
            }
            return config.getValue(key);
        }

        private ConfigException bad(String key, String expected) {
            String given = config.getIsNull(key) ? "null" : config.getValue(key).render(
                    com.typesafe.config.ConfigRenderOptions.concise());
            return new ConfigException(name(key) + ": expected " + expected + ", got " + given);
        }

        /** The key, and where its value came from unless that is the defaults file. */
        private String name(String key) {
            String origin = config.getIsNull(key) ? null : config.getValue(key).origin().description();
            String variable = EnvironmentVariables.variableFor(key);
            StringBuilder b = new StringBuilder(key);
            if (origin != null && !origin.contains(DEFAULTS)) {
                b.append(" (").append(origin).append(')');
            } else if (variable != null) {
                b.append(" (").append(variable).append(')');
            }
            return b.toString();
        }
    }
}
