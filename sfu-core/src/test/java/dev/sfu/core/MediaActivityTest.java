package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sfu.core.time.ManualScheduler;
import org.junit.jupiter.api.Test;

/**
 * A conference's feedback and layers timers run while its publishers send and pause when they stop, on a
 * virtual clock; the next packet resumes them; receiver reports go on regardless.
 */
class MediaActivityTest {
    private static final long MS = 1_000_000L;

    private final ManualScheduler scheduler = new ManualScheduler();
    private int feedback;
    private int layers;
    private int reports;
    private boolean associationTimerArmed;
    private MediaActivity activity;

    private final FeedbackScheduler schedule = new FeedbackScheduler(scheduler, new FeedbackScheduler.Work() {
        @Override
        public void sendTransportFeedback(long nowNanos) {
            feedback++;
            activity.feedbackTicked();
        }

        @Override
        public void updateLayers(long nowNanos) {
            layers++;
            activity.layersTicked(associationTimerArmed);
        }

        @Override
        public void sendReports(long nowNanos) {
            reports++;
        }

        @Override
        public void drainPacers(long nowNanos) {
        }
    });

    {
        activity = new MediaActivity(schedule);
    }

    /** A packet every 20 ms for {@code millis}. */
    private void send(long millis) {
        for (long t = 0; t < millis; t += 20) {
            activity.rtpArrived();
            scheduler.advance(20 * MS);
        }
    }

    private void resetCounts() {
        feedback = 0;
        layers = 0;
        reports = 0;
    }

    @Test
    void whileMediaFlowsEveryTimerRuns() {
        send(2_000);
        assertEquals(40, feedback);
        assertEquals(8, layers);
        assertEquals(2, reports);
    }

    @Test
    void silencePausesFeedbackAtOnceAndLayersAfterTwoSeconds() {
        send(1_000);
        resetCounts();
        scheduler.advance(10_000 * MS);
        assertEquals(1, feedback, "the first tick that finds no packet since the last one pauses it");
        assertEquals(MediaActivity.QUIET_LAYER_TICKS, layers, "the layers timer runs 2 s more, then pauses");
        assertEquals(10, reports, "receiver reports keep their interval");
    }

    @Test
    void theNextPacketResumesBothOnTheirBoundaries() {
        send(1_000);
        scheduler.advance(10_000 * MS);
        resetCounts();
        scheduler.advance(7 * MS); // off every boundary
        activity.rtpArrived();
        scheduler.advance(43 * MS);
        assertEquals(1, feedback, "the feedback timer's next 50 ms boundary");
        assertEquals(0, layers);
        scheduler.advance(200 * MS);
        assertEquals(1, layers, "the layers timer's next 250 ms boundary");
        scheduler.advance(5 * MS); // off the boundaries again (the feedback timer paused meanwhile)
        resetCounts();
        send(1_000);
        assertEquals(20, feedback, "every 50 ms again while media flows");
        assertEquals(4, layers);
    }

    @Test
    void anArmedAssociationTimerKeepsTheLayersTimer() {
        associationTimerArmed = true;
        send(1_000);
        resetCounts();
        scheduler.advance(10_000 * MS);
        assertEquals(1, feedback, "feedback still pauses");
        assertEquals(40, layers, "the layers timer is what notices association timers coming due");
        associationTimerArmed = false;
        scheduler.advance(10_000 * MS);
        assertEquals(41, layers, "quiet for long enough: it pauses at its next tick once none is armed");
        scheduler.advance(5 * MS);
        activity.resume(); // data-channel traffic
        scheduler.advance(250 * MS);
        assertEquals(42, layers);
    }
}
