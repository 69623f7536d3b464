package dev.sfu.core.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The process-wide packet cache budget: slots past it are not cached, a gone track gives its back. */
class CacheBudgetTest {

    @Test
    void cachesStopAtTheBudgetAndGiveItBack() {
        CacheBudget budget = new CacheBudget(PacketCache.MIN_BYTES + 1500);
        PacketCache first = new PacketCache(budget);
        PacketCache second = new PacketCache(budget);
        byte[] packet = new byte[100];
        first.put(packet, 0, packet.length, 1, 0);
        first.put(packet, 0, packet.length, 2, 0);
        second.put(packet, 0, packet.length, 1, 0); // over the budget: not cached
        first.put(packet, 0, packet.length, 3, 0);  // the ring already held is reused, never refused
        assertEquals(PacketCache.MIN_BYTES, budget.reservedBytes());
        assertEquals(1, budget.refusals());
        byte[] out = new byte[1600];
        assertEquals(100, first.copy(3, 0, out, 0));
        assertEquals(-1, second.copy(1, 0, out, 0), "the packet past the budget is not there");
        first.release();
        assertEquals(0, budget.reservedBytes());
        assertEquals(-1, first.copy(1, 0, out, 0), "a released cache is empty");
        second.put(packet, 0, packet.length, 2, 0);
        assertEquals(100, second.copy(2, 0, out, 0), "the memory given back is used again");
    }
}
