package dev.sfu.core.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The packet cache holds one second of an encoding, and only as much memory as that second needs. */
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
        send(cache, 0, 2_000, 20, 0); // 100 s of a thumbnail layer
        assertEquals(PacketCache.MIN_SLOTS, cache.capacity());
        assertEquals(PacketCache.MIN_BYTES, cache.ringBytes(), "10 KB a second fit in the smallest ring");
    }

    @Test
    void theTableGrowsToHoldOneSecondAndNoMore() {
        PacketCache cache = new PacketCache();
        long end = send(cache, 0, 2_000, 150, 0); // a 1.5 Mbit/s layer
        assertEquals(256, cache.capacity(), "150 packets a second fit in 256 entries, not in 128");
        // 150 packets of 500 bytes on average: 75 KB a second; the ring grows by quarters to just above it.
        assertEquals(76 * 1024, cache.ringBytes());
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
        assertEquals(p.length, cache.length(7, 1_000 * MS), "what copy would give, without copying");
        assertEquals(-1, cache.copy(7, 1_001 * MS, out, 0));
        assertEquals(-1, cache.length(7, 1_001 * MS));
        assertEquals(-1, cache.length(8, 0), "never cached");
    }

    @Test
    void theRingReservesWhatItHoldsAndGivesItBack() {
        CacheBudget budget = new CacheBudget(Long.MAX_VALUE);
        PacketCache cache = new PacketCache(budget);
        send(cache, 0, 1_000, 150, 0);
        assertEquals(cache.ringBytes(), budget.reservedBytes());
        cache.release();
        assertEquals(0, budget.reservedBytes());
        byte[] out = new byte[1500];
        assertEquals(-1, cache.copy(999, 0, out, 0), "a released cache answers nothing");
    }

    @Test
    void aPacketWhoseBytesWereOverwrittenIsNotAnswered() {
        // Under a budget that allows only the smallest ring, the ring cannot grow: bytes wrap long before
        // the index does, and only packets whose bytes are intact are answered, each with its own bytes.
        PacketCache cache = new PacketCache(new CacheBudget(PacketCache.MIN_BYTES));
        long end = send(cache, 0, 200, 100, 0); // 200 packets of 200-800 bytes: ≈ 100 KB through 16 KB
        assertEquals(PacketCache.MIN_BYTES, cache.ringBytes());
        byte[] out = new byte[1500];
        int answered = 0;
        for (int s = 0; s < 200; s++) {
            int length = cache.copy(s, end, out, 0);
            if (length > 0) {
                answered++;
                assertArrayEquals(packet(s), Arrays.copyOf(out, length), "sequence " + s);
            } else {
                assertTrue(s < 185, "a recent packet is kept: " + s);
            }
        }
        assertTrue(answered >= 20 && answered <= 60, answered + " packets in 16 KB");
        assertEquals(-1, cache.copy(0, end, out, 0));
    }

    @Test
    void aKeyframeBurstGrowsTheRingWithoutLosingWhatItHeld() {
        PacketCache cache = new PacketCache();
        long now = send(cache, 0, 100, 100, 0);
        // A keyframe: 60 packets of 1,200 bytes at once, then the layer goes on.
        for (int n = 0; n < 60; n++) {
            byte[] p = new byte[1200];
            Arrays.fill(p, (byte) (100 + n));
            cache.put(p, 0, p.length, 100 + n, now + n * 10_000L);
        }
        long end = send(cache, 160, 50, 100, now + 10 * MS);
        // When the keyframe came, the second before it held 100 packets of 500 bytes on average: 122 KB.
        assertEquals(120 * 1024, cache.ringBytes(), "sized for the burst");
        byte[] out = new byte[1500];
        for (int s = 55; s < 100; s++) {
            assertEquals(packet(s).length, cache.copy(s, end, out, 0), "before the keyframe: " + s);
        }
        for (int n = 0; n < 60; n++) {
            assertEquals(1200, cache.copy(100 + n, end, out, 0), "keyframe packet " + n);
            assertEquals((byte) (100 + n), out[1199]);
        }
    }

    @Test
    void ringSizesGrowByAQuarterInWholeSteps() {
        assertEquals(20 * 1024, PacketCache.grownSize(PacketCache.MIN_BYTES));
        assertEquals(32 * 1024, PacketCache.grownSize(25 * 1024), "31.25 KiB rounds up to the next 4 KiB");
        assertEquals(PacketCache.MAX_BYTES, PacketCache.grownSize(PacketCache.MAX_BYTES - 4096));
    }

    /**
     * A ring that grows by a quarter keeps the packets it held at their positions, and one of those may then
     * run over the new ring's end (new ones never do): every packet of the last second must still be
     * answered with its own bytes, whatever the sizes and however often the ring grew under them.
     */
    @Test
    void everyPacketOfTheLastSecondSurvivesRandomGrowth() {
        SplittableRandom random = new SplittableRandom(17);
        PacketCache cache = new PacketCache();
        int packets = 6_000;
        byte[][] sent = new byte[packets][];
        long[] at = new long[packets];
        long now = 0;
        int grown = 0;
        int lastRing = 0;
        for (int n = 0; n < packets; n++) {
            byte[] p = new byte[1 + random.nextInt(1500)];
            random.nextBytes(p);
            sent[n] = p;
            at[n] = now;
            cache.put(p, 0, p.length, n & 0xffff, now);
            if (cache.ringBytes() != lastRing) {
                grown++;
                lastRing = cache.ringBytes();
            }
            // 10 s at 100 packets a second (the ring wraps many times), then 250 a second, then 1,000: each
            // step grows a ring that has wrapped, so packets it held land across the bigger ring's end.
            now += n < 1_000 ? 10 * MS : n < 3_000 ? 4 * MS : MS;
            if (n % 97 == 0) {
                byte[] out = new byte[1500];
                for (int k = n; k >= 0 && at[n] - at[k] < 1_000 * MS && n - k < PacketCache.MAX_SLOTS / 2; k--) {
                    int length = cache.copy(k, at[n], out, 0);
                    assertEquals(sent[k].length, length, "packet " + k + " at " + n);
                    assertArrayEquals(sent[k], Arrays.copyOf(out, length), "packet " + k + " at " + n);
                }
            }
        }
        assertTrue(grown > 10, "the ring grew " + grown + " times");
        assertTrue(cache.ringBytes() > 700_000 && cache.ringBytes() < 1_000_000, cache.ringBytes() + " bytes");
    }
}
