package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Joins that race each other: whatever the interleaving of the signaling threads and the media thread,
 * every participant ends up knowing every other one by name (from "joined" or a later participantJoined).
 */
class ConcurrentJoinTest {

    /** What one client learns of the others. */
    static final class Roster implements EndpointListener {
        final Map<String, String> names = new ConcurrentHashMap<>();

        @Override
        public void subscribeOffer(String sdp, List<TrackMapping> tracks) {
        }

        @Override
        public void candidate(String transport, String candidate, String sdpMid, int sdpMLineIndex) {
        }

        @Override
        public void participantJoined(Participant participant) {
            names.put(participant.endpointId(), participant.displayName());
        }

        @Override
        public void participantLeft(String endpointId) {
            names.remove(endpointId);
        }

        @Override
        public void dominantSpeaker(String endpointId) {
        }

        @Override
        public void closed(String reason) {
        }
    }

    @Test
    void everyoneKnowsEveryoneAfterRacingJoins() throws Exception {
        int n = 12;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try (Sfu sfu = Sfu.start(SfuConfig.loopback(), new SimpleMeterRegistry())) {
            for (int round = 0; round < 5; round++) {
                String conference = "race" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Map.Entry<EndpointHandle, Roster>>> joins = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String name = "p" + i;
                    joins.add(pool.submit(() -> {
                        Roster roster = new Roster();
                        start.await();
                        EndpointHandle handle = sfu.join(conference, name, roster);
                        handle.participantsAtJoin().forEach(p -> roster.names.putIfAbsent(p.endpointId(), p.displayName()));
                        return Map.entry(handle, roster);
                    }));
                }
                start.countDown();
                List<Map.Entry<EndpointHandle, Roster>> joined = new ArrayList<>();
                for (Future<Map.Entry<EndpointHandle, Roster>> f : joins) {
                    joined.add(f.get(10, TimeUnit.SECONDS));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < deadline && !joined.stream().allMatch(e -> e.getValue().names.size() == n - 1)) {
                    Thread.sleep(10);
                }
                for (Map.Entry<EndpointHandle, Roster> e : joined) {
                    Set<String> others = new java.util.HashSet<>();
                    joined.stream().filter(o -> o != e).forEach(o -> others.add(o.getKey().endpointId()));
                    assertEquals(others, e.getValue().names.keySet(), "round " + round + ": who "
                            + e.getKey().endpointId() + " knows");
                }
                joined.forEach(e -> e.getKey().leave());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
