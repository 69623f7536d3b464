package dev.sfu.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.ice.BufferPool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring hands packets over in order and gives a pooled buffer back only once its sink has run. */
class PacketRingTest {

    @Test
    void aPooledBufferGoesBackAfterItsSinkAndAnUnpooledOneDoesNot() {
        PacketRing ring = new PacketRing(4);
        BufferPool pool = new BufferPool(16, 2);
        byte[] pooled = pool.take();
        byte[] plain = new byte[16];
        pooled[0] = 1;
        plain[0] = 2;
        List<Byte> seen = new ArrayList<>();
        assertTrue(ring.offer((b, o, l, t) -> {
            seen.add(b[o]);
            assertNotSame(pooled, pool.take(), "not back while its sink runs");
        }, pooled, 0, 1, 0, pool));
        assertTrue(ring.offer((b, o, l, t) -> seen.add(b[o]), plain, 0, 1, 0, null));
        assertTrue(ring.poll());
        assertTrue(ring.poll());
        assertFalse(ring.poll());
        assertEquals(List.of((byte) 1, (byte) 2), seen);
        // The pool made its second (and last) buffer inside the sink; the first is back, the plain one never.
        assertSame(pooled, pool.take());
        assertEquals(null, pool.take());
    }
}
