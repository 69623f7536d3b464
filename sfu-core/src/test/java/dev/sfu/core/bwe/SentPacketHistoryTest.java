package dev.sfu.core.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The send history holds a second of the transport's packets, and only as many entries as that needs. */
class SentPacketHistoryTest {
    private static long send(SentPacketHistory history, int first, int count, int perSecond) {
        long gap = 1_000_000_000L / perSecond;
        long now = 0;
        for (int n = 0; n < count; n++) {
            history.onSent((first + n) & 0xffff, 100 + n % 1000, now, n % 5);
            now += gap;
        }
        return now;
    }

    @Test
    void aSubscriberAtTypicalRatesKeepsTheSmallestRing() {
        SentPacketHistory history = new SentPacketHistory();
        send(history, 0, 5_000, 200); // 25 s at 200 packets a second (~2 Mbps)
        assertEquals(SentPacketHistory.MIN_SIZE, history.capacity());
    }

    @Test
    void theRingGrowsToASecondAndKeepsWhatItHeld() {
        SentPacketHistory history = new SentPacketHistory();
        send(history, 65_000, 1_000, 700); // through the sequence wrap at 700 packets a second
        assertEquals(1024, history.capacity());
        for (int n = 300; n < 1_000; n++) {
            int slot = history.find((65_000 + n) & 0xffff);
            assertTrue(slot >= 0, "packet " + n + " sent within the last second");
            assertEquals(100 + n % 1000, history.size(slot));
            assertEquals(n % 5, history.cluster(slot));
        }
    }

    @Test
    void growthStopsAtTheLargestRing() {
        SentPacketHistory history = new SentPacketHistory();
        send(history, 0, 20_000, 10_000);
        assertEquals(SentPacketHistory.MAX_SIZE, history.capacity());
        assertEquals(-1, history.find(20_000 - SentPacketHistory.MAX_SIZE - 1), "overwritten");
        assertTrue(history.find(19_999) >= 0);
    }
}
