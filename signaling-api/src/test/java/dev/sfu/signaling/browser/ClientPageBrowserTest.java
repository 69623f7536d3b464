package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo page as people use it (issue 18), in one room of four Chromium pages, so that one browser
 * session checks it all: each page shows the three others playing (screenshots
 * {@code target/e2e/four-party-*.png}); a camera and a screen of one page reach the others as two tiles
 * labelled by source; a tile that cannot be seen receives no video while a visible one keeps decoding; a
 * pinned tile asks for a high resolution and the others for little; each tile has a quality badge; the
 * device lists are filled; errors read as plain words with a code; sound that autoplay blocks plays from a
 * button; with auth on, the page joins with the token in its URL and a wrong one reads as "unauthorized" in
 * words; and axe-core finds no serious or critical accessibility violation on the join form or in the call.
 */
@Tag("browser")
class ClientPageBrowserTest {
    private static final Path E2E = Path.of("target", "e2e");

    private long phaseStarted = System.nanoTime();

    /** Prints how long the part of the test that just ended took (CI time is watched). */
    private void phase(String what) {
        long now = System.nanoTime();
        System.out.printf("[ClientPageBrowserTest] %s: %d ms%n", what, TimeUnit.NANOSECONDS.toMillis(now - phaseStarted));
        phaseStarted = now;
    }

    private static void await(String what, long seconds, Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (done.call()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not within " + seconds + " s: " + what);
    }

    private static String tile(String endpointId, String source) {
        return "document.querySelector('figure[data-endpoint-id=\"" + endpointId + "\"][data-source=\"" + source + "\"]')";
    }

    /** framesDecoded, framesReceived and bytesReceived of one remote participant's video of a source, as the page's client sees them. */
    private static JsonNode received(Chromium.Page page, String endpointId, String source) throws Exception {
        return page.eval("(async () => { const s = [...(await window.sfu.trackStats()).values()].find(x => x.kind === 'video'"
                + " && x.endpointId === '" + endpointId + "' && x.source === '" + source + "');"
                + " return s ? {frames: s.framesDecoded, received: s.framesReceived, bytes: s.bytesReceived} : {frames: -1, received: -1, bytes: -1}; })()");
    }

    private static final String SECRET = "page-test-secret-of-at-least-32-bytes";

    /** An HS256 join token for a room, valid for 10 minutes. */
    private static String token(String room) throws Exception {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"room\":\"" + room + "\",\"exp\":" + (System.currentTimeMillis() / 1000 + 600) + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return header + "." + claims + "." + b64.encodeToString(mac.doFinal((header + "." + claims)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** Whether the page has loaded its script (before, there is no execution context or no page yet). */
    private static boolean loaded(Chromium.Page page) throws Exception {
        try {
            return page.eval("!!window.sfu").asBoolean();
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    /** Frames decoded on page so far of a's and d's cameras. */
    private static int visibleFrames(Chromium.Page page, String aId, String dId) throws Exception {
        return received(page, aId, "camera").get("frames").asInt() + received(page, dId, "camera").get("frames").asInt();
    }

    @Test
    @Timeout(240)
    void fourPagesCameraAndScreenAdaptiveTilesAndAnAccessiblePage() throws Exception {
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        Path axe = NpmTools.require("axe-core").resolve("axe-core").resolve("axe.min.js");
        Main.Server server = TestServers.start();
        long started = System.nanoTime();
        phaseStarted = started;
        try (Chromium chromium = new Chromium()) {
            String origin = "http://127.0.0.1:" + server.httpPort();
            String base = origin + "/?room=four&autojoin=1&simulcast=0&width=320&chat=0";
            List<String> names = List.of("a", "b", "c", "d");
            List<Chromium.Page> pages = new java.util.ArrayList<>();
            for (String name : names) {
                pages.add(chromium.open(base + "&name=" + name));
            }
            for (Chromium.Page p : pages) {
                await("the page loads", 10, () -> {
                    try {
                        return p.eval("!!window.sfu").asBoolean();
                    } catch (java.util.concurrent.ExecutionException e) {
                        return false;
                    }
                });
                assertEquals("visible", p.eval("document.visibilityState").asText(), "a page in its own window is visible");
            }
            for (int i = 0; i < pages.size(); i++) {
                BrowserCallTest.awaitPlaying(pages.get(i), 3, 60);
                pages.get(i).screenshot(E2E.resolve("four-party-" + names.get(i) + ".png"));
            }
            Chromium.Page a = pages.get(0);
            Chromium.Page b = pages.get(1);
            String aId = a.eval("window.sfu.endpointId").asText();
            String cId = pages.get(2).eval("window.sfu.endpointId").asText();
            String dId = pages.get(3).eval("window.sfu.endpointId").asText();

            phase("four pages playing");
            // Adaptive receiving: a tile nobody can see receives no video; a visible one keeps decoding. Before the
            // screen share: a non-simulcast 800x600 screen can fill a loaded machine's downlink estimate, and then
            // the pacer's drops stall every tile, hidden or not.
            b.eval(tile(cId, "camera") + ".style.display = 'none', 1");
            await("b asks for no video from c and some from d", 10, () -> {
                JsonNode c = b.eval("window.sfu.receiverConstraints || {endpoints: {}}").path("endpoints");
                return c.path(cId).asInt(-1) == 0 && c.path(dId).asInt() > 0;
            });
            // What was on its way arrives (on a loaded machine, for a while): the hidden tile's frames stop.
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            JsonNode before = received(b, cId, "camera");
            while (true) {
                Thread.sleep(2000);
                JsonNode now = received(b, cId, "camera");
                if (now.get("received").asInt() == before.get("received").asInt()) {
                    break;
                }
                assertTrue(System.nanoTime() < settle, "the hidden tile's frames never stopped: " + before + " -> " + now);
                before = now;
            }
            // Over at least 3 s (and until the visible tiles are seen decoding, at most 15 s) the hidden tile gets at
            // most one frame: a frame the pause cut short may still be completed by a retransmission the receiver
            // asked for (NACK), but nothing new comes. The visible ones (a's and d's cameras) decode
            // 5 frames among them: on a machine loaded by other builds a publishing page's encoder may make a frame
            // a second or less, so not a frame rate.
            JsonNode c0 = received(b, cId, "camera");
            JsonNode c1 = c0;
            int visible0 = visibleFrames(b, aId, dId);
            int visible1 = visible0;
            long measured = System.nanoTime();
            long window = measured + TimeUnit.SECONDS.toNanos(15);
            while ((visible1 - visible0 < 5 || System.nanoTime() - measured < TimeUnit.SECONDS.toNanos(3))
                    && System.nanoTime() < window) {
                Thread.sleep(500);
                c1 = received(b, cId, "camera");
                visible1 = visibleFrames(b, aId, dId);
                // Not bytes: the server's bandwidth probes may pad on a paused video SSRC; padding makes no frames.
                assertTrue(c1.get("received").asInt() - c0.get("received").asInt() <= 1,
                        "the hidden tile must receive no new frames: " + c0 + " -> " + c1);
                assertTrue(c1.get("frames").asInt() - c0.get("received").asInt() <= 1,
                        "the hidden tile must decode no new frames: " + c0 + " -> " + c1);
            }
            System.out.printf("[ClientPageBrowserTest] hidden c: %s -> %s, visible tiles' frames: %d -> %d%n",
                    c0, c1, visible0, visible1);
            assertTrue(visible1 - visible0 >= 5, "the visible tiles keep decoding: " + visible0 + " -> " + visible1);
            b.eval(tile(cId, "camera") + ".style.display = '', 1");
            BrowserCallTest.awaitPlaying(b, 3, 20);


            phase("hidden tile");
            // Camera and screen at once: a shares its (headless Chromium's fake) screen through the page's button.
            a.evalAsUser("document.getElementById('screen').click(), 1");
            await("a's screen share starts", 15, () -> a.eval("document.getElementById('screen').textContent").asText()
                    .equals("Stop sharing"));
            for (Chromium.Page p : pages.subList(1, 4)) {
                BrowserCallTest.awaitPlaying(p, 4, 30);
            }
            JsonNode labels = b.eval("[" + tile(aId, "camera") + ", " + tile(aId, "screen") + "].map(f => f && "
                    + "({label: f.querySelector('.source-label').textContent, width: f.querySelector('video').videoWidth,"
                    + " caption: f.querySelector('figcaption').textContent}))");
            assertEquals("camera", labels.get(0).path("label").asText(), labels.toString());
            assertEquals("screen", labels.get(1).path("label").asText(), labels.toString());
            assertTrue(labels.get(0).path("caption").asText().startsWith("a"), labels.toString());
            assertEquals(320, labels.get(0).path("width").asInt(), "a's camera is its 320-wide camera: " + labels);
            assertTrue(labels.get(1).path("width").asInt() > 320, "a's screen is the screen, not the camera: " + labels);
            b.screenshot(E2E.resolve("four-party-b-with-screen.png"));

            phase("camera and screen");
            // Pin: a's screen takes the big area and a high resolution, the other tiles get small.
            b.eval(tile(aId, "screen") + ".querySelector('.pin').click(), 1");
            await("b asks a high maxHeight for the pinned participant and little for the others", 10, () -> {
                JsonNode c = b.eval("window.sfu.receiverConstraints");
                return c.path("endpoints").path(aId).asInt() >= 720 && c.path("endpoints").path(cId).asInt() <= 360
                        && c.path("endpoints").path(dId).asInt() <= 360 && c.path("endpoints").path(cId).asInt() > 0;
            });
            JsonNode heights = b.eval("[" + tile(aId, "screen") + ", " + tile(cId, "camera") + "].map(f => f.getBoundingClientRect().height)");
            assertTrue(heights.get(0).asDouble() > 2 * heights.get(1).asDouble(), "the pinned tile is the big one: " + heights);
            assertEquals("true", b.eval(tile(aId, "screen") + ".querySelector('.pin').getAttribute('aria-pressed')").asText());
            b.screenshot(E2E.resolve("four-party-b-pinned.png"));

            phase("pin");
            // Quality badges: resolution, bitrate, loss on every remote tile, every 2 s.
            await("b's tiles show their quality", 10, () -> b.eval("[...document.querySelectorAll('#grid figure[data-endpoint-id]"
                    + " .quality')].every(q => /\\d+p · \\d+ kbps · [\\d.]+% loss/.test(q.textContent))").asBoolean());

            phase("badges");
            // Devices: the lists show the fake camera and microphone by name, once the page may use them.
            JsonNode devices = b.eval("['camera-select', 'mic-select'].map(id => [...document.getElementById(id).options]"
                    + ".map(o => o.textContent))");
            assertTrue(devices.get(0).size() >= 1 && !devices.get(0).get(0).asText().startsWith("No "), devices.toString());
            assertTrue(devices.get(1).size() >= 1 && !devices.get(1).get(0).asText().startsWith("No "), devices.toString());

            phase("device lists");
            // The screen share ends: its tile leaves the other pages.
            a.evalAsUser("document.getElementById('screen').click(), 1");
            await("a's screen tile leaves b", 10, () -> b.eval("!" + tile(aId, "screen")).asBoolean());
            BrowserCallTest.awaitPlaying(b, 3, 20);

            phase("screen share ends");
            // Another camera and microphone from the lists, during the call: replaced without renegotiation, and
            // the others go on playing the new camera (headless Chromium has one fake device of each: the same
            // device is opened anew, a new track).
            Chromium.Page d = pages.get(3);
            String sentBefore = d.eval("window.sfu.localTracks().map(t => t.track && t.track.id).join()").asText();
            d.eval("['camera-select', 'mic-select'].forEach(id => document.getElementById(id).dispatchEvent(new Event('change'))), 1");
            await("d sends a new camera and microphone", 10, () -> {
                JsonNode now = d.eval("window.sfu.localTracks().map(t => ({id: t.track && t.track.id, live: t.track && t.track.readyState}))");
                return now.size() == 2 && !now.get(0).path("id").asText().isEmpty() && !sentBefore.contains(now.get(0).path("id").asText())
                        && !sentBefore.contains(now.get(1).path("id").asText()) && now.get(0).path("live").asText().equals("live");
            });
            BrowserCallTest.awaitPlaying(b, 3, 20);
            assertTrue(d.eval("document.getElementById('error').hidden").asBoolean(), "no error after switching devices");

            phase("device switch");
            // Errors in words, with codes, never a class name.
            JsonNode errors = b.eval("""
                    (async () => {
                      const m = await import('/sfu-client.js');
                      const unreachable = await new m.SfuClient('ws://127.0.0.1:9/ws').join('x', 'y').catch(e => e);
                      const invalid = await new m.SfuClient('ws://' + location.host + '/ws').join('bad room!', 'y').catch(e => e);
                      const denied = m.mediaError(new DOMException('Permission denied', 'NotAllowedError'));
                      const missing = m.mediaError(new DOMException('Requested device not found', 'NotFoundError'));
                      // No usable candidate (as when UDP is blocked and there is no TURN): ice-failed, with the cause.
                      const blocked = new m.SfuClient('ws://' + location.host + '/ws', {candidateFilter: () => false, iceFailedAfterMs: 1500});
                      const iceFailed = new Promise(r => blocked.addEventListener('error', ({detail}) => r(detail)));
                      await blocked.join('blocked', 'z');
                      blocked.openDataChannel('x').catch(() => {});
                      const ice = await Promise.race([iceFailed, new Promise(r => setTimeout(() => r({code: 'none'}), 8000))]);
                      blocked.leave();
                      return [unreachable, invalid, denied, missing, ice].map(e => ({code: e.code, text: m.describeError(e)}));
                    })()""");
            List<String> codes = List.of("server-unreachable", "bad-request", "permission-denied", "no-device", "ice-failed");
            System.out.println("[ClientPageBrowserTest] error messages: " + errors);
            assertTrue(errors.get(1).path("text").asText().startsWith("The server did not accept the request: "), errors.toString());
            for (int i = 0; i < codes.size(); i++) {
                assertEquals(codes.get(i), errors.get(i).path("code").asText(), errors.toString());
                String text = errors.get(i).path("text").asText();
                assertFalse(text.isBlank() || text.matches("(?s).*([a-z]+\\.){2,}[A-Z]\\w+.*|.*Exception.*"),
                        "a plain message: " + text);
            }

            phase("errors");
            // c and d are done with: fewer pages to encode and decode for the rest (a and b stay).
            pages.get(2).close();
            pages.get(3).close();
            await("c and d leave b's page", 10, () -> b.eval("document.querySelectorAll('#grid figure[data-endpoint-id]').length")
                    .asInt() == 1);

            // With auth on, the page passes &token= to join; a wrong one reads as words with the code unauthorized.
            java.util.Properties auth = new java.util.Properties();
            auth.setProperty("SFU_AUTH_SECRET", SECRET);
            Main.Server authServer = TestServers.start(auth);
            try {
                String authBase = "http://127.0.0.1:" + authServer.httpPort() + "/?room=vip&autojoin=1&publish=0&chat=0&name=t";
                Chromium.Page good = chromium.open(authBase + "&token=" + token("vip"));
                Chromium.Page bad = chromium.open(authBase + "&token=" + token("other"));
                await("the page joins with its token", 15, () -> loaded(good) && good.eval("!!window.sfu.endpointId").asBoolean());
                await("a wrong token shows why", 15, () -> loaded(bad)
                        && bad.eval("document.getElementById('error').dataset.code || ''").asText().equals("unauthorized"));
                String text = bad.eval("document.getElementById('error').textContent").asText();
                assertTrue(text.contains("not allowed to join") && !text.contains("Exception"), text);
                good.close();
                bad.close();
            } finally {
                authServer.close();
            }

            phase("token");
            // Sound the browser will not play before a click: a button plays it. A browser of its own, with
            // Chromium's default autoplay policy (the last switch wins), watching the room.
            try (Chromium strict = new Chromium(List.of("--autoplay-policy=user-gesture-required"))) {
                Chromium.Page listener = strict.open(origin + "/?room=four&autojoin=1&publish=0&chat=0&name=e");
                await("the page offers to play the blocked sound", 30, () -> {
                    try {
                        return listener.eval("!(document.getElementById('unmute-audio') || {hidden: true}).hidden").asBoolean();
                    } catch (java.util.concurrent.ExecutionException e) {
                        return false;
                    }
                });
                listener.evalAsUser("document.getElementById('unmute-audio').click(), 1");
                await("a click plays a's and b's audio", 10, () -> listener.eval(
                        "(() => { const a = [...document.querySelectorAll('#grid audio')].filter(x => x.srcObject.getAudioTracks().length);"
                        + " return a.length === 2 && a.every(x => !x.paused) && document.getElementById('unmute-audio').hidden; })()")
                        .asBoolean());
            }

            phase("autoplay");
            // Accessibility: axe-core on the call page and on the join form.
            Chromium.Page form = chromium.open(origin + "/?room=four");
            await("the form page loads", 10, () -> {
                try {
                    return form.eval("document.readyState === 'complete' && !!document.getElementById('join-form')").asBoolean();
                } catch (java.util.concurrent.ExecutionException e) {
                    return false;
                }
            });
            String axeSource = Files.readString(axe);
            for (Chromium.Page p : List.of(form, b)) {
                p.eval(axeSource + "\n;1");
                JsonNode violations = p.eval("""
                        (async () => {
                          const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
                          return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                              .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
                        })()""");
                assertEquals(0, violations.size(), "serious or critical accessibility violations: " + violations.toPrettyString());
            }
            phase("axe-core");
            System.out.printf("[ClientPageBrowserTest] done: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } finally {
            server.close();
        }
    }
}
