package dev.sfu.dtls.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How long sending states live: until removed, never evicted; bounded by refusing, not by forgetting. */
class SrtpSendingStatesTest {
    private static final SrtpProfile PROFILE = SrtpProfile.AEAD_AES_128_GCM;

    private static SrtpContext context() {
        return new SrtpContext(PROFILE, new byte[16], new byte[PROFILE.saltLength()]);
    }

    private static byte[] rtp(int ssrc, int sequence) {
        byte[] p = new byte[40 + 20];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[2] = (byte) (sequence >> 8);
        p[3] = (byte) sequence;
        SrtpContext.writeInt(p, 8, ssrc);
        return p;
    }

    private static byte[] rtcp(int ssrc) {
        byte[] p = new byte[8 + 20];
        p[0] = (byte) 0x80;
        p[1] = (byte) 201;
        p[3] = 1;
        SrtpContext.writeInt(p, 4, ssrc);
        return p;
    }

    @Test
    void aNewSsrcBeyondTheBoundIsRefusedAndCountedAndNoStateIsForgotten() {
        SrtpContext sender = context();
        long[] lastIndex = new long[1];
        sender.observeIndexes((rtcp, ssrc, index) -> lastIndex[0] = index);
        for (int ssrc = 1; ssrc <= SrtpContext.MAX_SENDING_SSRCS; ssrc++) {
            assertTrue(sender.protectRtp(rtp(ssrc, 65535), 0, 40) > 0);
            assertTrue(sender.protectRtcp(rtcp(ssrc), 0, 8) > 0);
        }
        assertEquals(SrtpContext.ERR_TOO_MANY_SSRCS, sender.protectRtp(rtp(999_999, 0), 0, 40));
        assertEquals(SrtpContext.ERR_TOO_MANY_SSRCS, sender.protectRtcp(rtcp(999_999), 0, 8));
        assertEquals(2, sender.refusedTooManySsrcs());
        assertEquals(SrtpContext.MAX_SENDING_SSRCS, sender.sendingSsrcs());
        // Every stream still knows where it is: the wrap gives ROC 1 and the SRTCP index goes on.
        assertTrue(sender.protectRtp(rtp(1, 0), 0, 40) > 0);
        assertEquals(1L << 16, lastIndex[0]);
        assertTrue(sender.protectRtcp(rtcp(1), 0, 8) > 0);
        assertEquals(1, lastIndex[0]);
        // Removing one makes room.
        assertTrue(sender.removeSendingSsrc(2));
        assertTrue(sender.protectRtp(rtp(999_999, 0), 0, 40) > 0);
    }

    @Test
    void aRemovedSsrcIsRefusedIfSentAgain() {
        SrtpContext sender = context();
        assertTrue(sender.protectRtp(rtp(77, 10), 0, 40) > 0);
        assertTrue(sender.protectRtcp(rtcp(77), 0, 8) > 0);
        assertTrue(sender.removeSendingSsrc(77));
        assertFalse(sender.removeSendingSsrc(77));
        assertEquals(0, sender.sendingSsrcs());
        assertEquals(SrtpContext.ERR_SSRC_REMOVED, sender.protectRtp(rtp(77, 11), 0, 40));
        assertEquals(SrtpContext.ERR_SSRC_REMOVED, sender.protectRtcp(rtcp(77), 0, 8));
        assertEquals(2, sender.refusedRemovedSsrc());
        assertTrue(sender.protectRtp(rtp(78, 0), 0, 40) > 0, "other SSRCs go on");
    }

    @Test
    void theRemovedRingForgetsOnlyTheOldest() {
        SrtpContext sender = context();
        for (int ssrc = 1; ssrc <= SrtpContext.REMEMBERED_REMOVED_SSRCS + 10; ssrc++) {
            assertTrue(sender.protectRtp(rtp(ssrc, 0), 0, 40) > 0);
            sender.removeSendingSsrc(ssrc);
        }
        assertEquals(0, sender.sendingSsrcs());
        int last = SrtpContext.REMEMBERED_REMOVED_SSRCS + 10;
        assertEquals(SrtpContext.ERR_SSRC_REMOVED, sender.protectRtp(rtp(last, 1), 0, 40));
        assertEquals(SrtpContext.ERR_SSRC_REMOVED, sender.protectRtp(rtp(11, 1), 0, 40));
        assertTrue(sender.protectRtp(rtp(10, 1), 0, 40) > 0, "the oldest removals are forgotten");
    }

    @Test
    void receivingStatesAreBoundedByEvictingTheLeastRecentlyUsed() {
        SrtpContext sender = context();
        SrtpContext receiver = context();
        int ssrcs = SrtpContext.MAX_RECEIVING_SSRCS + 50;
        for (int ssrc = 1; ssrc <= ssrcs; ssrc++) {
            byte[] p = rtp(ssrc, 5);
            int n = sender.protectRtp(p, 0, 40);
            assertEquals(40, receiver.unprotectRtp(p, 0, n));
        }
        assertEquals(SrtpContext.MAX_RECEIVING_SSRCS, receiver.receivingSsrcs());
        assertEquals(ssrcs, sender.sendingSsrcs());
    }
}
