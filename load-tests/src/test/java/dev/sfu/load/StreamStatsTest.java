package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StreamStatsTest {

    @Test
    void gapsInsideAStintAreLoss() {
        StreamStats s = new StreamStats();
        for (int seq : new int[] {10, 11, 13, 14, 17}) {
            s.record(seq, 100, 0, true);
        }
        assertEquals(2 + 1, s.lost(), "12, 15 and 16 never came");
    }

    @Test
    void packetsSentWhileForwardedAnotherLayerAreNotLoss() {
        StreamStats s = new StreamStats();
        for (int seq = 0; seq < 10; seq++) {
            s.record(seq, 100, 0, true);
        }
        // forwarding moved to another layer for sequence numbers 10..99, then back
        s.startStint();
        s.record(100, 100, 0, true);
        s.record(102, 100, 0, true);
        assertEquals(1, s.lost(), "only 101 is lost; 10..99 were never meant for this subscriber");
        assertEquals(12, s.received);
        assertEquals(0, s.reordered);
    }

    @Test
    void lossOfEarlierStintsIsKept() {
        StreamStats s = new StreamStats();
        s.record(0, 100, 0, true);
        s.record(2, 100, 0, true);
        s.startStint();
        s.record(50, 100, 0, true);
        s.record(51, 100, 0, true);
        assertEquals(1, s.lost());
    }
}
