package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.signaling.Main;
import dev.sfu.signaling.TestServers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data channels through the server between headless Chromium pages of the demo page (Chromium's SCTP is
 * dcSCTP): chat typed into the page reaches the others in order with its sender's name, a 200 KiB binary
 * message arrives intact, and a leaver's channels close on the others.
 */
@Tag("browser")
class DataChannelBrowserTest {
    private static final int MESSAGES = 20;

    /** Records on the page what the tests look at: relayed channels closing, and binary messages by checksum. */
    private static final String RECORD = """
            (() => {
              window.dataLog = [];
              window.sfu.addEventListener('datachannelclosed', (e) =>
                  window.dataLog.push({event: 'closed', from: e.detail.endpointId, label: e.detail.label}));
              window.sfu.addEventListener('message', (e) => {
                if (e.detail.label !== 'files') return;
                const bytes = new Uint8Array(e.detail.data);
                let sum = 0;
                for (let i = 0; i < bytes.length; i++) sum = (sum * 31 + bytes[i]) >>> 0;
                window.dataLog.push({event: 'file', from: e.detail.endpointId, length: bytes.length, sum});
              });
              return true;
            })()""";

    /** The chat lines a page shows: sender shown and text. */
    private static final String CHAT_LINES =
            "[...document.querySelectorAll('#messages li')].map(li => li.textContent)";

    @Test
    @Timeout(120)
    void chatBinaryAndLeaversThroughTheServer() throws Exception {
        RequiredTool.require(Chromium.available(), "install chromium (apt-get install chromium) to run the browser tests");
        Main.Server server = TestServers.start();
        try (Chromium chromium = new Chromium()) {
            String base = "http://127.0.0.1:" + server.httpPort() + "/?room=data&autojoin=1&simulcast=0&width=320&name=";
            List<String> names = List.of("alice", "bob", "carol");
            List<Chromium.Page> pages = new ArrayList<>();
            for (String name : names) {
                pages.add(chromium.open(base + name));
            }
            for (Chromium.Page page : pages) {
                await(page, "document.getElementById('chat') && !document.getElementById('chat').hidden", JsonNode::asBoolean,
                        30, "the chat channel opens");
                page.eval(RECORD);
            }
            // Every page types its messages; each other page shows them in order, under the sender's name.
            for (int i = 0; i < MESSAGES; i++) {
                for (int p = 0; p < pages.size(); p++) {
                    pages.get(p).eval("(() => { document.getElementById('chat-input').value = '" + names.get(p)
                            + " says " + i + "'; document.getElementById('chat-form').requestSubmit(); return 1; })()");
                }
            }
            for (int p = 0; p < pages.size(); p++) {
                int self = p;
                JsonNode lines = await(pages.get(p), CHAT_LINES, v -> v.size() == MESSAGES * names.size(), 30,
                        names.get(p) + " shows every chat line");
                for (int q = 0; q < names.size(); q++) {
                    String sender = q == self ? "You" : names.get(q);
                    String says = names.get(q) + " says ";
                    List<String> fromQ = new ArrayList<>();
                    lines.forEach(l -> {
                        if (l.asText().contains(says)) {
                            fromQ.add(l.asText());
                        }
                    });
                    assertEquals(MESSAGES, fromQ.size(), names.get(p) + " got every line of " + names.get(q));
                    for (int i = 0; i < MESSAGES; i++) {
                        assertEquals(sender + " " + says + i, fromQ.get(i), "in order, with the sender's name");
                    }
                }
            }

            // One binary message of 200 KiB from alice, intact at bob and carol.
            JsonNode sent = pages.get(0).eval("""
                    (async () => {
                      const files = await window.sfu.openDataChannel('files');
                      const bytes = new Uint8Array(200 * 1024);
                      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
                      let sum = 0;
                      for (let i = 0; i < bytes.length; i++) sum = (sum * 31 + bytes[i]) >>> 0;
                      files.send(bytes.buffer);
                      return {sum, id: window.sfu.endpointId};
                    })()""");
            for (Chromium.Page page : pages.subList(1, 3)) {
                JsonNode file = await(page, "window.dataLog.filter(e => e.event === 'file')", v -> v.size() == 1, 30,
                        "the file arrives").get(0);
                assertEquals(200 * 1024, file.get("length").asInt());
                assertEquals(sent.get("sum").asLong(), file.get("sum").asLong(), "byte for byte");
                assertEquals(sent.get("id").asText(), file.get("from").asText(), "the channel names its sender");
            }
            pages.get(0).screenshot(Path.of("target", "e2e", "data-chat.png"));

            // Carol leaves: the channels the server opened for her close at alice's and bob's.
            String carol = pages.get(2).eval("window.sfu.endpointId").asText();
            pages.get(2).close();
            for (Chromium.Page page : pages.subList(0, 2)) {
                JsonNode closed = await(page, "window.dataLog.filter(e => e.event === 'closed' && e.from === '" + carol
                        + "')", v -> v.size() >= 1, 20, "carol's channels close");
                assertEquals("chat", closed.get(0).get("label").asText());
            }
            assertTrue(pages.get(0).eval("window.dataLog.filter(e => e.event === 'closed').length").asInt() == 1,
                    "only carol's channel closed at alice");
        } finally {
            server.close();
        }
    }

    private static JsonNode await(Chromium.Page page, String expression, Predicate<JsonNode> done, long seconds,
            String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = page.eval(expression);
                if (done.test(last)) {
                    return last;
                }
            } catch (ExecutionException | java.io.IOException e) {
                // still loading: no execution context, or the page script not there yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + ": last saw " + last);
    }
}
