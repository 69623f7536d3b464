package dev.sfu.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Leases and records against a real redis-server. */
@Tag("cluster")
@Timeout(60)
class RedisStoreTest {
    private static LocalRedis redis;
    private static final Duration TTL = Duration.ofSeconds(5);

    @BeforeAll
    static void start() throws Exception {
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    private static RedisStore store() {
        return new RedisStore(redis.url(), "test:", Duration.ofMillis(500));
    }

    @Test
    void concurrentAcquiresGiveOneOwner() throws Exception {
        int nodes = 8;
        List<RedisStore> stores = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            for (int i = 0; i < nodes; i++) {
                stores.add(store());
                stores.get(i).ping();
            }
            for (int round = 0; round < 20; round++) {
                String conference = "race-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < nodes; i++) {
                    RedisStore s = stores.get(i);
                    String id = "node" + i;
                    results.add(pool.submit(() -> {
                        go.await();
                        return s.acquire(conference, id, TTL);
                    }));
                }
                go.countDown();
                int winners = 0;
                String winner = null;
                for (int i = 0; i < nodes; i++) {
                    if (results.get(i).get()) {
                        winners++;
                        winner = "node" + i;
                    }
                }
                assertEquals(1, winners, "exactly one node takes " + conference);
                assertEquals(winner, stores.get(0).owner(conference));
            }
        } finally {
            pool.shutdownNow();
            stores.forEach(RedisStore::close);
        }
    }

    @Test
    void onlyTheOwnerExtendsOrReleases() {
        try (RedisStore s = store()) {
            assertTrue(s.acquire("own", "a", TTL));
            assertFalse(s.acquire("own", "b", TTL));
            assertEquals(RedisStore.Renewal.LOST, s.renew("own", "b", TTL));
            assertFalse(s.release("own", "b"));
            assertEquals("a", s.owner("own"));
            assertEquals(RedisStore.Renewal.EXTENDED, s.renew("own", "a", TTL));
            assertTrue(s.release("own", "a"));
            assertNull(s.owner("own"));
            // A lease that vanished (Redis restarted empty) is taken again by the node still hosting it.
            assertEquals(RedisStore.Renewal.RETAKEN, s.renew("own", "a", TTL));
            assertEquals("a", s.owner("own"));
        }
    }

    @Test
    void leasesAndRecordsExpire() throws Exception {
        try (RedisStore s = store()) {
            assertTrue(s.acquire("short", "a", Duration.ofMillis(300)));
            s.writeNode(new NodeRecord("gone", "ws://x/ws", List.of(), "", "v", NodeRecord.State.SERVING, 0, Map.of(),
                    0, 0, 0, 0), Duration.ofMillis(300));
            assertEquals("gone", s.node("gone").id());
            Thread.sleep(600);
            assertNull(s.owner("short"));
            assertNull(s.node("gone"));
            assertTrue(s.nodes().stream().noneMatch(n -> n.id().equals("gone")));
        }
    }

    @Test
    void aLeaseMovesFromAGoneNodeOnlyOnce() {
        try (RedisStore s = store()) {
            assertTrue(s.acquire("moved", "dead", TTL));
            assertTrue(s.takeOver("moved", "dead", "b", TTL));
            assertFalse(s.takeOver("moved", "dead", "c", TTL), "a second node finds it moved already");
            assertEquals("b", s.owner("moved"));
        }
    }

    @Test
    void commandsFailFastWhileRedisIsDown() throws Exception {
        try (RedisStore s = store()) {
            s.ping();
            redis.stop();
            try {
                long start = System.nanoTime();
                assertThrows(RuntimeException.class, () -> s.owner("x"));
                assertTrue(System.nanoTime() - start < 2_000_000_000L, "an outage costs an error, not a long wait");
            } finally {
                redis.startAgain();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                try {
                    s.ping();
                    break;
                } catch (RuntimeException notYet) {
                    assertTrue(System.nanoTime() < deadline, "the client reconnects by itself");
                    Thread.sleep(100);
                }
            }
            assertTrue(s.acquire("after", "a", TTL));
        }
    }
}
