package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM during a conference: the server drains. No new conference starts and /health answers 503, but the
 * call goes on (and takes joins) until it ends or the drain timeout passes; then its clients are told they
 * were removed (no other node here to send them to) and the process exits.
 */
class ShutdownTest {

    @Test
    @Timeout(60)
    void sigtermLetsTheCallGoOnUntilTheDrainTimeoutThenExits() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName())).redirectErrorStream(true);
        builder.environment().put("SFU_HTTP_PORT", "0");
        builder.environment().put("SFU_HTTP_BIND_ADDRESS", "127.0.0.1");
        builder.environment().put("SFU_MEDIA_PORT", "0");
        builder.environment().put("SFU_ICE_TCP_PORT", "0");
        builder.environment().put("SFU_MEDIA_BIND_ADDRESS", "127.0.0.1");
        builder.environment().put("SFU_ADVERTISED_ADDRESS", "127.0.0.1");
        builder.environment().put("SFU_DRAIN_TIMEOUT_SECONDS", "4");
        Process process = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Pattern address = Pattern.compile("Open http://localhost:(\\d+)/");
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                Matcher m = address.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "the server printed where to point a browser");
            Thread drain = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        // keep the pipe flowing
                    }
                } catch (java.io.IOException ignored) {
                    // process gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            try (WsClient a = new WsClient(port)) {
                assertEquals("joined", a.request("{\"type\":\"join\",\"conference\":\"bye\",\"id\":1}").get("type").asText());
                long start = System.nanoTime();
                process.destroy(); // SIGTERM
                HttpClient http = HttpClient.newHttpClient();
                URI health = URI.create("http://127.0.0.1:" + port + "/health");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                int status = 0;
                while (status != 503 && System.nanoTime() < deadline) {
                    status = http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                }
                assertEquals(503, status, "a draining server tells the balancer at once");
                try (WsClient late = new WsClient(port)) {
                    assertEquals("joined", late.request("{\"type\":\"join\",\"conference\":\"bye\",\"id\":2}").get("type")
                            .asText(), "a join to a conference the server hosts is still taken");
                }
                try (WsClient other = new WsClient(port)) {
                    JsonNode refused = other.request("{\"type\":\"join\",\"conference\":\"new\",\"id\":3}");
                    assertEquals("error", refused.get("type").asText());
                    assertEquals("unavailable", refused.get("code").asText(), "no new conference on a draining server");
                }
                Thread.sleep(Math.max(0, 2500 - (System.nanoTime() - start) / 1_000_000));
                assertTrue(process.isAlive(), "the call goes on while it lasts, within the drain timeout");
                assertFalse(a.closed.isDone(), "the call's WebSocket stays open");
                assertEquals("drained", a.next("removed").get("reason").asText(), "at the deadline the client is told");
                assertTrue(process.waitFor(5, TimeUnit.SECONDS), "the server exits after the drain timeout");
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                assertTrue(seconds >= 3 && seconds < 9, "exited after " + seconds + " s, the timeout being 4 s");
                // Exit code 143 = terminated by SIGTERM after the shutdown hook ran: the JVM's normal way.
                assertTrue(process.exitValue() == 143 || process.exitValue() == 0, "exit " + process.exitValue());
                assertTrue(a.closed.get(5, TimeUnit.SECONDS) > 0, "the endpoint's socket was closed by the server");
            }
        } finally {
            process.destroyForcibly();
        }
    }
}
