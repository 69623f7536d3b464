package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's firefox-esr and Chromium in one room on the bundled page: both publish with simulcast (and a
 * second Firefox page without), each plays the other's video, chat goes both ways over data channels
 * (Firefox's usrsctp and Chromium's dcSCTP against our SCTP), and Firefox restarts ICE on both of its
 * connections.
 *
 * <p>Firefox gathers no loopback candidates, so it runs in a private network namespace joined to this one
 * by a veth pair ({@link NetworkNamespace}); the server binds and advertises this side's 10.213.N.1, a
 * private address, which the default remote-candidate policy ({@code auto}) then allows. Chromium stays
 * here and reaches the server at that address too. Firefox's offers and answers are saved under
 * target/e2e/sdp/ (the sfu-core fixtures firefox-*.sdp were taken from there); screenshots under
 * target/e2e/.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirefoxCallTest {
    /** Records every offer and answer the page sends, from before its own scripts run. */
    private static final String RECORD_SDP = """
            () => {
              window.sdpLog = [];
              const send = WebSocket.prototype.send;
              WebSocket.prototype.send = function (data) {
                try {
                  const m = JSON.parse(data);
                  if (m.type === 'offer' || m.type === 'answer') window.sdpLog.push({type: m.type, sdp: m.sdp});
                } catch (e) { /* not JSON */ }
                return send.call(this, data);
              };
              const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
              Object.defineProperty(WebSocket.prototype, 'onmessage', {
                set(handler) {
                  onmessage.set.call(this, (e) => {
                    try {
                      const m = JSON.parse(e.data);
                      if (m.type === 'offer') window.sdpLog.push({type: 'server-offer', sdp: m.sdp});
                    } catch (err) { /* not JSON */ }
                    return handler(e);
                  });
                },
                get() { return onmessage.get.call(this); },
              });
            }""";

    /** Remote videos with decoded frames: size, and whether currentTime and the decoder's count move. */
    private static final String REMOTE_VIDEOS = """
            (async () => {
              const decoded = async () => {
                let n = 0;
                if (!window.sfu || !window.sfu.subscribePc) return 0;
                (await window.sfu.subscribePc.getStats()).forEach(s => {
                  if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0;
                });
                return n;
              };
              const vs = [...document.querySelectorAll('#grid video[data-endpoint-id]')];
              const before = vs.map(v => v.currentTime);
              const framesBefore = await decoded();
              await new Promise(r => setTimeout(r, 600));
              const framesAfter = await decoded();
              return vs.map((v, i) => ({id: v.dataset.endpointId, width: v.videoWidth, height: v.videoHeight,
                                         advancing: v.currentTime > before[i], decoding: framesAfter > framesBefore}));
            })()""";

    /** What the tests need of a page of either browser. */
    @FunctionalInterface
    interface Page {
        JsonNode eval(String expression) throws Exception;
    }

    private static NetworkNamespace namespace;
    private static Main.Server server;
    private static Firefox firefox;
    private static Chromium chromium;
    private static String base;
    private static Firefox.Page fox;
    private static Firefox.Page plainFox;
    private static Chromium.Page chrome;

    @BeforeAll
    static void start() throws Exception {
        RequiredTool.require(Firefox.available(), Firefox.INSTALL);
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        RequiredTool.require(NetworkNamespace.available(), NetworkNamespace.REQUIREMENT);
        namespace = new NetworkNamespace();
        String host = namespace.hostAddress().getHostAddress();
        Properties env = new Properties();
        env.put("SFU_HTTP_BIND_ADDRESS", host);
        env.put("SFU_MEDIA_BIND_ADDRESS", host);
        env.put("SFU_ADVERTISED_ADDRESS", host);
        server = TestServers.start(env);
        String origin = "http://" + host + ":" + server.httpPort();
        // Neither browser counts http://10.213.N.1 as a secure context, which getUserMedia needs.
        firefox = new Firefox(namespace, Map.of("dom.securecontext.allowlist", host));
        firefox.addPreloadScript(RECORD_SDP);
        chromium = new Chromium(List.of("--unsafely-treat-insecure-origin-as-secure=" + origin));
        base = origin + "/?room=fx&autojoin=1&width=640&adaptive=0"; // layers chosen by the test, not by tile sizes
        Path sdp = Path.of("target", "e2e", "sdp");
        if (Files.isDirectory(sdp)) {
            try (var old = Files.list(sdp)) {
                for (Path p : old.toList()) {
                    Files.delete(p); // this run's captures only
                }
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (fox != null) {
                saveSdp(fox, "simulcast");
            }
            if (plainFox != null) {
                saveSdp(plainFox, "plain");
            }
        } finally {
            try {
                if (firefox != null) {
                    firefox.close();
                }
                if (chromium != null) {
                    chromium.close();
                }
                if (server != null) {
                    server.close();
                }
            } finally {
                if (namespace != null) {
                    namespace.close();
                }
            }
        }
    }

    /** Firefox's offers and answers as it sent them, and the server's offers it answered. */
    private static void saveSdp(Firefox.Page page, String name) throws Exception {
        JsonNode log = page.eval("window.sdpLog || []");
        Path dir = Path.of("target", "e2e", "sdp");
        Files.createDirectories(dir);
        for (int i = 0; i < log.size(); i++) {
            Files.writeString(dir.resolve("firefox-" + name + "-" + i + "-" + log.get(i).get("type").asText() + ".sdp"),
                    log.get(i).get("sdp").asText());
        }
    }

    @Test
    @Order(1)
    @Timeout(60)
    void firefoxAndChromiumPublishWithSimulcastAndPlayEachOther() throws Exception {
        fox = firefox.open(base + "&name=fox");
        chrome = chromium.open(base + "&name=chrome");
        // Both sent three layers (640x360 camera: simulcast on); each plays the other's.
        awaitPlaying("Firefox", fox::eval, 1, 30);
        awaitPlaying("Chromium", chrome::eval, 1, 20);
        // The room field's pattern compiles under the v flag in Firefox: a bad name fails validation.
        JsonNode pattern = fox.eval("""
                (() => { const r = document.getElementById('room'); const old = r.value;
                  r.value = 'no spaces!'; const bad = r.checkValidity();
                  r.value = 'a-b_c.9'; const good = r.checkValidity(); r.value = old;
                  return {bad, good}; })()""");
        assertEquals(false, pattern.get("bad").asBoolean(), "the pattern rejects a bad room name");
        assertEquals(true, pattern.get("good").asBoolean(), "the pattern accepts a good one");

        // Simulcast from each: asking for at most 90 lines gets the lowest layer (160x90) of the other's.
        for (Page page : List.<Page>of(fox::eval, chrome::eval)) {
            page.eval("window.sfu.setReceiverConstraints(90), 1");
        }
        awaitHeight("Firefox's lowest layer at Chromium", chrome::eval, h -> h > 0 && h <= 90, 20);
        awaitHeight("Chromium's lowest layer at Firefox", fox::eval, h -> h > 0 && h <= 90, 20);
        // And it stays there: layers mixed into one stream (Firefox's SSRCs all bound to one layer, as
        // before rid learning) would show frames of every size.
        holdsHeight("Firefox's lowest layer at Chromium", chrome::eval, h -> h > 0 && h <= 90, 1500);
        for (Page page : List.<Page>of(fox::eval, chrome::eval)) {
            page.eval("window.sfu.setReceiverConstraints(720), 1");
        }
        // A higher layer than the lowest again: the layers are told apart, not one mixed stream.
        awaitHeight("a higher layer of Firefox's at Chromium", chrome::eval, h -> h > 90, 25);

        // A second Firefox page without simulcast and without a data channel.
        plainFox = firefox.open(base.replace("width=640", "width=320") + "&name=plain&simulcast=0&chat=0");
        awaitPlaying("Chromium, with the plain Firefox page", chrome::eval, 2, 30);
        awaitPlaying("the plain Firefox page", plainFox::eval, 2, 20);
        fox.screenshot(Path.of("target", "e2e", "firefox-call.png"));
        chrome.screenshot(Path.of("target", "e2e", "firefox-call-chromium.png"));
    }

    @Test
    @Order(2)
    @Timeout(30)
    void chatGoesBothWaysBetweenFirefoxAndChromium() throws Exception {
        String chat = "document.getElementById('chat') && !document.getElementById('chat').hidden";
        await("Firefox's chat opens", fox::eval, chat, JsonNode::asBoolean, 15);
        await("Chromium's chat opens", chrome::eval, chat, JsonNode::asBoolean, 15);
        say(fox::eval, "hello from firefox");
        say(chrome::eval, "hello from chromium");
        String lines = "[...document.querySelectorAll('#messages li')].map(li => li.textContent)";
        JsonNode atChrome = await("Chromium shows Firefox's line", chrome::eval, lines,
                v -> v.toString().contains("fox hello from firefox"), 15);
        JsonNode atFox = await("Firefox shows Chromium's line", fox::eval, lines,
                v -> v.toString().contains("chrome hello from chromium"), 15);
        assertTrue(atChrome.toString().contains("You hello from chromium"), atChrome.toString());
        assertTrue(atFox.toString().contains("You hello from firefox"), atFox.toString());
        fox.screenshot(Path.of("target", "e2e", "firefox-chat.png"));
    }

    @Test
    @Order(3)
    @Timeout(45)
    void firefoxRestartsIceOnBothConnectionsAndVideoGoesOn() throws Exception {
        String endpoint = fox.eval("window.sfu.endpointId").asText();
        String publishBefore = serverUfrag(fox, "publishPc");
        String subscribeBefore = serverUfrag(fox, "subscribePc");
        fox.eval("(async () => { window.sfu.publishPc.restartIce(); await window.sfu.negotiatePublish(); return 1; })()");
        fox.eval("window.sfu.send({type: 'restartIce', transport: 'subscribe'}), 1");
        await("a subscribe offer with new credentials", fox::eval,
                "(window.sfu.subscribePc.currentRemoteDescription.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1] || ''",
                v -> !v.asText().equals(subscribeBefore), 15);
        assertNotEquals(publishBefore, serverUfrag(fox, "publishPc"), "the publish answer has new credentials");
        for (String pc : List.of("publishPc", "subscribePc")) {
            await(pc + " connected again", fox::eval, "window.sfu.%s.connectionState".formatted(pc),
                    v -> v.asText().equals("connected"), 15);
        }
        // Media flows through the new sessions both ways: frames keep being decoded on both pages.
        awaitPlaying("Firefox after its restart", fox::eval, 2, 15);
        awaitPlaying("Chromium after Firefox's restart", chrome::eval, 2, 15);
        assertEquals(endpoint, fox.eval("window.sfu.endpointId").asText(), "the same endpoint");
    }

    private static String serverUfrag(Firefox.Page page, String pc) throws Exception {
        return page.eval("(window.sfu.%s.currentRemoteDescription.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1] || ''"
                .formatted(pc)).asText();
    }

    /**
     * Issue 19: over a downlink that loses a fifth of the datagrams reaching Firefox (an nftables rule in
     * its namespace), our SCTP, sending what Chromium sends, still delivers every message of a reliable
     * channel in order, by retransmission, while on an unreliable one (unordered, no retransmission) it
     * abandons what was lost (FORWARD-TSN, RFC 3758) so that the rest arrives promptly and nothing waits.
     */
    @Test
    @Order(4)
    @Timeout(90)
    void overALossyDownlinkReliableDataArrivesWholeAndUnreliableDataDoesNotWait() throws Exception {
        RequiredTool.require(NetworkNamespace.nftAvailable(), "the lossy-link test needs nftables (apt-get install nftables)");
        String room = base.replace("room=fx", "room=lossy").replace("autojoin=1", "autojoin=1&publish=0&chat=0");
        Chromium.Page sender = chromium.open(room + "&name=sender");
        Firefox.Page receiver = firefox.open(room + "&name=receiver");
        String joined = "!!(window.sfu && window.sfu.endpointId)";
        await("the sender joins", sender::eval, joined, JsonNode::asBoolean, 20);
        await("the receiver joins", receiver::eval, joined, JsonNode::asBoolean, 20);
        receiver.eval("""
                (async () => {
                  window.got = {sure: [], lossy: []};
                  window.sfu.addEventListener('message', ({detail}) => {
                    if (!(detail.label in window.got)) return;
                    const m = JSON.parse(detail.data);
                    window.got[detail.label].push([m.n, Date.now() - m.t]);
                  });
                  await window.sfu.openDataChannel('sink'); // an association of its own to receive on
                  return 1;
                })()""");
        sender.eval("""
                (async () => {
                  window.sure = await window.sfu.openDataChannel('sure');
                  window.lossy = await window.sfu.openDataChannel('lossy', {ordered: false, maxRetransmits: 0});
                  return 1;
                })()""");
        // The relayed channels reach the receiver with the first messages: warm up before the loss starts.
        sender.eval("(() => { for (const c of [window.sure, window.lossy]) c.send(JSON.stringify({n: -1, t: Date.now()})); return 1; })()");
        await("the receiver has both relayed channels", receiver::eval,
                "window.got.sure.length > 0 && window.got.lossy.length > 0", JsonNode::asBoolean, 15);
        receiver.eval("(() => { window.got = {sure: [], lossy: []}; return 1; })()");
        namespace.downlinkLoss(20);
        try {
            sender.eval("""
                    (async () => {
                      for (let n = 0; n < 200; n++) {
                        for (const c of [window.sure, window.lossy]) c.send(JSON.stringify({n, t: Date.now()}));
                        await new Promise(r => setTimeout(r, 20));
                      }
                      return 1;
                    })()""");
            JsonNode sure = await("every reliable message arrives", receiver::eval, "window.got.sure",
                    v -> v.size() >= 200, 40);
            Thread.sleep(500);
            JsonNode lossy = receiver.eval("window.got.lossy");
            for (int i = 0; i < sure.size(); i++) {
                assertEquals(i, sure.get(i).get(0).asInt(), "reliable messages arrive in order, none twice");
            }
            assertEquals(200, sure.size());
            java.util.List<Integer> delays = new java.util.ArrayList<>();
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            lossy.forEach(m -> {
                delays.add(m.get(1).asInt());
                assertTrue(seen.add(m.get(0).asInt()), "an unreliable message arrives at most once");
            });
            java.util.Collections.sort(delays);
            int p50 = delays.isEmpty() ? -1 : delays.get(delays.size() / 2);
            System.out.printf("[FirefoxCallTest] over 20 %% downlink loss: reliable 200 of 200 in order; unreliable %d of"
                    + " 200, median delay %d ms%n", lossy.size(), p50);
            assertTrue(lossy.size() > 100 && lossy.size() < 200, "unreliable messages: most, not all: " + lossy.size());
            assertTrue(p50 < 1000, "unreliable messages do not wait for lost ones: median " + p50 + " ms");
        } finally {
            namespace.downlinkLoss(0);
        }
    }

    private static void say(Page page, String text) throws Exception {
        page.eval("(() => { document.getElementById('chat-input').value = '" + text
                + "'; document.getElementById('chat-form').requestSubmit(); return 1; })()");
    }

    /** Waits until the page shows {@code count} remote videos, each sized, playing and decoding frames. */
    private static void awaitPlaying(String who, Page page, int count, long seconds) throws Exception {
        await(who + " plays " + count + " remote video(s)", page, REMOTE_VIDEOS, videos -> {
            boolean ok = videos.size() == count;
            for (JsonNode v : videos) {
                ok &= v.get("width").asInt() > 0 && v.get("advancing").asBoolean() && v.get("decoding").asBoolean();
            }
            return ok;
        }, seconds);
    }

    private static void awaitHeight(String what, Page page, java.util.function.IntPredicate done, long seconds)
            throws Exception {
        await(what, page, "document.querySelector('#grid video[data-endpoint-id]')?.videoHeight || 0",
                v -> done.test(v.asInt()), seconds);
    }

    /** Samples the first remote video's height for {@code millis}: every sample must pass. */
    private static void holdsHeight(String what, Page page, java.util.function.IntPredicate ok, long millis)
            throws Exception {
        List<Integer> seen = new java.util.ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            seen.add(page.eval("document.querySelector('#grid video[data-endpoint-id]')?.videoHeight || 0").asInt());
            Thread.sleep(100);
        }
        assertTrue(seen.stream().allMatch(ok::test), what + " held: heights " + seen);
    }

    private static JsonNode await(String what, Page page, String expression, Predicate<JsonNode> done, long seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = page.eval(expression);
                if (done.test(last)) {
                    System.out.printf("[FirefoxCallTest] %s: %d ms%n", what,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deadline) + TimeUnit.SECONDS.toMillis(seconds));
                    return last;
                }
            } catch (java.util.concurrent.ExecutionException | java.io.IOException e) {
                // still loading: no execution context, or the page's script not there yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError(what + ": last saw " + last + "\n" + diagnostics());
    }

    /** What tells a failed connection's cause: Firefox's console and its candidate pairs, per connection. */
    private static String diagnostics() {
        StringBuilder b = new StringBuilder("Firefox console: ").append(firefox.console());
        for (Firefox.Page page : new Firefox.Page[] {fox, plainFox}) {
            if (page == null) {
                continue;
            }
            try {
                b.append("\nFirefox ICE: ").append(page.eval("""
                        (async () => { const out = {};
                          for (const name of ['publishPc', 'subscribePc']) {
                            const pc = window.sfu && window.sfu[name];
                            if (!pc) continue;
                            const pairs = [];
                            (await pc.getStats()).forEach(s => { if (s.type === 'candidate-pair') pairs.push(
                                {state: s.state, nominated: s.nominated, sent: s.requestsSent, received: s.responsesReceived,
                                 local: s.localCandidateId, remote: s.remoteCandidateId}); });
                            out[name] = {state: pc.connectionState, ice: pc.iceConnectionState, pairs};
                          }
                          return out; })()"""));
            } catch (Exception e) {
                b.append("\nFirefox ICE: unavailable (").append(e.getMessage()).append(')');
            }
        }
        return b.toString();
    }
}
