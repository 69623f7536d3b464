package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * A page that may use ICE-TCP only (its UDP candidates and the server's are left out, as if a firewall
 * dropped UDP) publishes and subscribes through the server's passive TCP port, and plays the other page's
 * video.
 */
@Tag("browser")
class IceTcpBrowserTest {

    private static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    @Timeout(90)
    void aTcpOnlyPagePublishesAndSeesVideo() throws Exception {
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        Properties p = new Properties();
        p.setProperty("SFU_ICE_TCP_PORT", Integer.toString(freeTcpPort()));
        Main.Server server = TestServers.start(p);
        try (Chromium chromium = new Chromium()) {
            String base = "http://127.0.0.1:" + server.httpPort() + "/?room=tcp&autojoin=1&simulcast=0&width=320";
            Chromium.Page direct = chromium.open(base + "&name=direct");
            Chromium.Page tcp = chromium.open(base + "&name=tcp&tcp=1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            JsonNode videos = null;
            JsonNode directVideos = null;
            boolean playing = false;
            while (!playing && System.nanoTime() < deadline) {
                Thread.sleep(500);
                try {
                    videos = tcp.eval(BrowserCallTest.REMOTE_VIDEOS);
                    directVideos = direct.eval(BrowserCallTest.REMOTE_VIDEOS);
                } catch (java.util.concurrent.ExecutionException e) {
                    continue;
                }
                playing = playing(videos) && playing(directVideos);
            }
            assertTrue(playing, "both pages should play the other's video, the TCP page saw " + videos
                    + ", the other " + directVideos);
            // The pair in use on both of the TCP page's connections is a TCP one.
            for (String pc : new String[] {"publishPc", "subscribePc"}) {
                String protocol = tcp.eval("""
                        (async () => {
                          let protocol = '';
                          const stats = await window.sfu.%s.getStats();
                          stats.forEach(s => {
                            if (s.type === 'transport' && s.selectedCandidatePairId) {
                              const pair = stats.get(s.selectedCandidatePairId);
                              protocol = stats.get(pair.remoteCandidateId).protocol;
                            }
                          });
                          return protocol;
                        })()""".formatted(pc)).asText();
                assertEquals("tcp", protocol, pc + "'s selected pair");
            }
        } finally {
            server.close();
        }
    }

    private static boolean playing(JsonNode videos) {
        return videos != null && videos.size() == 1 && videos.get(0).get("width").asInt() > 0
                && videos.get(0).get("advancing").asBoolean();
    }
}
