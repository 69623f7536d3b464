package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.signaling.Main;
import dev.sfu.signaling.ServerConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The harness against a server with authentication on (SFU_AUTH_SECRET), as a separate process would be
 * run: peers mint their tokens with --auth-secret, bind through the wildcard and run on three threads.
 */
@Tag("long")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticatedRunTest {
    private static final String SECRET = "harness-test-secret-0123456789abcdef";
    private Main.Server server;
    private String webSocket;

    @BeforeAll
    void startServerWithAuthentication() throws Exception {
        server = Main.Server.start(ServerConfig.load(new String[0], Map.of("SFU_HTTP_PORT", "0",
                "SFU_HTTP_BIND_ADDRESS", "127.0.0.1", "SFU_MEDIA_PORT", "0", "SFU_MEDIA_BIND_ADDRESS", "127.0.0.1",
                "SFU_ICE_TCP_PORT", "0", "SFU_ADVERTISED_ADDRESS", "127.0.0.1",
                "SFU_MAX_SIGNALING_CONNECTIONS_PER_ADDRESS", "1000", "SFU_AUTH_SECRET", SECRET)));
        webSocket = "ws://127.0.0.1:" + server.httpPort() + "/ws";
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    @Test
    @Timeout(60)
    void mintedTokensAdmitEveryPeer() throws Exception {
        Options options = Options.parse(new String[] {"--server", webSocket, "--scenario", "fanout", "--subscribers", "2",
            "--seconds", "1", "--joins-per-second", "50", "--video-kbps", "300", "--auth-secret", SECRET, "--bind", "0.0.0.0", "--threads", "3"});
        LoadReport report = LoadTest.run(options);
        System.out.println(report.table());
        assertEquals(2, report.joinsMeasured(), "both subscribers joined");
        assertTrue(report.packetsReceived() > 2 * 40, "about 1 s of audio at 50 packets/s to each subscriber");
        assertEquals(0, report.packetsLost());
        assertTrue(!report.serverVersion().equals("?"), "the version from sfu_build_info: " + report.serverVersion());
    }

    @Test
    @Timeout(60)
    void withoutATokenTheServerRefuses() {
        Options options = Options.parse(new String[] {"--server", webSocket, "--scenario", "fanout", "--subscribers", "1",
            "--seconds", "1"});
        Exception e = assertThrows(Exception.class, () -> LoadTest.run(options));
        assertTrue(String.valueOf(e.getMessage()).contains("unauthorized"), String.valueOf(e));
    }
}
