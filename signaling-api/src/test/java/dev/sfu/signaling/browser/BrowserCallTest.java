package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real thing: headless Chromium pages of the demo page call each other through the server.
 * Skipped (with how to install) where Chromium is missing; .ci/run installs it.
 */
class BrowserCallTest {
    private static Main.Server server;
    private static Chromium chromium;

    /** What a page shows of one remote video. */
    static final String REMOTE_VIDEOS = """
            (async () => {
              const vs = [...document.querySelectorAll('#grid video[data-endpoint-id]')];
              const before = vs.map(v => v.currentTime);
              await new Promise(r => setTimeout(r, 700));
              return vs.map((v, i) => ({id: v.dataset.endpointId, width: v.videoWidth,
                                         advancing: v.currentTime > before[i]}));
            })()""";

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Chromium.available(),
                "install chromium (apt-get install chromium) to run the browser tests");
        server = TestServers.start();
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Chromium.Page join(String name) throws Exception {
        return chromium.open("http://127.0.0.1:" + server.httpPort() + "/?room=e2e&name=" + name
                + "&autojoin=1&simulcast=0&width=320");
    }

    /** Waits until the page shows {@code count} remote videos, all decoded and playing. */
    private static List<String> awaitPlaying(Chromium.Page page, int count, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = page.eval(REMOTE_VIDEOS);
            } catch (java.util.concurrent.ExecutionException e) {
                Thread.sleep(300); // the page is still loading: no execution context yet
                continue;
            }
            boolean ok = last.size() == count;
            for (JsonNode v : last) {
                ok &= v.get("width").asInt() > 0 && v.get("advancing").asBoolean();
            }
            if (ok) {
                List<String> ids = new ArrayList<>();
                last.forEach(v -> ids.add(v.get("id").asText()));
                return ids;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("expected " + count + " playing remote videos, saw " + last);
    }

    /** What the publish connection's congestion control believes it may send (bits/s). */
    static final String AVAILABLE_OUTGOING_BITRATE = """
            (async () => {
              let best = 0;
              (await window.sfu.publishPc.getStats()).forEach(s => {
                if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate) {
                  best = Math.max(best, s.availableOutgoingBitrate);
                }
              });
              return best;
            })()""";

    /**
     * The server's transport-cc feedback lets a publisher's bandwidth estimate grow past the 300 kbps a
     * browser starts from (without feedback it never moves).
     */
    @Test
    @Timeout(120)
    void publisherBandwidthEstimateRampsUpWithTransportCcFeedback() throws Exception {
        Chromium.Page sender = chromium.open("http://127.0.0.1:" + server.httpPort()
                + "/?room=ramp&name=s&autojoin=1&simulcast=0&width=1280");
        Chromium.Page receiver = chromium.open("http://127.0.0.1:" + server.httpPort()
                + "/?room=ramp&name=r&autojoin=1&simulcast=0&width=320");
        awaitPlaying(receiver, 1, 60);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double estimate = 0;
        while (System.nanoTime() < deadline && estimate < 1_000_000) {
            Thread.sleep(1000);
            estimate = sender.eval(AVAILABLE_OUTGOING_BITRATE).asDouble();
        }
        System.out.println("publisher's available outgoing bitrate: " + estimate);
        assertTrue(estimate >= 1_000_000, "bandwidth estimate stayed at " + estimate + " bit/s");
        sender.close();
        receiver.close();
    }

    @Test
    @Timeout(180)
    void threePagesSeeEachOtherAndALeaverDisappearsAndALateJoinerSeesEveryone() throws Exception {
        Chromium.Page a = join("a");
        Chromium.Page b = join("b");
        Chromium.Page c = join("c");
        awaitPlaying(a, 2, 60);
        awaitPlaying(b, 2, 30);
        awaitPlaying(c, 2, 30);
        a.screenshot(Path.of("target", "e2e", "three-party.png"));

        String leaver = c.eval("window.sfu.endpointId").asText("");
        c.eval("document.getElementById('leave').click(); true");
        long left = System.nanoTime();
        for (Chromium.Page p : List.of(a, b)) {
            while (p.eval("document.querySelectorAll('#grid video[data-endpoint-id]').length").asInt() != 1) {
                assertTrue(System.nanoTime() - left < TimeUnit.SECONDS.toNanos(2), "the leaver's video must go within 2 s");
                Thread.sleep(50);
            }
        }
        Chromium.Page d = join("d");
        List<String> seenByLate = awaitPlaying(d, 2, 60);
        assertEquals(2, seenByLate.size());
        assertTrue(!seenByLate.contains(leaver) || leaver.isEmpty());
        awaitPlaying(a, 2, 30);
    }
}
