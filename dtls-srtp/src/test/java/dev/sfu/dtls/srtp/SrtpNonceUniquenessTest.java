package dev.sfu.dtls.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 17: a sending SSRC's state must never be forgotten while it is in use. If it is, the stream starts
 * again at ROC 0 and SRTCP index 0, and the same (SSRC, index) is encrypted twice under one key: with
 * AES-CM the same keystream, with AES-GCM the same nonce (which gives away the GHASH key). A subscriber of
 * ~22 publishers (audio, video and RTX SSRCs) sends more than the 64 states the context used to keep.
 *
 * <p>On the code before the fix, with 70 interleaved SSRCs every packet found its state evicted: the first
 * SRTCP index was used again by the second RTCP packet of each SSRC, and after the sequence wrap the
 * sender claimed ROC 0 where the receiver (and the truth) had ROC 1.
 */
class SrtpNonceUniquenessTest {
    private static final int SSRCS = 70;
    private static final int PACKETS_PER_SSRC = 600;
    private static final int FIRST_SEQUENCE = 65536 - 300; // every stream wraps half way through

    private static byte[] rtp(int ssrc, int sequence) {
        byte[] p = new byte[100 + 20];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[2] = (byte) (sequence >> 8);
        p[3] = (byte) sequence;
        SrtpContext.writeInt(p, 8, ssrc);
        for (int i = 12; i < 100; i++) {
            p[i] = (byte) (i ^ sequence);
        }
        return p;
    }

    /** A receiver report from {@code ssrc} with no report blocks (8 bytes) and 8 bytes of padding payload. */
    private static byte[] rtcp(int ssrc) {
        byte[] p = new byte[16 + 4 + 16];
        p[0] = (byte) 0x80;
        p[1] = (byte) 201;
        p[3] = 3;
        SrtpContext.writeInt(p, 4, ssrc);
        return p;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void seventyInterleavedSsrcsAcrossAWrapNeverReuseAnIndex(SrtpProfile profile) {
        byte[] key = new byte[16];
        byte[] salt = new byte[profile.saltLength()];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (3 * i + 1);
        }
        SrtpContext sender = new SrtpContext(profile, key, salt);
        SrtpContext receiver = new SrtpContext(profile, key, salt);
        Set<Long> rtpIndexes = new HashSet<>();
        Set<Long> rtcpIndexes = new HashSet<>();
        List<String> reused = new ArrayList<>();
        List<String> discontinuous = new ArrayList<>();
        long[] expected = new long[1];
        sender.observeIndexes((rtcp, ssrc, index) -> {
            long key64 = ((long) ssrc << 32) ^ index;
            if (!(rtcp ? rtcpIndexes : rtpIndexes).add(key64) && reused.size() < 5) {
                reused.add((rtcp ? "SRTCP" : "SRTP") + " ssrc " + ssrc + " index " + index);
            }
            if (!rtcp && index != expected[0] && discontinuous.size() < 5) {
                discontinuous.add("ssrc " + ssrc + " index " + index + " instead of " + expected[0]);
            }
        });
        int refused = 0;
        for (int k = 0; k < PACKETS_PER_SSRC; k++) {
            for (int s = 0; s < SSRCS; s++) {
                int ssrc = 0x1000 + s;
                long index = FIRST_SEQUENCE + (long) k; // ROC 0 then 1: the index a sender must use
                expected[0] = index;
                byte[] p = rtp(ssrc, (int) (index & 0xffff));
                int n = sender.protectRtp(p, 0, 100);
                assertTrue(n > 100, "protect " + n);
                if (receiver.unprotectRtp(p, 0, n) != 100) {
                    refused++;
                }
                if (k % 20 == 0) {
                    byte[] c = rtcp(ssrc);
                    int m = sender.protectRtcp(c, 0, 16);
                    assertTrue(m > 16, "protect RTCP " + m);
                    if (receiver.unprotectRtcp(c, 0, m) != 16) {
                        refused++;
                    }
                }
            }
        }
        assertEquals(List.of(), reused, "an (SSRC, index) encrypted twice");
        assertEquals(List.of(), discontinuous, "a sender's ROC went back");
        assertEquals(0, refused, "packets the receiver could not decrypt");
        assertEquals(SSRCS * PACKETS_PER_SSRC, rtpIndexes.size());
        assertEquals(SSRCS * (PACKETS_PER_SSRC / 20), rtcpIndexes.size());
    }
}
