package dev.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SequenceNumbersTest {

    @Test
    void comparesAroundTheWrap() {
        assertEquals(1, SequenceNumbers.diff16(65535, 0));
        assertEquals(-1, SequenceNumbers.diff16(0, 65535));
        assertEquals(-32768, SequenceNumbers.diff16(0, 32768));
        assertTrue(SequenceNumbers.isNewer16(65530, 5));
        assertFalse(SequenceNumbers.isNewer16(5, 65530));
        assertTrue(SequenceNumbers.isNewer32(-10, 10));
        assertFalse(SequenceNumbers.isNewer32(10, -10));
        assertEquals(20, SequenceNumbers.diff32(-10, 10));
    }

    @Test
    void unwrapsAcrossSeveralWrapsWithReorderingAndLateOldPackets() {
        SequenceNumbers.Unwrapper u = new SequenceNumbers.Unwrapper();
        assertEquals(65534, u.unwrap(65534));
        assertEquals(65536, u.unwrap(0));      // 65535 skipped
        assertEquals(65535, u.unwrap(65535));  // arrives late, still before the wrap
        assertEquals(65537, u.unwrap(1));
        long expected = 65537;
        for (int i = 0; i < 300_000; i++) {
            expected++;
            assertEquals(expected, u.unwrap((int) (expected & 0xffff)));
        }
        assertEquals(expected - 100, u.unwrap((int) ((expected - 100) & 0xffff)), "a late packet stays behind");
        assertEquals(expected, u.highest());
    }
}
