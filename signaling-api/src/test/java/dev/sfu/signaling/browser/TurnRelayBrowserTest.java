package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A page whose ICE may only use relay candidates reaches the server through a real TURN server (coturn)
 * with the ephemeral credentials the server hands out, and still sees video.
 */
@Tag("browser")
class TurnRelayBrowserTest {

    @Test
    @Timeout(150)
    void aRelayOnlyPageStillSeesVideo() throws Exception {
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        RequiredTool.require(Coturn.available(), "install coturn (apt-get install coturn) to run the TURN test");
        try (Coturn turn = new Coturn()) {
            Properties p = new Properties();
            p.setProperty("SFU_ICE_SERVERS", turn.url());
            p.setProperty("SFU_TURN_SECRET", turn.secret);
            Main.Server server = TestServers.start(p);
            try (Chromium chromium = new Chromium()) {
                String base = "http://127.0.0.1:" + server.httpPort() + "/?room=turn&autojoin=1&simulcast=0&width=320";
                chromium.open(base + "&name=direct");
                Chromium.Page relayed = chromium.open(base + "&name=relayed&relay=1");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                JsonNode videos = null;
                boolean playing = false;
                while (!playing && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    try {
                        videos = relayed.eval(BrowserCallTest.REMOTE_VIDEOS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        continue;
                    }
                    playing = videos.size() == 1 && videos.get(0).get("width").asInt() > 0
                            && videos.get(0).get("advancing").asBoolean();
                }
                assertTrue(playing, "the relayed page should play the other's video, saw " + videos
                        + "\ncoturn log:\n" + turn.log());
                String candidateType = relayed.eval("""
                        (async () => {
                          let type = '';
                          const stats = await window.sfu.subscribePc.getStats();
                          // The pair in use is the transport's selected one; "nominated" can lag behind it.
                          stats.forEach(s => {
                            if (s.type === 'transport' && s.selectedCandidatePairId) {
                              const pair = stats.get(s.selectedCandidatePairId);
                              type = stats.get(pair.localCandidateId).candidateType;
                            }
                          });
                          return type;
                        })()""").asText();
                assertTrue(candidateType.equals("relay"), "the media path must go through TURN, was " + candidateType);
            } finally {
                server.close();
            }
        }
    }
}
