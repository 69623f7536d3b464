package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The /check page in Chromium against the real server and a real TURN server on loopback: every path
 * works; with UDP blocked it gives the TCP verdict; with a wrong TURN secret it names TURN.
 */
@Tag("browser")
class CheckPageBrowserTest {

    private static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static JsonNode run(Chromium chromium, Main.Server server, String query) throws Exception {
        Chromium.Page page = chromium.open("http://127.0.0.1:" + server.httpPort() + "/check?timeout=6000" + query);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Thread.sleep(300);
            try {
                JsonNode r = page.eval("window.checkResult || null");
                if (r != null && r.path("done").asBoolean()) {
                    return r;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                // the page is still loading
            }
        }
        throw new AssertionError("the check did not finish");
    }

    private static JsonNode path(JsonNode result, String prefix) {
        for (JsonNode p : result.path("results")) {
            if (p.path("name").asText().startsWith(prefix)) {
                return p;
            }
        }
        throw new AssertionError("no path " + prefix + " in " + result);
    }

    @Test
    @Timeout(240)
    void verdictsForAllPathsUdpBlockedAndAWrongTurnSecret() throws Exception {
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        RequiredTool.require(Coturn.available(), "install coturn (apt-get install coturn) to run the TURN test");
        try (Coturn turn = new Coturn(); Chromium chromium = new Chromium()) {
            String turnUrls = turn.url() + "," + turn.url().replace("transport=udp", "transport=tcp");
            Properties p = new Properties();
            p.setProperty("SFU_ICE_SERVERS", turnUrls);
            p.setProperty("SFU_TURN_SECRET", turn.secret);
            p.setProperty("SFU_ICE_TCP_PORT", Integer.toString(freeTcpPort()));
            try (Main.Server server = TestServers.start(p)) {
                JsonNode all = run(chromium, server, "");
                for (JsonNode r : all.path("results")) {
                    assertTrue(r.path("ok").asBoolean(), "every path works on loopback: " + all);
                }
                assertEquals(4, all.path("results").size(), all.toString());
                assertTrue(path(all, "UDP").path("rttMs").isNumber() && path(all, "UDP").path("kbps").asInt() > 0,
                        all.toString());
                assertEquals("relay", path(all, "TURN turn:127.0.0.1").path("localType").asText(), all.toString());
                assertTrue(all.path("verdict").get(0).asText().startsWith("UDP works"), all.toString());

                JsonNode blocked = run(chromium, server, "&block=udp");
                assertFalse(path(blocked, "UDP").path("ok").asBoolean(), blocked.toString());
                assertTrue(path(blocked, "TCP").path("ok").asBoolean(), blocked.toString());
                String verdict = blocked.path("verdict").get(0).asText();
                assertTrue(verdict.startsWith("UDP blocked on this network: ICE-TCP works")
                        && verdict.contains("TURN over TLS on port 443"), verdict);
            }
            Properties wrong = new Properties();
            wrong.setProperty("SFU_ICE_SERVERS", turn.url());
            wrong.setProperty("SFU_TURN_SECRET", "not-the-turn-servers-secret-but-32-bytes");
            try (Main.Server server = TestServers.start(wrong)) {
                JsonNode r = run(chromium, server, "");
                assertFalse(path(r, "TURN").path("ok").asBoolean(), r.toString());
                assertTrue(r.path("verdict").toString().contains("TURN at " + turn.url() + " failed")
                        && r.path("verdict").toString().contains("SFU_TURN_SECRET"), r.toString());
            }
        }
    }
}
