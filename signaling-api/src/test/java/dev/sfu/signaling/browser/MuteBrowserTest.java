package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mute that others see (issue 18): a page's mic and camera buttons signal the mute, the other page's tile
 * says so, a stopped camera is released (its track ended, nothing sent) and, started again, plays anew.
 */
@Tag("browser")
class MuteBrowserTest {
    private static String attribute(Chromium.Page page, String endpointId, String name) throws Exception {
        return page.eval("(document.querySelector('figure[data-endpoint-id=\"" + endpointId + "\"]') || {dataset: {}})"
                + ".dataset." + name + " || ''").asText();
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (done.call()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not within 15 s: " + what);
    }

    @Test
    @Timeout(90)
    void muteAndAStoppedCameraShowOnTheOtherPage() throws Exception {
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        Main.Server server = TestServers.start();
        try (Chromium chromium = new Chromium()) {
            String base = "http://127.0.0.1:" + server.httpPort() + "/?room=mute&autojoin=1&simulcast=0&width=320&chat=0";
            Chromium.Page a = chromium.open(base + "&name=a");
            Chromium.Page b = chromium.open(base + "&name=b");
            BrowserCallTest.awaitPlaying(a, 1, 30);
            BrowserCallTest.awaitPlaying(b, 1, 30);
            String aId = a.eval("window.sfu.endpointId").asText();

            a.eval("document.getElementById('mic').click(), 1");
            await("b sees a's mic muted", () -> attribute(b, aId, "audioMuted").equals("true"));
            assertTrue(b.eval("document.querySelector('figure[data-endpoint-id=\"" + aId + "\"] figcaption').textContent")
                    .asText().contains("mic off"));

            a.eval("document.getElementById('cam').click(), 1");
            await("b sees a's camera off", () -> attribute(b, aId, "videoMuted").equals("true"));
            await("a's camera is released", () -> a.eval("(() => { const t = window.sfu.publishPc.getTransceivers()"
                    + ".find(x => x.receiver.track.kind === 'video'); return t.sender.track === null; })()").asBoolean());
            assertEquals(0, a.eval("(window.sfu.published[0].stream.getVideoTracks()"
                    + ".filter(t => t.readyState === 'live')).length").asInt(), "no live camera track");
            b.screenshot(Path.of("target", "e2e", "mute-camera-off.png"));

            a.eval("document.getElementById('cam').click(), 1");
            a.eval("document.getElementById('mic').click(), 1");
            await("b sees a's camera and mic back", () -> attribute(b, aId, "videoMuted").equals("false")
                    && attribute(b, aId, "audioMuted").equals("false"));
            BrowserCallTest.awaitPlaying(b, 1, 20);
        } finally {
            server.close();
        }
    }
}
