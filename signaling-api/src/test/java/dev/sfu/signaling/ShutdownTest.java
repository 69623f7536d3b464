package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SIGTERM during a conference: the server drains and the process ends cleanly within 5 s. */
class ShutdownTest {

    @Test
    @Timeout(60)
    void sigtermDrainsAndExitsWithinFiveSeconds() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName())).redirectErrorStream(true);
        builder.environment().put("SFU_HTTP_PORT", "0");
        builder.environment().put("SFU_HTTP_BIND_ADDRESS", "127.0.0.1");
        builder.environment().put("SFU_MEDIA_PORT", "0");
        builder.environment().put("SFU_ICE_TCP_PORT", "0");
        builder.environment().put("SFU_MEDIA_BIND_ADDRESS", "127.0.0.1");
        builder.environment().put("SFU_ADVERTISED_ADDRESS", "127.0.0.1");
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
                assertTrue(process.waitFor(5, TimeUnit.SECONDS), "the server must exit within 5 s of SIGTERM");
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
                // Exit code 143 = terminated by SIGTERM after the shutdown hook ran: the JVM's normal way.
                assertTrue(process.exitValue() == 143 || process.exitValue() == 0, "exit " + process.exitValue());
                assertTrue(a.closed.get(5, TimeUnit.SECONDS) > 0, "the endpoint's socket was closed by the server");
            }
        } finally {
            process.destroyForcibly();
        }
    }
}
