package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chromium restarts ICE on both of its connections, as the page does when one fails: the publish side by
 * an ICE-restart offer, the subscribe side by the restartIce message. The server answers with new
 * credentials on both, the endpoint stays, and video plays on both pages afterwards.
 */
class IceRestartBrowserTest {
    /** The server's ICE ufrag as the page's connection {@code pc} last heard it. */
    private static String serverUfrag(Chromium.Page page, String pc) throws Exception {
        return page.eval("(window.sfu.%s.currentRemoteDescription.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1] || ''"
                .formatted(pc)).asText();
    }

    private static boolean playing(Chromium.Page page) throws Exception {
        JsonNode videos;
        try {
            videos = page.eval(BrowserCallTest.REMOTE_VIDEOS);
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
        return videos.size() == 1 && videos.get(0).get("width").asInt() > 0 && videos.get(0).get("advancing").asBoolean();
    }

    private static boolean awaitPlaying(Chromium.Page a, Chromium.Page b, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (playing(a) && playing(b)) {
                return true;
            }
            Thread.sleep(300);
        }
        return false;
    }

    @Test
    @Timeout(90)
    void bothConnectionsRestartIceAndVideoGoesOn() throws Exception {
        Assumptions.assumeTrue(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        Main.Server server = TestServers.start();
        try (Chromium chromium = new Chromium()) {
            String base = "http://127.0.0.1:" + server.httpPort() + "/?room=restart&autojoin=1&simulcast=0&width=320";
            Chromium.Page a = chromium.open(base + "&name=a");
            Chromium.Page b = chromium.open(base + "&name=b");
            assertTrue(awaitPlaying(a, b, 30), "both pages play before the restart");
            String endpoint = b.eval("window.sfu.endpointId").asText();
            String publishBefore = serverUfrag(b, "publishPc");
            String subscribeBefore = serverUfrag(b, "subscribePc");

            b.eval("(async () => { window.sfu.publishPc.restartIce(); await window.sfu.negotiatePublish(); return 1; })()");
            b.eval("window.sfu.send({type: 'restartIce', transport: 'subscribe'}), 1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (serverUfrag(b, "subscribePc").equals(subscribeBefore) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertNotEquals(publishBefore, serverUfrag(b, "publishPc"), "the publish answer has new credentials");
            assertNotEquals(subscribeBefore, serverUfrag(b, "subscribePc"), "the subscribe offer has new credentials");
            // Video keeps playing both ways through the new ICE sessions.
            Thread.sleep(1500);
            assertTrue(awaitPlaying(a, b, 20), "both pages play after the restart");
            for (String pc : new String[] {"publishPc", "subscribePc"}) {
                assertEquals("connected", b.eval("window.sfu.%s.connectionState".formatted(pc)).asText(), pc);
            }
            assertEquals(endpoint, b.eval("window.sfu.endpointId").asText(), "the same endpoint");
        } finally {
            server.close();
        }
    }
}
