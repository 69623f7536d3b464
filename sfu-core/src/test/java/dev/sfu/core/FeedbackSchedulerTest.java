package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.time.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conference's periodic work on a virtual clock: each kind at its own interval, and none once cancelled. */
class FeedbackSchedulerTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<Long> feedback = new ArrayList<>();
    private final List<Long> layers = new ArrayList<>();
    private final List<Long> reports = new ArrayList<>();
    private final List<Long> pacers = new ArrayList<>();

    private final FeedbackScheduler.Work work = new FeedbackScheduler.Work() {
        @Override
        public void sendTransportFeedback(long nowNanos) {
            feedback.add(nowNanos);
        }

        @Override
        public void updateLayers(long nowNanos) {
            layers.add(nowNanos);
        }

        @Override
        public void sendReports(long nowNanos) {
            reports.add(nowNanos);
        }

        @Override
        public void drainPacers(long nowNanos) {
            pacers.add(nowNanos);
        }
    };

    @Test
    void eachKindOfWorkRunsAtItsInterval() {
        long start = scheduler.now();
        FeedbackScheduler schedule = new FeedbackScheduler(scheduler, work);
        scheduler.advance(1_000_000_000L);
        assertEquals(20, feedback.size(), "transport-cc feedback and NACKs every 50 ms");
        assertEquals(4, layers.size(), "layers, REMB and dominant speaker every 250 ms");
        assertEquals(1, reports.size(), "receiver reports every second");
        assertEquals(200, pacers.size(), "the pacers every 5 ms slot");
        assertEquals(start + 50_000_000L, feedback.get(0), "each run sees the clock at its due time");
        assertEquals(start + 1_000_000_000L, reports.get(0));
        schedule.cancel();
        scheduler.advance(1_000_000_000L);
        assertEquals(20, feedback.size(), "nothing runs once cancelled");
        assertEquals(200, pacers.size());
    }

    @Test
    void intervalsStayRegularOverAMinute() {
        new FeedbackScheduler(scheduler, work);
        for (int i = 0; i < 600; i++) {
            scheduler.advance(100_000_000L);
        }
        assertEquals(1200, feedback.size());
        assertEquals(60, reports.size());
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i) - reports.get(i - 1) == 1_000_000_000L, "no drift between reports");
        }
    }

    @Test
    void thePacerSlotPausesWhileNothingNeedsItAndResumesOnItsBoundary() {
        FeedbackScheduler schedule = new FeedbackScheduler(scheduler, work);
        scheduler.advance(100_000_000L);
        assertEquals(20, pacers.size());
        schedule.pausePacing();
        scheduler.advance(1_000_000_000L);
        assertEquals(20, pacers.size(), "no slot while paused");
        assertEquals(22, feedback.size(), "the other work goes on");
        assertEquals(4, layers.size());
        scheduler.advance(1_000_000L); // 1 ms past a slot boundary
        schedule.resumePacing();
        schedule.resumePacing(); // harmless twice
        scheduler.advance(4_000_000L);
        assertEquals(21, pacers.size(), "resumed at the next 5 ms boundary");
        assertEquals(0, Math.floorMod(pacers.get(20), 5_000_000L), "aligned as before");
        scheduler.advance(100_000_000L);
        assertEquals(41, pacers.size());
    }
}
