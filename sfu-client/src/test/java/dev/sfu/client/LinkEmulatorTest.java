package dev.sfu.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The emulated link on a virtual clock: loss, delay, the bandwidth cap and its drop-tail queue. */
class LinkEmulatorTest {
    private static final long MS = 1_000_000L;

    @Test
    void delaysEveryPacketByTheOneWayDelay() {
        LinkEmulator link = new LinkEmulator(1);
        link.setConditions(new LinkEmulator.Conditions(0, 40, 0));
        List<Long> deliveredAt = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            assertTrue(link.offer(0, new byte[100], 0, 100, i * 10 * MS));
        }
        for (long t = 0; t <= 200 * MS; t += MS) {
            link.poll(t, (tag, b, o, l, now) -> deliveredAt.add(now));
        }
        assertEquals(10, deliveredAt.size());
        for (int i = 0; i < 10; i++) {
            assertEquals((i * 10 + 40) * MS, deliveredAt.get(i));
        }
    }

    @Test
    void lossIsSeededAndNearTheRate() {
        int[] first = lossPattern(42);
        assertArrayEquals(first, lossPattern(42), "the same seed loses the same packets");
        int lost = 0;
        for (int x : first) {
            lost += x;
        }
        assertTrue(lost > 350 && lost < 650, "about 5 % of 10,000: " + lost);
    }

    private static int[] lossPattern(long seed) {
        LinkEmulator link = new LinkEmulator(seed);
        link.setConditions(LinkEmulator.Conditions.loss(0.05));
        int[] pattern = new int[10_000];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = link.offer(0, new byte[10], 0, 10, i * MS) ? 0 : 1;
            link.poll(i * MS, (tag, b, o, l, now) -> { });
        }
        return pattern;
    }

    @Test
    void capSerialisesAtTheLinkRateAndDropsAtTheTailOfAFullQueue() {
        LinkEmulator link = new LinkEmulator(7);
        link.setConditions(LinkEmulator.Conditions.cap(1_000_000)); // 1 Mbps: 1,000 bytes take 8 ms
        long[] bytesDelivered = new long[1];
        long lastDelivery = 0;
        // 2 Mbps offered for one second: half of it fits, the queue (32 KB) fills and the rest is dropped.
        for (long t = 0; t < 1000 * MS; t += MS) {
            if (t % (4 * MS) == 0) {
                link.offer(0, new byte[1000], 0, 1000, t);
            }
            link.poll(t, (tag, b, o, l, now) -> bytesDelivered[0] += l);
        }
        long deliveredInFirstSecond = bytesDelivered[0];
        assertTrue(deliveredInFirstSecond >= 120_000 && deliveredInFirstSecond <= 126_000,
                "1 Mbps for a second is 125,000 bytes: " + deliveredInFirstSecond);
        assertTrue(link.queueDropped() > 80, "250 offered, 125 carried, about 32 queued: the tail was dropped: " + link.queueDropped());
        for (long t = 1000 * MS; t < 2000 * MS; t += MS) {
            link.poll(t, (tag, b, o, l, now) -> bytesDelivered[0] += l);
        }
        long queued = bytesDelivered[0] - deliveredInFirstSecond;
        assertTrue(queued <= LinkEmulator.DEFAULT_QUEUE_BYTES + 1000, "at most the queue drains afterwards: " + queued);
        assertEquals(0, link.lost());
        assertEquals(link.offered(), link.delivered() + link.queueDropped());
    }

    @Test
    void conditionsChangeAtRunTimeWithoutReordering() {
        LinkEmulator link = new LinkEmulator(3);
        link.setConditions(new LinkEmulator.Conditions(0, 100, 0));
        link.offer(1, new byte[] {1}, 0, 1, 0);
        link.setConditions(LinkEmulator.Conditions.NONE);
        link.offer(2, new byte[] {2}, 0, 1, MS);
        List<Integer> order = new ArrayList<>();
        link.poll(50 * MS, (tag, b, o, l, now) -> order.add(tag));
        assertEquals(List.of(), order, "the second packet waits behind the first");
        link.poll(100 * MS, (tag, b, o, l, now) -> order.add(tag));
        assertEquals(List.of(1, 2), order);
        assertTrue(link.isIdle());
    }
}
