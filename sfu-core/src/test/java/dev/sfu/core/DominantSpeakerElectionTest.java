package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Dominant-speaker election tick by tick. */
class DominantSpeakerElectionTest {
    private final DominantSpeaker<String> election = new DominantSpeaker<>();

    @Test
    void aSpeakerTakesOverAfterTwoTicksInARow() {
        assertNull(election.tick("a"), "one tick is not enough");
        assertEquals("a", election.tick("a"));
        assertNull(election.tick("a"), "no news while it stays");
        assertNull(election.tick("b"));
        assertNull(election.tick("a"), "b was interrupted");
        assertNull(election.tick("b"));
        assertEquals("b", election.tick("b"));
        assertEquals("b", election.dominant());
    }

    @Test
    void silenceKeepsTheSpeakerAndResetsTheChallenger() {
        election.tick("a");
        election.tick("a");
        election.tick("b");
        assertNull(election.tick(null));
        assertNull(election.tick("b"), "the challenge starts over after silence");
        assertEquals("a", election.dominant());
    }

    @Test
    void aLeaverIsForgotten() {
        election.tick("a");
        election.tick("a");
        election.remove("a");
        assertNull(election.dominant());
        assertNull(election.tick("a"));
        assertEquals("a", election.tick("a"), "elected anew after coming back");
    }
}
