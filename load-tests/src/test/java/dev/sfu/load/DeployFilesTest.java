package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of deploy/ on a machine without Docker: HAProxy loads the shipped config without a
 * warning, and the files agree on the jar, the ports and the drain time.
 */
@Tag("cluster")
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("..", "deploy");

    @Test
    void haproxyAcceptsTheShippedConfig() throws Exception {
        boolean available = LocalRedis.onPath("haproxy");
        if (System.getenv("CI") != null) {
            Assertions.assertTrue(available, "missing in CI, where .ci/run must install it: apt-get install -y haproxy");
        }
        Assumptions.assumeTrue(available, "apt-get install -y haproxy");
        Process check = new ProcessBuilder("haproxy", "-c", "-f", DEPLOY.resolve("haproxy.cfg").toString())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
        assertFalse(output.contains("WARNING") || output.contains("ALERT"), output);
        String cfg = Files.readString(DEPLOY.resolve("haproxy.cfg"));
        assertTrue(cfg.contains("balance url_param conference") && cfg.contains("hash-type consistent"), cfg);
        assertTrue(cfg.contains("option httpchk GET /health"));
    }

    @Test
    void theFilesAgreeOnJarPortsAndDrainTime() throws Exception {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        String compose = Files.readString(DEPLOY.resolve("compose.yaml"));
        String haproxy = Files.readString(DEPLOY.resolve("haproxy.cfg"));
        String unit = Files.readString(DEPLOY.resolve("sfu.service"));
        assertTrue(dockerfile.contains("COPY signaling-api/target/sfu-server.jar"), "the shaded jar's name");
        assertTrue(dockerfile.contains("USER 10001"), "never root");
        for (String port : new String[] {"8081", "8082"}) {
            assertTrue(compose.contains("SFU_HTTP_PORT: \"" + port + "\""), port);
            assertTrue(haproxy.contains("127.0.0.1:" + port + " check"), port);
        }
        assertTrue(compose.contains("SFU_MEDIA_PORT: \"10000\"") && compose.contains("SFU_MEDIA_PORT: \"10001\""),
                "each node its own media port");
        // Stop waits longer than the default drain (30 min), or calls are cut.
        assertTrue(compose.contains("stop_grace_period: 31m"));
        assertTrue(unit.contains("TimeoutStopSec=31min"));
    }
}
