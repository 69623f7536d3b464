package dev.sfu.dtls.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SsrcTableTest {

    /** Random adds and removes (clustered keys too) against a HashMap: removal keeps every run findable. */
    @Test
    void behavesAsAMapUnderChurn() {
        Random random = new Random(5);
        SsrcTable table = new SsrcTable(300);
        Map<Integer, SrtpStreamState> model = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            int ssrc = random.nextBoolean() ? random.nextInt(512) : random.nextInt();
            SrtpStreamState present = model.get(ssrc);
            assertSame(present, table.get(ssrc), "step " + step);
            if (present != null && random.nextInt(3) > 0) {
                assertSame(present, table.remove(ssrc));
                model.remove(ssrc);
            } else if (present == null && !table.isFull()) {
                SrtpStreamState s = new SrtpStreamState(ssrc);
                table.add(s);
                model.put(ssrc, s);
            }
            assertEquals(model.size(), table.size());
        }
        for (Map.Entry<Integer, SrtpStreamState> e : model.entrySet()) {
            assertSame(e.getValue(), table.get(e.getKey()));
        }
        assertNull(table.remove(Integer.MIN_VALUE + 7));
    }

    @Test
    void holdsAtMostItsBoundAndFindsTheLeastRecentlyUsed() {
        SsrcTable table = new SsrcTable(40);
        for (int i = 0; i < 40; i++) {
            SrtpStreamState s = new SrtpStreamState(i * 7919);
            s.lastUsed = 100 - i;
            table.add(s);
        }
        assertTrue(table.isFull());
        assertEquals(39 * 7919, table.leastRecentlyUsed().ssrc);
    }
}
