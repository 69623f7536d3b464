package dev.sfu.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sfu.dtls.srtp.SrtpProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Many SSRCs over one session's lifetime, as a subscriber sees while participants come and go. */
class SrtpStreamsTest {
    private static final byte[] KEY = new byte[16];

    private static SrtpSession session(SrtpProfile profile) {
        return SrtpSession.create(profile, KEY, new byte[profile.saltLength()], KEY, new byte[profile.saltLength()]);
    }

    /** Writes an RTP packet of 100 bytes; returns the buffer (with room for the SRTP tag). */
    private static byte[] rtp(int ssrc, int sequence) {
        byte[] p = new byte[100 + SrtpSession.MAX_OVERHEAD];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[2] = (byte) (sequence >> 8);
        p[3] = (byte) sequence;
        for (int i = 0; i < 4; i++) {
            p[8 + i] = (byte) (ssrc >> (24 - 8 * i));
        }
        return p;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void streamsKeepFlowingLongAfterTheFirstSixtyFourSsrcs(SrtpProfile profile) {
        SrtpSession sender = session(profile);
        SrtpSession receiver = session(profile);
        for (int ssrc = 1; ssrc <= 500; ssrc++) {
            for (int sequence = 0; sequence < 3; sequence++) {
                byte[] p = rtp(ssrc, sequence);
                int n = sender.protectRtp(p, 0, 100);
                assertEquals(100, receiver.unprotectRtp(p, 0, n), "SSRC " + ssrc + " packet " + sequence);
            }
        }
        assertEquals(0, receiver.dropped());
    }

    /** Packets that do not authenticate, each with a new SSRC, do not push a live stream's state out. */
    @Test
    void forgedSsrcsDoNotEvictALiveStream() {
        SrtpSession sender = session(SrtpProfile.AEAD_AES_128_GCM);
        SrtpSession receiver = session(SrtpProfile.AEAD_AES_128_GCM);
        byte[] first = rtp(7, 0);
        int n = sender.protectRtp(first, 0, 100);
        byte[] replay = first.clone();
        assertEquals(100, receiver.unprotectRtp(first, 0, n));
        for (int ssrc = 1000; ssrc < 1200; ssrc++) {
            byte[] forged = rtp(ssrc, 1);
            assertEquals(SrtpSession.ERR_AUTH, receiver.unprotectRtp(forged, 0, 100 + 16));
        }
        assertEquals(SrtpSession.ERR_REPLAY, receiver.unprotectRtp(replay, 0, n),
                "stream 7's replay window is still there");
    }

    /** What sfu-core calls when a subscription ends: the SSRC's state goes, and sending it again is refused. */
    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void aRemovedSendingSsrcIsFreedAndRefused(SrtpProfile profile) {
        SrtpSession sender = session(profile);
        SrtpSession receiver = session(profile);
        for (int ssrc = 1; ssrc <= 3; ssrc++) {
            byte[] p = rtp(ssrc, 0);
            assertEquals(100, receiver.unprotectRtp(p, 0, sender.protectRtp(p, 0, 100)));
        }
        assertEquals(3, sender.sendingSsrcs());
        assertEquals(true, sender.removeSendingSsrc(2));
        assertEquals(2, sender.sendingSsrcs());
        assertEquals(SrtpSession.ERR_SSRC_REMOVED, sender.protectRtp(rtp(2, 1), 0, 100));
        assertEquals(1, sender.sendRefused());
        byte[] p = rtp(3, 1);
        assertEquals(100, receiver.unprotectRtp(p, 0, sender.protectRtp(p, 0, 100)), "the others go on");
    }
}
