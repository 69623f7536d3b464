package dev.sfu.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random mixes of traffic (ordered, unordered, partially reliable, large and small, several streams, stream
 * resets) in both directions over links with random loss, delay and reordering, each from a seed. Checks the
 * invariants: reliable messages arrive exactly once, intact, in order per stream when ordered; nothing is
 * delivered twice; queues drain; nothing is dropped as malformed. {@code -Dsctp.scenarios=N} runs more seeds.
 */
class RandomScenarioTest {
    private static final long S = SctpConfig.SECOND;

    @Test
    void randomScenarios() {
        int n = Integer.getInteger("sctp.scenarios", 12);
        for (int seed = 1; seed <= n; seed++) {
            try {
                run(seed);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
        System.out.printf("%d random scenarios passed%n", n);
    }

    private static boolean resetsDone(Peer p, Set<Integer> streams) {
        Set<Integer> done = new HashSet<>();
        p.outgoingResets.forEach(ids -> { for (int i : ids) done.add(i); });
        return done.containsAll(streams);
    }

    private static byte[] body(int id, int len) {
        byte[] b = new byte[Math.max(8, len)];
        new Random(id).nextBytes(b);
        ByteBuffer.wrap(b).putInt(0, id);
        return b;
    }

    private static void run(long seed) {
        Random r = new Random(seed);
        VirtualNetwork net = new VirtualNetwork(seed);
        SctpConfig cfg = SctpConfig.defaults().mtu(r.nextBoolean() ? 1200 : 600 + r.nextInt(800))
                .receiveBufferBytes(r.nextBoolean() ? 1 << 20 : 32 * 1024 + r.nextInt(64 * 1024));
        Peer[] p = Peer.pair(net, cfg);
        p[0].assoc.connect(net.now);
        if (r.nextBoolean()) {
            p[1].assoc.connect(net.now);
        }
        net.loss = r.nextDouble() * 0.25;
        net.jitterNanos = (long) (r.nextDouble() * 60) * SctpConfig.MS;
        net.delayNanos = (1 + r.nextInt(60)) * SctpConfig.MS;
        net.runUntil(() -> p[0].connected && p[1].connected, 600 * S, "connected");

        // What each side sent reliably, by id: stream and ordered flag.
        Map<Integer, int[]> reliable = new HashMap<>();
        List<Set<Integer>> resetStreams = List.of(new HashSet<>(), new HashSet<>());
        int id = 0;
        for (int round = 0; round < 20; round++) {
            for (int k = 0; k < 20; k++) {
                int from = r.nextInt(2);
                int stream = r.nextInt(6);
                if (resetStreams.get(from).contains(stream)) {
                    continue; // a reset stream restarts its SSNs: the order check below could not follow
                }
                int len = r.nextInt(10) == 0 ? 20_000 + r.nextInt(60_000) : 1 + r.nextInt(2000);
                int kind = r.nextInt(4);
                SendOptions o = switch (kind) {
                    case 0 -> SendOptions.RELIABLE;
                    case 1 -> SendOptions.UNORDERED;
                    case 2 -> new SendOptions(r.nextBoolean(), r.nextInt(2), -1);
                    default -> new SendOptions(r.nextBoolean(), -1, (50 + r.nextInt(500)) * SctpConfig.MS);
                };
                SendResult res = p[from].assoc.send(stream, 53, body(id, len), o, net.now);
                if (res == SendResult.OK && !o.partiallyReliable()) {
                    reliable.put(id, new int[] {from, stream, o.unordered() ? 0 : 1});
                }
                id++;
            }
            if (r.nextInt(4) == 0) {
                int side = r.nextInt(2);
                int stream = r.nextInt(6);
                if (resetStreams.get(side).add(stream)) {
                    p[side].assoc.resetStreams(new int[] {stream}, net.now);
                }
            }
            net.runFor((long) (r.nextDouble() * 2 * S));
        }
        net.runUntil(() -> p[0].assoc.heldBytes() == 0 && p[1].assoc.heldBytes() == 0, 3600 * S, "drained");
        // A lost RE-CONFIG response waits for the request's retransmission timer, which may have backed off.
        net.runUntil(() -> resetsDone(p[0], resetStreams.get(0)) && resetsDone(p[1], resetStreams.get(1)), 3600 * S,
                "resets done");
        net.runFor(10 * S);

        Set<Integer> seen = new HashSet<>();
        for (int side = 0; side < 2; side++) {
            Map<Integer, Integer> lastOrdered = new HashMap<>();
            for (Peer.Message m : p[side].messages) {
                int mid = ByteBuffer.wrap(m.data()).getInt(0);
                assertTrue(seen.add(mid), "delivered twice: " + mid);
                assertArrayEquals(body(mid, m.data().length), m.data(), "intact");
                int[] info = reliable.get(mid);
                if (info != null && info[2] == 1) {
                    Integer prev = lastOrdered.put(m.streamId(), mid);
                    // Ids only grow per stream and sender; a reset between them restarts SSNs, not order.
                    assertTrue(prev == null || prev < mid, "ordered on stream " + m.streamId());
                }
            }
        }
        for (Map.Entry<Integer, int[]> e : reliable.entrySet()) {
            assertTrue(seen.contains(e.getKey()), "reliable message " + e.getKey() + " lost (from " + e.getValue()[0]
                    + ", stream " + e.getValue()[1] + ", ordered " + e.getValue()[2] + ", resets " + resetStreams + ") "
                    + p[0].assoc.counters() + " / " + p[1].assoc.counters() + " " + p[0].closed + p[1].closed);
        }
        for (Peer x : p) {
            SctpCounters c = x.assoc.counters();
            assertEquals(0, c.dropped(DropReason.MALFORMED_CHUNK) + c.dropped(DropReason.TRUNCATED_CHUNK)
                    + c.dropped(DropReason.BAD_CHECKSUM) + c.dropped(DropReason.BAD_SACK), c.toString());
            assertTrue(x.assoc.isEstablished(), "still up: " + x.closed + " " + x.closeDetail);
            assertEquals(0, x.assoc.receiveBufferedBytes());
        }
        // Every reset stream was reset on both ends.
        for (int side = 0; side < 2; side++) {
            Set<Integer> done = new HashSet<>();
            p[side].outgoingResets.forEach(ids -> { for (int i : ids) done.add(i); });
            assertEquals(resetStreams.get(side), done, "outgoing resets of side " + side);
            Set<Integer> seenByPeer = new HashSet<>();
            p[1 - side].incomingResets.forEach(ids -> { for (int i : ids) seenByPeer.add(i); });
            assertEquals(resetStreams.get(side), seenByPeer, "incoming resets at side " + (1 - side));
        }
        // Graceful close from one side or both at once, still over the lossy link.
        int closer = r.nextInt(3);
        if (closer != 1) {
            p[0].assoc.shutdown(net.now);
        }
        if (closer != 0) {
            p[1].assoc.shutdown(net.now);
        }
        net.runUntil(() -> p[0].closed != null && p[1].closed != null, 3600 * S, "shut down");
        assertEquals(CloseReason.SHUTDOWN, p[0].closed, p[0].closeDetail);
        assertEquals(CloseReason.SHUTDOWN, p[1].closed, p[1].closeDetail);
    }
}
