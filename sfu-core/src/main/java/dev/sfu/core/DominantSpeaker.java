package dev.sfu.core;

/**
 * Dominant-speaker election from RFC 6464 audio levels: the loudest endpoint above the speech threshold
 * takes over once it has been loudest for two ticks in a row, so that a cough does not flip the layout.
 * Media thread only.
 *
 * @param <E> what is elected (an endpoint)
 */
final class DominantSpeaker<E> {
    /** Loudness below this is background noise, not speech (127 - level: 127 = 0 dBov, 0 = silence). */
    static final double SPEECH_LOUDNESS = 40;
    /** A new speaker must be loudest for this many ticks in a row: no flapping between talkers. */
    static final int TICKS_TO_TAKE_OVER = 2;

    private E dominant;
    private E challenger;
    private int challengerTicks;

    /**
     * One tick with this tick's loudest endpoint (null when nobody spoke above the threshold).
     *
     * @return the new dominant speaker when it changed on this tick, else null
     */
    E tick(E loudest) {
        if (loudest == null || loudest == dominant) {
            challenger = null;
            challengerTicks = 0;
            return null;
        }
        challengerTicks = loudest == challenger ? challengerTicks + 1 : 1;
        challenger = loudest;
        if (challengerTicks < TICKS_TO_TAKE_OVER) {
            return null;
        }
        dominant = loudest;
        challenger = null;
        challengerTicks = 0;
        return dominant;
    }

    /** Forgets an endpoint that left. */
    void remove(E endpoint) {
        if (dominant == endpoint) {
            dominant = null;
        }
        if (challenger == endpoint) {
            challenger = null;
            challengerTicks = 0;
        }
    }

    E dominant() {
        return dominant;
    }
}
