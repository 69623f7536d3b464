package dev.sfu.signaling;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The server's settings: defaults, then an optional properties file ({@code --config FILE}), then
 * environment variables ({@code SFU_*}), each overriding the one before. Every key is documented in
 * docs/configuration.md.
 */
public record ServerConfig(
        int httpPort,
        String httpBindAddress,
        int mediaPort,
        String mediaBindAddress,
        List<String> advertisedAddresses,
        int iceTcpPort,
        String stunServer,
        List<String> iceServerUrls,
        String turnSecret,
        Duration turnCredentialLifetime,
        String authSecret,
        String adminToken,
        List<String> allowedOrigins,
        int maxEndpointsPerConference,
        int maxConferences,
        int mediaThreads,
        Duration consentTimeout,
        String tlsCertificate,
        String tlsKey,
        boolean tlsSelfSigned,
        int messagesPerSecond,
        int lastN) {

    /** Reads the configuration from the command line, the file it names, and the environment. */
    public static ServerConfig load(String[] args, Map<String, String> env) throws IOException {
        Properties p = new Properties();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                try (InputStream in = Files.newInputStream(Path.of(args[++i]))) {
                    p.load(in);
                }
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i] + " (usage: [--config FILE])");
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith("SFU_")) {
                p.setProperty(e.getKey(), e.getValue());
            }
        }
        return from(p);
    }

    static ServerConfig from(Properties p) {
        String advertised = p.getProperty("SFU_ADVERTISED_ADDRESS", "");
        List<String> advertisedAddresses = advertised.isBlank() ? defaultAdvertisedAddresses() : list(advertised);
        return new ServerConfig(
                integer(p, "SFU_HTTP_PORT", 8080),
                p.getProperty("SFU_HTTP_BIND_ADDRESS", "0.0.0.0"),
                integer(p, "SFU_MEDIA_PORT", 10000),
                p.getProperty("SFU_MEDIA_BIND_ADDRESS", "0.0.0.0"),
                advertisedAddresses,
                // 0 or -1 turns ICE-TCP off (inside, 0 is off and -1 would mean any free port).
                Math.max(0, integer(p, "SFU_ICE_TCP_PORT", 10000)),
                blankToNull(p.getProperty("SFU_STUN_SERVER")),
                list(p.getProperty("SFU_ICE_SERVERS", "")),
                blankToNull(p.getProperty("SFU_TURN_SECRET")),
                Duration.ofSeconds(integer(p, "SFU_TURN_CREDENTIAL_TTL_SECONDS", 86400)),
                blankToNull(p.getProperty("SFU_AUTH_SECRET")),
                blankToNull(p.getProperty("SFU_ADMIN_TOKEN")),
                list(p.getProperty("SFU_ALLOWED_ORIGINS", "")),
                integer(p, "SFU_MAX_ENDPOINTS_PER_CONFERENCE", 50),
                integer(p, "SFU_MAX_CONFERENCES", 1000),
                integer(p, "SFU_MEDIA_THREADS", Runtime.getRuntime().availableProcessors()),
                Duration.ofSeconds(integer(p, "SFU_CONSENT_TIMEOUT_SECONDS", 30)),
                blankToNull(p.getProperty("SFU_TLS_CERT")),
                blankToNull(p.getProperty("SFU_TLS_KEY")),
                Boolean.parseBoolean(p.getProperty("SFU_TLS_SELF_SIGNED", "false")),
                integer(p, "SFU_MESSAGES_PER_SECOND", 50),
                integer(p, "SFU_LAST_N", 0));
    }

    /** Whether the HTTP port serves https/wss. */
    public boolean tls() {
        return tlsSelfSigned || (tlsCertificate != null && tlsKey != null);
    }

    /** 127.0.0.1 (for browsers on this machine) and this machine's first usable IPv4 address, if any. */
    static List<String> defaultAdvertisedAddresses() {
        List<String> addresses = new ArrayList<>(List.of("127.0.0.1"));
        try {
            for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
                    continue;
                }
                for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
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

    private static int integer(Properties p, String key, int defaultValue) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, not \"" + v + "\"");
        }
    }

    private static List<String> list(String v) {
        return v == null || v.isBlank() ? List.of()
                : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
