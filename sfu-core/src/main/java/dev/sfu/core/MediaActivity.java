package dev.sfu.core;

/**
 * Whether a conference's publishers are sending, for the two timers that only media gives work to. The
 * transport-cc and NACK timer (50 ms) pauses after an interval in which no RTP arrived: there is nothing to
 * acknowledge and no new gap to NACK. The layers timer (250 ms: bitrates, REMB, layer allocation,
 * dominant speaker) pauses after {@value #QUIET_LAYER_TICKS} such intervals, once the measured bitrates
 * and loudness have decayed, unless a data-channel association has a timer armed (that timer is what
 * notices an association timer coming due). The next RTP packet resumes both at their next boundary, as
 * does data-channel traffic the layers timer. Receiver reports keep their 1 s interval (RFC 3550). So a
 * conference whose endpoints are connected but send nothing wakes for consent and RTCP only. Media thread
 * only; {@link #rtpArrived} is on the per-packet path and only writes two fields unless a timer is paused.
 */
final class MediaActivity {
    /** Quiet 250 ms intervals before the layers timer pauses: 2 s, over which a bitrate decays to a tenth. */
    static final int QUIET_LAYER_TICKS = 8;

    private final FeedbackScheduler schedule;
    private boolean arrivedSinceFeedback;
    private boolean arrivedSinceLayers;
    private int quietLayerTicks;
    private boolean paused;

    MediaActivity(FeedbackScheduler schedule) {
        this.schedule = schedule;
    }

    /** An RTP packet from any publisher of the conference. Per packet. */
    void rtpArrived() {
        arrivedSinceFeedback = true;
        arrivedSinceLayers = true;
        if (paused) {
            resume();
        }
    }

    /** Something other than RTP needs the layers timer (data-channel traffic arms association timers). */
    void resume() {
        paused = false;
        quietLayerTicks = 0;
        schedule.resumeFeedback();
        schedule.resumeLayers();
    }

    /** At the end of a feedback tick: pauses the timer if no RTP arrived since the last one. */
    void feedbackTicked() {
        if (arrivedSinceFeedback) {
            arrivedSinceFeedback = false;
        } else {
            paused = true;
            schedule.pauseFeedback();
        }
    }

    /**
     * At the end of a layers tick: pauses the timer after {@value #QUIET_LAYER_TICKS} ticks without RTP,
     * unless {@code associationTimerArmed}.
     */
    void layersTicked(boolean associationTimerArmed) {
        if (arrivedSinceLayers) {
            arrivedSinceLayers = false;
            quietLayerTicks = 0;
        } else if (++quietLayerTicks >= QUIET_LAYER_TICKS && !associationTimerArmed) {
            paused = true;
            schedule.pauseLayers();
        }
    }
}
