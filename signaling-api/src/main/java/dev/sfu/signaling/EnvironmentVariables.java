package dev.sfu.signaling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code SFU_*} environment variables and the keys of the configuration tree they set. They keep the
 * names they had before the file format was HOCON; each overrides the file. Every one is in
 * docs/configuration.md.
 */
final class EnvironmentVariables {
    /** A variable: the key it sets and how its text becomes the key's value. */
    record Variable(String key, Function<String, Object> value) {
    }

    private static final Function<String, Object> TEXT = String::trim;
    private static final Function<String, Object> LIST = v -> Arrays.stream(v.split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).toList();
    /** Whole seconds (the variables' unit since before durations had units); anything else as given. */
    private static final Function<String, Object> SECONDS = v -> v.trim().matches("-?\\d+") ? v.trim() + "s" : v.trim();

    static final Map<String, Variable> VARIABLES = new LinkedHashMap<>();

    static {
        VARIABLES.put("SFU_HTTP_PORT", new Variable("sfu.http.port", TEXT));
        VARIABLES.put("SFU_HTTP_BIND_ADDRESS", new Variable("sfu.http.bind-address", TEXT));
        VARIABLES.put("SFU_TLS_CERT", new Variable("sfu.tls.certificate", TEXT));
        VARIABLES.put("SFU_TLS_KEY", new Variable("sfu.tls.key", TEXT));
        VARIABLES.put("SFU_AUTH_SECRET", new Variable("sfu.auth.secret", TEXT));
        VARIABLES.put("SFU_AUTH_MAX_TOKEN_LIFETIME_SECONDS", new Variable("sfu.auth.max-token-lifetime", SECONDS));
        VARIABLES.put("SFU_AUTH_AUDIENCE", new Variable("sfu.auth.audience", TEXT));
        VARIABLES.put("SFU_AUTH_ISSUER", new Variable("sfu.auth.issuer", TEXT));
        VARIABLES.put("SFU_ADMIN_TOKEN", new Variable("sfu.admin.token", TEXT));
        VARIABLES.put("SFU_ALLOWED_ORIGINS", new Variable("sfu.allowed-origins", LIST));
        VARIABLES.put("SFU_ICE_SERVERS", new Variable("sfu.ice-servers", LIST));
        VARIABLES.put("SFU_TURN_SECRET", new Variable("sfu.turn.secret", TEXT));
        VARIABLES.put("SFU_TURN_CREDENTIAL_TTL_SECONDS", new Variable("sfu.turn.credential-lifetime", SECONDS));
        VARIABLES.put("SFU_MESSAGES_PER_SECOND", new Variable("sfu.signaling.messages-per-second", TEXT));
        VARIABLES.put("SFU_JOIN_DEADLINE_SECONDS", new Variable("sfu.signaling.join-deadline", SECONDS));
        VARIABLES.put("SFU_RESUME_SECONDS", new Variable("sfu.signaling.resume-grace", SECONDS));
        VARIABLES.put("SFU_MAX_SIGNALING_CONNECTIONS", new Variable("sfu.signaling.max-connections", TEXT));
        VARIABLES.put("SFU_MAX_SIGNALING_CONNECTIONS_PER_ADDRESS",
                new Variable("sfu.signaling.max-connections-per-address", TEXT));
        VARIABLES.put("SFU_REDIS_URL", new Variable("sfu.cluster.redis-url", TEXT));
        VARIABLES.put("SFU_NODE_ID", new Variable("sfu.cluster.node-id", TEXT));
        VARIABLES.put("SFU_PUBLIC_URL", new Variable("sfu.cluster.public-url", TEXT));
        VARIABLES.put("SFU_REGION", new Variable("sfu.cluster.region", TEXT));
        VARIABLES.put("SFU_CAPACITY_PACKETS_PER_SECOND", new Variable("sfu.cluster.capacity-packets-per-second", TEXT));
        VARIABLES.put("SFU_DRAIN_TIMEOUT_SECONDS", new Variable("sfu.drain.timeout", SECONDS));
        VARIABLES.put("SFU_LOG_LEVEL", new Variable("sfu.log-level", TEXT));
        VARIABLES.put("SFU_LOG_FORMAT", new Variable("sfu.log-format", TEXT));
        VARIABLES.put("SFU_WEBHOOK_URLS", new Variable("sfu.webhooks.urls", LIST));
        VARIABLES.put("SFU_WEBHOOK_SECRET", new Variable("sfu.webhooks.secret", TEXT));
        VARIABLES.put("SFU_MEDIA_THREADS", new Variable("sfu.core.media-threads", TEXT));
        VARIABLES.put("SFU_MAX_ENDPOINTS_PER_CONFERENCE", new Variable("sfu.core.max-endpoints-per-conference", TEXT));
        VARIABLES.put("SFU_MAX_CONFERENCES", new Variable("sfu.core.max-conferences", TEXT));
        VARIABLES.put("SFU_LAST_N", new Variable("sfu.core.last-n", TEXT));
        VARIABLES.put("SFU_CONFERENCE_METRICS", new Variable("sfu.core.conference-metrics", TEXT));
        VARIABLES.put("SFU_MEDIA_BIND_ADDRESS", new Variable("sfu.core.ice.bind-address", TEXT));
        VARIABLES.put("SFU_MEDIA_PORT", new Variable("sfu.core.ice.media-port", TEXT));
        VARIABLES.put("SFU_ICE_TCP_PORT", new Variable("sfu.core.ice.tcp-port", TEXT));
        VARIABLES.put("SFU_ADVERTISED_ADDRESS", new Variable("sfu.core.ice.advertised-addresses", LIST));
        VARIABLES.put("SFU_STUN_SERVER", new Variable("sfu.core.ice.stun-server", TEXT));
        VARIABLES.put("SFU_CONSENT_TIMEOUT_SECONDS", new Variable("sfu.core.ice.consent-timeout", SECONDS));
        VARIABLES.put("SFU_ICE_REMOTE_CANDIDATES", new Variable("sfu.core.ice.remote-candidates", TEXT));
        VARIABLES.put("SFU_PACKET_RING_SIZE", new Variable("sfu.core.tuning.packet-ring-size", TEXT));
        VARIABLES.put("SFU_DTLS_HANDSHAKE_THREADS", new Variable("sfu.core.tuning.dtls-handshake-threads", TEXT));
        VARIABLES.put("SFU_DTLS_HANDSHAKE_QUEUE", new Variable("sfu.core.tuning.dtls-handshake-queue", TEXT));
    }

    private EnvironmentVariables() {
    }

    /** The variable that sets {@code key}, or null (for error messages). */
    static String variableFor(String key) {
        for (Map.Entry<String, Variable> e : VARIABLES.entrySet()) {
            if (e.getValue().key().equals(key)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * The settings the environment makes, as a configuration whose values name their variable as origin.
     * Empty variables count as unset. {@code SFU_TLS_SELF_SIGNED=true} and a certificate choose the TLS
     * mode (a certificate wins, as before). Unknown {@code SFU_*} variables are returned in
     * {@code unknown}: they are warned about, not refused, as other tools share the prefix.
     */
    static Config read(Map<String, String> env, List<String> unknown) {
        Config result = ConfigFactory.empty();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("SFU_") || e.getValue() == null || e.getValue().isBlank()) {
                continue;
            }
            Variable v = VARIABLES.get(name);
            if (v != null) {
                result = set(result, v.key(), v.value().apply(e.getValue()), name);
            } else if (!name.equals("SFU_TLS_SELF_SIGNED")) {
                unknown.add(name);
            }
        }
        String selfSigned = env.get("SFU_TLS_SELF_SIGNED");
        if (selfSigned != null && !selfSigned.isBlank()) {
            if (!selfSigned.trim().equalsIgnoreCase("true") && !selfSigned.trim().equalsIgnoreCase("false")) {
                throw new ConfigException("SFU_TLS_SELF_SIGNED: expected true or false, got \"" + selfSigned + "\"");
            }
            if (selfSigned.trim().equalsIgnoreCase("true")) {
                result = set(result, "sfu.tls.mode", "self-signed", "SFU_TLS_SELF_SIGNED");
            }
        }
        if (notBlank(env.get("SFU_TLS_CERT")) || notBlank(env.get("SFU_TLS_KEY"))) {
            result = set(result, "sfu.tls.mode", "pem", "SFU_TLS_CERT/SFU_TLS_KEY");
        }
        return result;
    }

    private static Config set(Config config, String key, Object value, String variable) {
        return ConfigFactory.parseMap(Map.of(key, value), "environment variable " + variable).withFallback(config);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
