package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A page whose WebSocket is cut mid-call (TCP reset both ways, as a network change does) resumes its
 * session: the same endpoint, video never stops either way. A page kept away longer than the grace period
 * is refused and joins anew by itself, and the others see it again.
 */
@Tag("browser")
class ResumeBrowserTest {
    /** Records, in the page, when each remote video track last decoded a new frame. */
    private static final String WATCH_FRAMES = """
            (() => {
              window.frameGaps = {};
              const last = {};
              setInterval(async () => {
                if (!window.sfu || !window.sfu.subscribePc) return;
                const now = performance.now();
                (await window.sfu.subscribePc.getStats()).forEach(s => {
                  if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
                  const seen = last[s.trackIdentifier];
                  if (!seen || s.framesDecoded > seen.frames) {
                    if (seen && window.watching) {
                      window.frameGaps[s.trackIdentifier] = Math.max(window.frameGaps[s.trackIdentifier] || 0, now - seen.at);
                    }
                    last[s.trackIdentifier] = {frames: s.framesDecoded, at: now};
                  }
                });
              }, 50);
              return 1;
            })()""";

    private static final String RECORD_EVENTS = """
            (() => { window.events = [];
              for (const t of ['reconnecting', 'resumed', 'rejoined', 'closed'])
                window.sfu.addEventListener(t, () => window.events.push(t));
              return 1; })()""";

    /** The longest time, in ms, any remote video went without a decoded frame while watched. */
    private static double longestGap(Chromium.Page page) throws Exception {
        JsonNode gaps = page.eval("window.frameGaps");
        double max = 0;
        for (JsonNode g : gaps) {
            max = Math.max(max, g.asDouble());
        }
        return max;
    }

    private static boolean hasEvent(Chromium.Page page, String event) throws Exception {
        for (JsonNode e : page.eval("window.events")) {
            if (e.asText().equals(event)) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Timeout(120)
    void aCutWebSocketResumesWithoutAGapAndARefusedOneRejoins() throws Exception {
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        Properties p = new Properties();
        p.setProperty("SFU_RESUME_SECONDS", "2"); // short, so that the second page's resume is refused
        Main.Server server = TestServers.start(p);
        try (Chromium chromium = new Chromium();
                CuttableProxy aPath = new CuttableProxy(server.httpPort());
                CuttableProxy cPath = new CuttableProxy(server.httpPort())) {
            String query = "/?room=resume&autojoin=1&simulcast=0&width=320&chat=0";
            Chromium.Page a = chromium.open("http://127.0.0.1:" + aPath.port() + query + "&name=a");
            Chromium.Page b = chromium.open("http://127.0.0.1:" + server.httpPort() + query + "&name=b");
            Chromium.Page c = chromium.open("http://127.0.0.1:" + cPath.port() + query + "&name=c");
            for (Chromium.Page page : new Chromium.Page[] {a, b, c}) {
                BrowserCallTest.awaitPlaying(page, 2, 40);
                page.eval(WATCH_FRAMES);
                page.eval(RECORD_EVENTS);
            }
            String aEndpoint = a.eval("window.sfu.endpointId").asText();
            String cEndpoint = c.eval("window.sfu.endpointId").asText();
            Thread.sleep(500);
            a.eval("window.watching = true, 1");
            b.eval("window.watching = true, 1");

            // a: cut, and reachable again at once.
            long cut = System.nanoTime();
            aPath.cut(0);
            while (!hasEvent(a, "resumed") && System.nanoTime() - cut < TimeUnit.SECONDS.toNanos(10)) {
                Thread.sleep(50);
            }
            long resumedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
            assertTrue(hasEvent(a, "resumed"), "a resumed; its events: " + a.eval("window.events"));
            assertTrue(resumedMillis < 3000, "a resumed after " + resumedMillis + " ms");
            assertEquals(aEndpoint, a.eval("window.sfu.endpointId").asText(), "the same endpoint");
            Thread.sleep(2000); // past the grace period: had a been parked and lost, b would see it leave now
            a.eval("window.watching = false, 1");
            b.eval("window.watching = false, 1");
            System.out.printf("resume: a resumed %d ms after the cut; longest video gap on b %.0f ms, on a %.0f ms%n",
                    resumedMillis, longestGap(b), longestGap(a));
            assertTrue(longestGap(b) < 1000, "b's videos (a's among them) never stopped for a second: "
                    + b.eval("window.frameGaps"));
            assertTrue(longestGap(a) < 1000, "a's remote videos never stopped: " + a.eval("window.frameGaps"));
            assertEquals(2, b.eval("window.sfu.participants.size").asInt(), "b still sees a and c");

            // c: cut and kept away past the grace period: its resume is refused, it joins anew by itself.
            cPath.cut(3000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!hasEvent(c, "rejoined") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(hasEvent(c, "rejoined"), "c rejoined; its events: " + c.eval("window.events"));
            String newC = c.eval("window.sfu.endpointId").asText();
            assertNotEquals(cEndpoint, newC, "a new endpoint");
            BrowserCallTest.awaitPlaying(c, 2, 20);
            java.util.List<String> onB = BrowserCallTest.awaitPlaying(b, 2, 20);
            assertTrue(onB.contains(newC) && onB.contains(aEndpoint), "b plays a and the new c: " + onB);
            b.screenshot(Path.of("target", "e2e", "resume-rejoined.png"));
        } finally {
            server.close();
        }
    }
}
