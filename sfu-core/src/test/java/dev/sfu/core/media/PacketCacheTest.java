package dev.sfu.core.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The packet cache holds one second of an encoding, and only as many slots as that second needs. */
class PacketCacheTest {
    private static final long MS = 1_000_000L;

    /** Sends {@code count} packets at {@code perSecond} from sequence {@code first}; returns the end time. */
    private static long send(PacketCache cache, int first, int count, int perSecond, long startNanos) {
        long gap = 1_000_000_000L / perSecond;
        long now = startNanos;
        for (int n = 0; n < count; n++) {
            byte[] packet = packet(first + n);
            cache.put(packet, 0, packet.length, (first + n) & 0xffff, now);
            now += gap;
        }
        return now - gap;
    }

    private static byte[] packet(int sequence) {
        byte[] p = new byte[200 + (sequence % 7) * 100];
        Arrays.fill(p, (byte) sequence);
        return p;
    }

    @Test
    void aLowRateLayerKeepsTheSmallestTable() {
        PacketCache cache = new PacketCache();
        send(cache, 0, 3_000, 30, 0); // 100 s of a thumbnail layer
        assertEquals(PacketCache.MIN_SLOTS, cache.capacity());
        assertTrue(cache.slotsAllocated() <= PacketCache.MIN_SLOTS);
    }

    @Test
    void theTableGrowsToHoldOneSecondAndNoMore() {
        PacketCache cache = new PacketCache();
        long end = send(cache, 0, 2_000, 150, 0); // a 1.5 Mbit/s layer
        assertEquals(256, cache.capacity(), "150 packets a second fit in 256 slots, not in 128");
        byte[] out = new byte[1500];
        for (int s = 2_000 - 150; s < 2_000; s++) {
            int length = cache.copy(s, end, out, 0);
            assertEquals(packet(s).length, length, "sequence " + s + " is within the last second");
            assertArrayEquals(packet(s), Arrays.copyOf(out, length));
        }
    }

    @Test
    void packetsSurviveTheTableGrowingUnderThem() {
        PacketCache cache = new PacketCache();
        long end = send(cache, 65_500, 400, 400, 0); // through the sequence wrap, growing on the way
        assertEquals(512, cache.capacity());
        byte[] out = new byte[1500];
        for (int n = 0; n < 400; n++) {
            int s = (65_500 + n) & 0xffff;
            int length = cache.copy(s, end, out, 0);
            assertEquals(packet(65_500 + n).length, length, "sequence " + s);
            assertEquals((byte) (65_500 + n), out[0]);
        }
    }

    @Test
    void growthStopsAtTheLargestTable() {
        PacketCache cache = new PacketCache();
        long end = send(cache, 0, 5_000, 3_000, 0); // far above 10 Mbit/s
        assertEquals(PacketCache.MAX_SLOTS, cache.capacity());
        byte[] out = new byte[1500];
        assertEquals(-1, cache.copy(5_000 - PacketCache.MAX_SLOTS - 1, end, out, 0), "overwritten");
        assertTrue(cache.copy(4_999, end, out, 0) > 0);
    }

    @Test
    void packetsOlderThanASecondAreNotAnswered() {
        PacketCache cache = new PacketCache();
        byte[] p = packet(7);
        cache.put(p, 0, p.length, 7, 0);
        byte[] out = new byte[1500];
        assertEquals(p.length, cache.copy(7, 1_000 * MS, out, 0));
        assertEquals(-1, cache.copy(7, 1_001 * MS, out, 0));
    }

    @Test
    void growingReservesNoMoreThanTheSlotsInUse() {
        CacheBudget budget = new CacheBudget(Long.MAX_VALUE);
        PacketCache cache = new PacketCache(budget);
        send(cache, 0, 1_000, 150, 0);
        assertEquals((long) cache.slotsAllocated() * PacketCache.SLOT, budget.reservedBytes());
        assertTrue(cache.slotsAllocated() <= 256);
        cache.release();
        assertEquals(0, budget.reservedBytes());
    }
}
