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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real thing: headless Chromium pages of the demo page call each other through the server.
 * Skipped (with how to install) where Chromium is missing, except in CI, where .ci/run installs it.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
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

    private static double metric(String name) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no metric " + name);
    }

    private static Chromium.Page join(String name) throws Exception {
        return chromium.open("http://127.0.0.1:" + server.httpPort() + "/?room=e2e&name=" + name
                + "&autojoin=1&simulcast=0&width=320");
    }

    /** Waits until the page shows {@code count} remote videos, all decoded and playing. */
    static List<String> awaitPlaying(Chromium.Page page, int count, long seconds) throws Exception {
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

    /** The frame height of the highest simulcast layer the page is sending now. */
    static final String TOP_SENT_HEIGHT = """
            (async () => {
              let top = 0;
              (await window.sfu.publishPc.getStats()).forEach(s => {
                if (s.type === 'outbound-rtp' && s.kind === 'video' && (s.framesPerSecond || 0) > 0) {
                  top = Math.max(top, s.frameHeight || 0);
                }
              });
              return top;
            })()""";

    /** The height of the page's one remote video. */
    static final String REMOTE_HEIGHT = "document.querySelector('#grid video[data-endpoint-id]')?.videoHeight || 0";

    private static double awaitValue(Chromium.Page page, String expression, java.util.function.DoublePredicate done,
            long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        double value = Double.NaN;
        while (System.nanoTime() < deadline) {
            value = page.eval(expression).asDouble();
            if (done.test(value)) {
                return value;
            }
            Thread.sleep(500);
        }
        return value;
    }

    /**
     * Simulcast end to end: the server's transport-cc feedback lets the publisher's bandwidth estimate grow
     * from the 300 kbit/s a browser starts at, the publisher then sends all three layers, and the receiver
     * gets the top one; receiverConstraints of 180 move it to the lowest layer. The receiver's page sends no
     * constraints of its own (adaptive=0): its tile would ask for the layer that fits it.
     */
    @Test
    @Order(1)
    @Timeout(150)
    void simulcastPublisherRampsUpAndTheReceiverGetsTheLayerItAsksFor() throws Exception {
        Chromium.Page sender = chromium.open("http://127.0.0.1:" + server.httpPort()
                + "/?room=simulcast&name=s&autojoin=1&width=1280");
        Chromium.Page receiver = chromium.open("http://127.0.0.1:" + server.httpPort()
                + "/?room=simulcast&name=r&autojoin=1&publish=0&adaptive=0");
        awaitPlaying(receiver, 1, 60);
        double estimate = awaitValue(sender, AVAILABLE_OUTGOING_BITRATE, v -> v >= 1_000_000, 40);
        System.out.println("publisher's available outgoing bitrate: " + estimate);
        assertTrue(estimate >= 1_000_000, "bandwidth estimate stayed at " + estimate + " bit/s");
        // The highest layer the publisher actually sends (it drops layers its bandwidth or CPU cannot carry).
        double sent = awaitValue(sender, TOP_SENT_HEIGHT, v -> v >= 360, 30);
        double top = awaitValue(receiver, REMOTE_HEIGHT, v -> v >= sent, 40);
        System.out.println("publisher's top layer height " + sent + ", receiver's video height, unconstrained: " + top);
        assertTrue(top >= sent && top > 180,
                "the receiver should get the publisher's top layer, got height " + top);
        receiver.eval("window.sfu.setReceiverConstraints(180); true");
        double low = awaitValue(receiver, REMOTE_HEIGHT, v -> v > 0 && v <= 180, 20);
        System.out.println("receiver's video height, maxHeight 180: " + low);
        assertTrue(low > 0 && low <= 180, "maxHeight 180 should forward the lowest layer, got height " + low);
        sender.close();
        receiver.close();
    }

    @Test
    @Order(2)
    @Timeout(180)
    void threePagesSeeEachOtherAndALeaverDisappearsAndALateJoinerSeesEveryone() throws Exception {
        Chromium.Page a = join("a");
        Chromium.Page b = join("b");
        Chromium.Page c = join("c");
        awaitPlaying(a, 2, 60);
        awaitPlaying(b, 2, 30);
        awaitPlaying(c, 2, 30);
        a.screenshot(Path.of("target", "e2e", "three-party.png"));
        // The server's counters move while media flows.
        double in1 = metric("sfu_packets_in_total");
        double out1 = metric("sfu_packets_out_total");
        Thread.sleep(1000);
        assertTrue(metric("sfu_packets_in_total") > in1 && metric("sfu_packets_out_total") > out1,
                "packet counters should grow while media flows");

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
        for (Chromium.Page p : List.of(a, b, c, d)) {
            p.close();
        }
    }
}
