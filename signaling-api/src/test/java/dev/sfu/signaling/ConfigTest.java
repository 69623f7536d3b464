package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.MediaTuning;
import dev.sfu.core.SfuConfig;
import dev.sfu.ice.IceConfig;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The configuration tree: defaults, file, environment, and the errors a bad one gets. */
class ConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private static ServerConfig load(String file, Map<String, String> env) {
        return ConfigLoader.load(ConfigLoader.parseString(file), env);
    }

    private static String error(String file, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> load(file, env)).getMessage();
    }

    @Test
    void defaultsAreTodaysValues() {
        ServerConfig c = ServerConfig.load(new String[0], Map.of());
        assertEquals(8080, c.http().port());
        assertEquals("0.0.0.0", c.http().bindAddress());
        assertEquals(ServerConfig.TlsMode.OFF, c.tls().mode());
        assertNull(c.auth().secret());
        assertEquals(Duration.ofHours(24), c.auth().maxTokenLifetime());
        assertNull(c.adminToken());
        assertEquals(List.of(), c.allowedOrigins());
        assertEquals(Duration.ofMinutes(10), c.turn().credentialLifetime());
        assertEquals(new ServerConfig.SignalingLimits(50, Duration.ofSeconds(10), 10_000, 32, 64 * 1024, 128 * 1024,
                1024 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(15)), c.signaling());
        assertEquals(ServerConfig.LogLevel.INFO, c.logLevel());
        SfuConfig sfu = c.sfu();
        assertEquals(10000, sfu.ice().udpPort());
        assertEquals(10000, sfu.ice().tcpPort(), "ICE-TCP on the media port's number");
        assertEquals("0.0.0.0", sfu.ice().bindAddress());
        assertEquals(Duration.ofSeconds(30), sfu.ice().consentTimeout());
        assertNull(sfu.ice().stunServer());
        assertEquals("127.0.0.1", sfu.ice().advertisedAddresses().get(0));
        assertEquals(Runtime.getRuntime().availableProcessors(), sfu.mediaThreads());
        assertEquals(dev.sfu.core.ResourceLimits.DEFAULT, sfu.limits(), "the file's limits are the core's defaults");
        // The core's builder starts from the same values as the defaults file.
        SfuConfig core = SfuConfig.builder().build();
        assertEquals(core.maxEndpointsPerConference(), sfu.maxEndpointsPerConference());
        assertEquals(core.maxConferences(), sfu.maxConferences());
        assertEquals(core.lastN(), sfu.lastN());
        assertEquals(MediaTuning.DEFAULT, sfu.tuning());
        assertEquals(core.tuning(), sfu.tuning());
    }

    @Test
    void aHoconFileAndAJsonFileAreRead() throws IOException {
        Path hocon = dir.resolve("sfu.conf");
        Files.writeString(hocon, """
                # comments are allowed
                sfu.http.port = 9000
                sfu.core {
                  last-n = 3
                  ice { media-port = 12000, advertised-addresses = ["203.0.113.7"], consent-timeout = 12s }
                  tuning.packet-ring-size = 1024
                }
                sfu.signaling.max-message-size = 32KiB
                sfu.tls.mode = self-signed
                sfu.log-level = debug
                """);
        ServerConfig c = ServerConfig.load(new String[] {"--config", hocon.toString()}, Map.of());
        assertEquals(9000, c.http().port());
        assertEquals(3, c.sfu().lastN());
        assertEquals(12000, c.sfu().ice().udpPort());
        assertEquals(12000, c.sfu().ice().tcpPort());
        assertEquals(List.of("203.0.113.7"), c.sfu().ice().advertisedAddresses());
        assertEquals(Duration.ofSeconds(12), c.sfu().ice().consentTimeout());
        assertEquals(1024, c.sfu().tuning().packetRingSize());
        assertEquals(32 * 1024, c.signaling().maxMessageSize());
        assertEquals(ServerConfig.TlsMode.SELF_SIGNED, c.tls().mode());
        assertEquals(ServerConfig.LogLevel.DEBUG, c.logLevel());

        Path json = dir.resolve("sfu.json");
        Files.writeString(json, "{\"sfu\": {\"http\": {\"port\": 9001}, \"core\": {\"max-conferences\": 7}}}");
        ServerConfig j = ServerConfig.load(new String[] {"--config", json.toString()}, Map.of());
        assertEquals(9001, j.http().port());
        assertEquals(7, j.sfu().maxConferences());
    }

    @Test
    void theEnvironmentOverridesTheFile() {
        String file = "sfu { http.port = 9000, core.last-n = 3, core.ice.consent-timeout = 12s, ice-servers = [\"stun:a\"] }";
        ServerConfig c = load(file, Map.of("SFU_HTTP_PORT", "9100", "SFU_CONSENT_TIMEOUT_SECONDS", "20",
                "SFU_ICE_SERVERS", "stun:b, turn:c", "SFU_TLS_SELF_SIGNED", "true", "SFU_AUTH_SECRET", SECRET));
        assertEquals(9100, c.http().port());
        assertEquals(3, c.sfu().lastN(), "what the environment does not set stays the file's");
        assertEquals(Duration.ofSeconds(20), c.sfu().ice().consentTimeout());
        assertEquals(List.of("stun:b", "turn:c"), c.iceServers());
        assertEquals(ServerConfig.TlsMode.SELF_SIGNED, c.tls().mode());
        assertEquals(SECRET, c.auth().secret());
        // Every documented variable has a key in the defaults.
        for (String name : EnvironmentVariables.VARIABLES.keySet()) {
            assertTrue(ConfigLoader.knownKeys().contains(EnvironmentVariables.VARIABLES.get(name).key()), name);
        }
    }

    @Test
    void limitsAreSettings() {
        ServerConfig c = ConfigLoader.load(ConfigLoader.parseString(
                "sfu.core.limits { audio-tracks-per-endpoint = 1, video-tracks-per-endpoint = 2, ssrcs-per-track = 4,"
                + " packet-cache-budget = 2GiB, dtls-handshakes-per-address = 3, dtls-handshakes-per-conference = 5 }"),
                Map.of());
        dev.sfu.core.ResourceLimits limits = c.sfu().limits();
        assertEquals(new dev.sfu.core.sdp.PublishLimits(1, 2, 4), limits.publish());
        assertEquals(2L << 30, limits.packetCacheBytes(), "sizes past 2 GiB are fine");
        assertEquals(3, limits.handshakesPerAddress());
        assertEquals(5, limits.handshakesPerConference());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(ConfigLoader.parseString("sfu.core.limits.ssrcs-per-track = 1"), Map.of()));
        assertTrue(e.getMessage().contains("sfu.core.limits.ssrcs-per-track"), e.getMessage());
    }

    @Test
    void anUnknownKeyIsNamedWithTheClosestKnownOne() {
        String message = error("sfu.http.prot = 9000", Map.of());
        assertTrue(message.contains("unknown key sfu.http.prot"), message);
        assertTrue(message.contains("did you mean sfu.http.port?"), message);
        String misplaced = error("sfu { last-n = 2 }", Map.of());
        assertTrue(misplaced.contains("did you mean sfu.core.last-n?"), misplaced);
        String outside = error("sfuu { http.port = 1 }", Map.of());
        assertTrue(outside.contains("unknown key sfuu"), outside);
        String misspelled = error("sfu.core.ice.consent-timout = 10s", Map.of());
        assertTrue(misspelled.contains("did you mean sfu.core.ice.consent-timeout?"), misspelled);
    }

    @Test
    void badValuesNameTheKeyAndWhatItExpects() {
        String notANumber = error("", Map.of("SFU_HTTP_PORT", "eighty"));
        assertTrue(notANumber.contains("sfu.http.port (environment variable SFU_HTTP_PORT)"), notANumber);
        assertTrue(notANumber.contains("expected an integer from 0 to 65535, got \"eighty\""), notANumber);
        String outOfRange = error("sfu.http.port = 70000", Map.of());
        assertTrue(outOfRange.startsWith("sfu.http.port (") && outOfRange.contains("from 0 to 65535"), outOfRange);
        String bareDuration = error("sfu.core.ice.consent-timeout = 30", Map.of());
        assertTrue(bareDuration.contains("a duration with a unit"), bareDuration);
        String mode = error("sfu.tls.mode = maybe", Map.of());
        assertTrue(mode.contains("sfu.tls.mode") && mode.contains("one of off, pem, self-signed"), mode);
        String level = error("", Map.of("SFU_LOG_LEVEL", "LOUD"));
        assertTrue(level.contains("SFU_LOG_LEVEL") && level.contains("one of trace, debug, info, warn, error"), level);
        String ring = error("sfu.core.tuning.packet-ring-size = 1000", Map.of());
        assertTrue(ring.contains("a power of two"), ring);
        String list = error("sfu.allowed-origins = \"https://a.example\"", Map.of());
        assertTrue(list.contains("a list of strings"), list);
        String object = error("sfu.http = 8080", Map.of());
        assertTrue(object.contains("expected an object"), object);
        String pem = error("", Map.of("SFU_TLS_CERT", "/nonexistent.pem"));
        assertTrue(pem.contains("sfu.tls.key"), pem);
        String unreadable = error("", Map.of("SFU_TLS_CERT", "/nonexistent.pem", "SFU_TLS_KEY", "/nonexistent.key"));
        assertTrue(unreadable.contains("sfu.tls.certificate (SFU_TLS_CERT): cannot read /nonexistent.pem"), unreadable);
        String selfSigned = error("", Map.of("SFU_TLS_SELF_SIGNED", "yes"));
        assertTrue(selfSigned.contains("SFU_TLS_SELF_SIGNED"), selfSigned);
        for (String m : List.of(notANumber, outOfRange, bareDuration, mode, level, ring, list, object, pem)) {
            assertFalse(m.contains("\n") || m.contains("Exception"), "one line, no class name: " + m);
        }
        String syntax = assertThrows(ConfigException.class, () -> ConfigLoader.parseString("sfu { http.port = ")).getMessage();
        assertFalse(syntax.contains("\n"), syntax);
    }

    /** Other tools share the prefix: an unknown variable is warned about with a suggestion, not refused. */
    @Test
    void anUnknownVariableIsOnlyWarnedAbout() {
        assertEquals(8080, load("", Map.of("SFU_LOAD_DEBUG_JOINS", "1")).http().port());
        assertEquals("SFU_MEDIA_PORT", KeySuggestions.closest("SFU_MEDIA_PROT", EnvironmentVariables.VARIABLES.keySet()));
    }

    @Test
    void shortSecretsAreRefused() {
        for (String variable : List.of("SFU_AUTH_SECRET", "SFU_ADMIN_TOKEN", "SFU_TURN_SECRET")) {
            String message = error("", Map.of(variable, "too-short"));
            assertTrue(message.contains(variable) && message.contains("at least 32 bytes"), message);
        }
        assertEquals(SECRET, load("", Map.of("SFU_ADMIN_TOKEN", SECRET)).adminToken());
    }

    @Test
    void iceTcpFollowsTheMediaPortUnlessSet() {
        assertEquals(12345, load("", Map.of("SFU_MEDIA_PORT", "12345")).sfu().ice().tcpPort());
        assertEquals(443, load("", Map.of("SFU_MEDIA_PORT", "12345", "SFU_ICE_TCP_PORT", "443")).sfu().ice().tcpPort());
        assertEquals(0, load("", Map.of("SFU_ICE_TCP_PORT", "0")).sfu().ice().tcpPort(), "0 turns it off");
        assertEquals(0, load("", Map.of("SFU_ICE_TCP_PORT", "-1")).sfu().ice().tcpPort(), "-1 turns it off");
        assertEquals(IceConfig.TCP_PORT_ANY, load("", Map.of("SFU_MEDIA_PORT", "0")).sfu().ice().tcpPort(),
                "an ephemeral media port: any free TCP port");
        assertEquals(4000, load("sfu.core.ice.tcp-port = 4000", Map.of()).sfu().ice().tcpPort());
    }

    /** The old withIceTcpPort dropped last-N; the tree keeps every setting whatever else is set. */
    @Test
    void lastNSurvivesAnIceTcpPort() {
        ServerConfig c = load("", Map.of("SFU_LAST_N", "2", "SFU_ICE_TCP_PORT", "4443"));
        assertEquals(2, c.sfu().lastN());
        assertEquals(4443, c.sfu().ice().tcpPort());
    }

    /** A port number free for both UDP and TCP on loopback a moment ago. */
    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
                return tcp.getLocalPort();
            } catch (IOException taken) {
                // that number's TCP side is in use: try another
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }

    /** Two instances on one host that set only their media ports both start: ICE-TCP follows each. */
    @Test
    @Timeout(60)
    void aSecondInstanceOnAnotherMediaPortStarts() throws Exception {
        int first = freeUdpAndTcpPort();
        int second = freeUdpAndTcpPort();
        while (second == first) {
            second = freeUdpAndTcpPort();
        }
        try (Main.Server a = Main.Server.start(ServerConfig.load(new String[0], instance(first)));
                Main.Server b = Main.Server.start(ServerConfig.load(new String[0], instance(second)))) {
            assertEquals(first, a.mediaPort());
            assertEquals(first, a.iceTcpPort());
            assertEquals(second, b.mediaPort());
            assertEquals(second, b.iceTcpPort());
        }
    }

    private static Map<String, String> instance(int mediaPort) {
        Map<String, String> env = new HashMap<>();
        env.put("SFU_HTTP_PORT", "0");
        env.put("SFU_HTTP_BIND_ADDRESS", "127.0.0.1");
        env.put("SFU_MEDIA_BIND_ADDRESS", "127.0.0.1");
        env.put("SFU_ADVERTISED_ADDRESS", "127.0.0.1");
        env.put("SFU_MEDIA_THREADS", "1");
        env.put("SFU_MEDIA_PORT", Integer.toString(mediaPort));
        return env;
    }

    /** A bad configuration stops the process with one line on stderr and exit code 2. */
    @Test
    @Timeout(60)
    void aBadConfigurationExitsWithCode2AndOneLine() throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "sfu.http.prot = 9000\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--config", file.toString()));
        Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(2, process.exitValue(), err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("configuration error: unknown key sfu.http.prot"), err);
        assertTrue(err.contains("did you mean sfu.http.port?"), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
    }
}
