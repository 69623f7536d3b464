package dev.sfu.core;

import dev.sfu.core.bwe.Pacer;
import dev.sfu.core.time.Scheduler;
import java.util.concurrent.TimeUnit;

/**
 * The periodic work of one conference, on its media thread, each kind at its own interval: transport-cc
 * feedback and upstream NACKs every 50 ms (often enough for the publishers' congestion control),
 * bitrates, REMB, layer allocation and dominant speaker every 250 ms, receiver reports every second
 * (RFC 3550's order of magnitude), and the pacers (and data channels' SCTP timers) every 5 ms slot while
 * any of them has work (queued packets, a probe to send, an association timer due within 250 ms): a
 * conference whose endpoints send nothing takes no 5 ms wake-ups. The feedback and layers timers pause
 * too while no media arrives ({@link MediaActivity}).
 */
final class FeedbackScheduler {
    /** The defaults (MediaTuning.DEFAULT); a conference takes its intervals from the configuration. */
    static final long FEEDBACK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long LAYERS_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long REPORTS_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long PACER_NANOS = Pacer.SLOT_NANOS;

    /** What runs at each interval. */
    interface Work {
        void sendTransportFeedback(long nowNanos);

        void updateLayers(long nowNanos);

        void sendReports(long nowNanos);

        void drainPacers(long nowNanos);
    }

    private final Scheduler.Cancellable[] timers;
    private final Scheduler.Cancellable feedback;
    private final Scheduler.Cancellable layers;
    private final Scheduler.Cancellable pacing;

    FeedbackScheduler(Scheduler scheduler, Work work) {
        this(scheduler, work, FEEDBACK_NANOS, PACER_NANOS);
    }

    /** With the transport-cc feedback interval and the pacer slot of the configuration. */
    FeedbackScheduler(Scheduler scheduler, Work work, long feedbackNanos, long pacerNanos) {
        timers = new Scheduler.Cancellable[] {
            scheduler.every(feedbackNanos, () -> work.sendTransportFeedback(scheduler.clock().nanos())),
            scheduler.every(LAYERS_NANOS, () -> work.updateLayers(scheduler.clock().nanos())),
            scheduler.every(REPORTS_NANOS, () -> work.sendReports(scheduler.clock().nanos())),
            scheduler.every(pacerNanos, () -> work.drainPacers(scheduler.clock().nanos())),
        };
        feedback = timers[0];
        layers = timers[1];
        pacing = timers[3];
    }

    /** No media arrives: transport-cc feedback and NACKs stop until {@link #resumeFeedback}. Media thread. */
    void pauseFeedback() {
        feedback.pause();
    }

    void resumeFeedback() {
        feedback.resume();
    }

    /** No media for a while: bitrates, REMB, layers and speakers stop until {@link #resumeLayers}. Media thread. */
    void pauseLayers() {
        layers.pause();
    }

    void resumeLayers() {
        layers.resume();
    }

    /** The pacers have nothing to do: their slot stops until {@link #resumePacing}. Media thread. */
    void pausePacing() {
        pacing.pause();
    }

    /** A pacer holds packets, a probe is wanted, or an association timer is near. Media thread. */
    void resumePacing() {
        pacing.resume();
    }

    void cancel() {
        for (Scheduler.Cancellable timer : timers) {
            timer.cancel();
        }
    }
}
