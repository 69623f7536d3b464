package dev.sfu.core.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A subscriber's keyframe requests on a virtual clock. */
class KeyframeBudgetTest {
    private static final long MS = 1_000_000L;

    @Test
    void aBurstThenFiveASecond() {
        KeyframeBudget budget = new KeyframeBudget();
        long now = 5_000 * MS;
        int granted = 0;
        for (int i = 0; i < 100; i++) {
            granted += budget.take(now) ? 1 : 0;
        }
        assertEquals(KeyframeBudget.BURST, granted, "a burst of ten at once");
        granted = 0;
        for (int ms = 10; ms <= 10_000; ms += 10) {
            granted += budget.take(now + ms * MS) ? 1 : 0; // asking 100 times a second for 10 s
        }
        assertEquals(50, granted, 1, "then five a second");
    }
}
