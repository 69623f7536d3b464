package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ConnectivityCheck;
import dev.sfu.signaling.browser.Coturn;
import dev.sfu.signaling.browser.RequiredTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code check} command against the real server and a real TURN server (coturn) on loopback: every
 * path works, with round trip and throughput; a wrong TURN secret gives the TURN verdict; no server gives
 * the signaling verdict; a bad argument gives the usage.
 */
@Tag("long")
class CheckCommandTest {

    private static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static ConnectivityCheck.Report check(Main.Server server) throws InterruptedException {
        return new ConnectivityCheck(URI.create("http://127.0.0.1:" + server.httpPort()), "check-test", null,
                Duration.ofSeconds(15)).run();
    }

    private static ConnectivityCheck.PathResult path(ConnectivityCheck.Report report, String prefix) {
        return report.paths().stream().filter(p -> p.name().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + report));
    }

    @Test
    @Timeout(180)
    void everyPathWorksOnLoopbackAndAWrongTurnSecretIsNamed() throws Exception {
        RequiredTool.require(Coturn.available(), "install coturn (apt-get install coturn) to run the TURN test");
        try (Coturn turn = new Coturn()) {
            String tcpTurn = turn.url().replace("transport=udp", "transport=tcp");
            Properties p = new Properties();
            p.setProperty("SFU_ICE_SERVERS", turn.url() + "," + tcpTurn);
            p.setProperty("SFU_TURN_SECRET", turn.secret);
            p.setProperty("SFU_ICE_TCP_PORT", Integer.toString(freeTcpPort()));
            try (Main.Server server = TestServers.start(p)) {
                ConnectivityCheck.Report all = check(server);
                assertTrue(all.signalingOk(), all.toString());
                assertEquals(4, all.paths().size(), all.toString());
                for (ConnectivityCheck.PathResult r : all.paths()) {
                    assertTrue(r.ok(), "every path works on loopback: " + all);
                    assertTrue(r.roundTripMillis() >= 0, r.toString());
                }
                assertTrue(path(all, "UDP").kbps() > 0 && path(all, "TCP").kbps() > 0, all.toString());
                assertTrue(all.verdict().get(0).startsWith("UDP works"), all.verdict().toString());
                assertEquals(0, all.exitStatus());
                // Each attempt left: the server holds no endpoint afterwards.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!metrics(server).contains("\nsfu_endpoints 0.0") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(metrics(server).contains("\nsfu_endpoints 0.0"), "every check endpoint left");
            }
            Properties wrong = new Properties();
            wrong.setProperty("SFU_ICE_SERVERS", tcpTurn);
            wrong.setProperty("SFU_TURN_SECRET", "not-the-turn-servers-secret-but-32-bytes");
            try (Main.Server server = TestServers.start(wrong)) {
                ConnectivityCheck.Report r = check(server);
                ConnectivityCheck.PathResult t = path(r, "TURN");
                assertFalse(t.ok(), r.toString());
                assertTrue(t.problem().contains("401"), t.problem());
                assertTrue(r.verdict().stream().anyMatch(l -> l.startsWith(tcpTurn + " failed")
                        && l.contains("SFU_TURN_SECRET")), r.verdict().toString());
            }
        }
    }

    private static String metrics(Main.Server server) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    @Timeout(60)
    void noServerAndBadArgumentsGetPlainAnswers() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CheckCommand.run(new String[] {"http://127.0.0.1:" + freeTcpPort(), "--timeout", "3"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, printed);
        assertTrue(printed.contains("signaling: fails") && printed.contains("Check the URL"), printed);
        assertFalse(printed.contains("Exception"), "no Java class names: " + printed);

        err.reset();
        assertEquals(2, CheckCommand.run(new String[] {"--timeout", "soon"}, new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: check"), err.toString(StandardCharsets.UTF_8));
    }
}
