package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.ice4j.util.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool behind ice4j's buffer hooks: bounded, reused, never handed out twice, falls back when empty. */
class Ice4jBufferPoolTest {

    @Test
    void itMakesAtMostCapacityBuffersThenFallsBackToAllocation() {
        Ice4jBufferPool pool = new Ice4jBufferPool(100, 4);
        List<Buffer> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Buffer b = pool.getBuffer(60);
            assertTrue(pool.owns(b));
            assertEquals(0, b.getOffset());
            assertEquals(60, b.getLength());
            assertTrue(b.getBuffer().length >= 100);
            taken.add(b);
        }
        Buffer extra = pool.getBuffer(60);
        assertFalse(pool.owns(extra), "the pool is exhausted: a new, unpooled buffer");
        assertEquals(1, pool.unpooled());
        pool.returnBuffer(extra); // not the pool's: ignored
        taken.forEach(pool::returnBuffer);
        Set<Buffer> again = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 4; i++) {
            again.add(pool.getBuffer(100));
        }
        assertEquals(Set.copyOf(taken).size(), again.size());
        assertTrue(again.containsAll(taken), "the same four buffers again");
        assertEquals(4, pool.created());
        assertEquals(0, pool.doubleReturns());
    }

    @Test
    void aDatagramLargerThanTheBuffersGetsAnUnpooledBuffer() {
        Ice4jBufferPool pool = new Ice4jBufferPool(100, 4);
        Buffer big = pool.getBuffer(101);
        assertFalse(pool.owns(big));
        assertEquals(101, big.getBuffer().length);
        pool.release(big.getBuffer());
        pool.returnBuffer(big);
        assertEquals(0, pool.created());
    }

    @Test
    void releasingTheArrayGivesItsBufferBack() {
        Ice4jBufferPool pool = new Ice4jBufferPool(100, 4);
        Buffer b = pool.getBuffer(50);
        pool.release(b.getBuffer());
        assertSame(b, pool.getBuffer(50));
        pool.release(new byte[101]); // the length of pooled buffer 1, which does not exist: ignored
        pool.release(new byte[100]); // the length of pooled buffer 0, but not its array: ignored
        assertEquals(0, pool.doubleReturns());
        assertNotSame(b, pool.getBuffer(50));
    }

    @Test
    void aBufferGivenBackTwiceIsHandedOutOnlyOnce() {
        Ice4jBufferPool pool = new Ice4jBufferPool(100, 4);
        Buffer b = pool.getBuffer(50);
        pool.returnBuffer(b);
        pool.returnBuffer(b);
        pool.release(b.getBuffer());
        assertEquals(2, pool.doubleReturns());
        assertSame(b, pool.getBuffer(50));
        assertNotSame(b, pool.getBuffer(50), "it was queued once only");
    }

    @Test
    @Timeout(30)
    void concurrentTakersNeverShareABuffer() throws Exception {
        Ice4jBufferPool pool = new Ice4jBufferPool(100, 8);
        Set<Buffer> inUse = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        AtomicInteger shared = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean byArray = t % 2 == 0;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 200_000; i++) {
                    Buffer b = pool.getBuffer(80);
                    boolean pooled = pool.owns(b);
                    if (pooled && !inUse.add(b)) {
                        shared.incrementAndGet();
                    }
                    if (pooled) {
                        inUse.remove(b);
                    }
                    if (byArray) {
                        pool.release(b.getBuffer());
                    } else {
                        pool.returnBuffer(b);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, shared.get());
        assertEquals(0, pool.doubleReturns());
        assertTrue(pool.created() <= 8);
    }
}
