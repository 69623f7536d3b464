package dev.sfu.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StressTest {
    private final AtomicLong now = new AtomicLong();
    private final Stress stress = new Stress(100_000, 1000, now::get);

    @Test
    void theMostLoadedResourceDecides() {
        assertEquals(0.3, stress.measured(0.3, 10_000, 10), 1e-9);
        assertEquals(0.5, stress.measured(0.1, 50_000, 10), 1e-9);
        assertEquals(0.9, stress.measured(0.1, 10_000, 900), 1e-9);
    }

    @Test
    void recentPlacementsCountUntilTheirLoadShows() {
        stress.placed();
        stress.placed();
        assertEquals(0.1 + 2 * Stress.PER_RECENT_PLACEMENT, stress.of(0.1, 0, 0), 1e-9);
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        stress.placed();
        assertEquals(3, stress.recentPlacements());
        now.addAndGet(TimeUnit.SECONDS.toNanos(6)); // the first two are 11 s old now
        assertEquals(1, stress.recentPlacements());
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        assertEquals(0, stress.recentPlacements());
        assertEquals(0.1, stress.of(0.1, 0, 0), 1e-9);
    }
}
