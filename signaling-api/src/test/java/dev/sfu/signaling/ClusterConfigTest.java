package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster and drain settings: off by default, from the environment or the file, checked. */
class ClusterConfigTest {

    private static ServerConfig load(String file, Map<String, String> env) {
        return ConfigLoader.load(ConfigLoader.parseString(file), env);
    }

    @Test
    void standaloneUnlessARedisUrlIsGiven() {
        ServerConfig c = load("", Map.of());
        assertFalse(c.cluster().enabled(), "the README's first command needs no Redis");
        assertEquals(Duration.ofMinutes(30), c.drainTimeout());
    }

    @Test
    void theEnvironmentTurnsClusterModeOn() {
        ServerConfig c = load("", Map.of("SFU_REDIS_URL", "redis://10.0.0.5:6379", "SFU_NODE_ID", "node-1",
                "SFU_PUBLIC_URL", "wss://node1.example.com/ws", "SFU_DRAIN_TIMEOUT_SECONDS", "120"));
        assertTrue(c.cluster().enabled());
        assertEquals("redis://10.0.0.5:6379", c.cluster().redisUrl());
        assertEquals("node-1", c.cluster().nodeId());
        assertEquals("wss://node1.example.com/ws", c.cluster().publicUrl());
        assertEquals(Duration.ofSeconds(120), c.drainTimeout());
        assertEquals(Duration.ofSeconds(10), c.cluster().leaseTtl());
        assertNull(load("", Map.of()).cluster().nodeId());
    }

    @Test
    void theFileSetsTheTimings() {
        ServerConfig c = load("sfu.cluster { redis-url = \"redis://r:1\", heartbeat = 250ms, record-ttl = 1s, "
                + "lease-ttl = 2s }", Map.of());
        assertEquals(Duration.ofMillis(250), c.cluster().heartbeat());
        assertEquals(Duration.ofSeconds(1), c.cluster().recordTtl());
    }

    @Test
    void badValuesAreRefusedWithTheirKey() {
        String url = assertThrows(ConfigException.class, () -> load("", Map.of("SFU_REDIS_URL", "10.0.0.5:6379")))
                .getMessage();
        assertTrue(url.contains("SFU_REDIS_URL") && url.contains("redis://"), url);
        String ttl = assertThrows(ConfigException.class, () -> load("sfu.cluster { heartbeat = 2s, lease-ttl = 3s }",
                Map.of())).getMessage();
        assertTrue(ttl.contains("lease-ttl") && ttl.contains("twice"), ttl);
        String publicUrl = assertThrows(ConfigException.class, () -> load("", Map.of("SFU_PUBLIC_URL", "http://x/ws")))
                .getMessage();
        assertTrue(publicUrl.contains("SFU_PUBLIC_URL"), publicUrl);
    }
}
