package dev.sfu.dtls.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SRTP against the RFCs' published vectors, and its receive-side rules (replay, ROC, garbage). */
class SrtpVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    /** RFC 3711 appendix B.3: session keys from a master key and salt. */
    @Test
    void keyDerivationMatchesRfc3711AppendixB3() {
        byte[] masterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
        byte[] masterSalt = hex("0EC675AD498AFEEBB6960B3AABE6");
        assertArrayEquals(hex("C61E7A93744F39EE10734AFE3FF7A087"),
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTP_ENCRYPTION, 16));
        assertArrayEquals(hex("30CBBC08863D8C85D49DB34A9AE1"),
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTP_SALT, 14));
        assertArrayEquals(hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"),
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTP_AUTHENTICATION, 20));
    }

    /**
     * RFC 3711 appendix B.2: the AES-CM keystream for SSRC 0 and index 0 is what protecting an all-zero
     * payload leaves in the payload.
     */
    @Test
    void aesCounterModeKeystreamMatchesRfc3711AppendixB2() {
        SrtpContext context = SrtpContext.withSessionKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80,
                hex("2B7E151628AED2A6ABF7158809CF4F3C"), hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), new byte[20]);
        byte[] packet = new byte[12 + 48 + 10];
        packet[0] = (byte) 0x80; // SSRC 0, sequence 0
        assertEquals(70, context.protectRtp(packet, 0, 60));
        assertArrayEquals(hex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB"
                + " 41E95B3BB0A2E8DD477901E4FCA894C0"), Arrays.copyOfRange(packet, 12, 60));
    }

    /** RFC 7714 §16.1: AEAD_AES_128_GCM protection of an RTP packet, byte for byte, and back. */
    @Test
    void gcmRtpMatchesRfc7714Section16() {
        byte[] key = hex("000102030405060708090a0b0c0d0e0f");
        byte[] salt = hex("517569642070726f2071756f");
        byte[] plain = hex("8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e69732064697669736120"
                + "696e207061727465732074726573");
        byte[] expected = hex("8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f"
                + "42a5f47a51c7d19b36de3adf8833 899d7f27beb16a9152cf765ee4390cce");
        SrtpContext sender = SrtpContext.withSessionKeys(SrtpProfile.AEAD_AES_128_GCM, key, salt, null);
        byte[] buf = Arrays.copyOf(plain, plain.length + 16);
        assertEquals(expected.length, sender.protectRtp(buf, 0, plain.length));
        assertArrayEquals(expected, buf);
        SrtpContext receiver = SrtpContext.withSessionKeys(SrtpProfile.AEAD_AES_128_GCM, key, salt, null);
        assertEquals(plain.length, receiver.unprotectRtp(buf, 0, expected.length));
        assertArrayEquals(plain, Arrays.copyOf(buf, plain.length));
    }

    /**
     * RFC 7714 §17.1: AEAD_AES_128_GCM protection of an RTCP sender report with SRTCP index 0x5d4, byte
     * for byte, and back. (The packet is the one the subsections encrypt; the preamble of §17 prints a
     * slightly different one.)
     */
    @Test
    void gcmRtcpMatchesRfc7714Section17() {
        byte[] key = hex("000102030405060708090a0b0c0d0e0f");
        byte[] salt = hex("517569642070726f2071756f");
        byte[] plain = hex("81c8000d4d617273 4e5450314e545032 525450200000042a 0000e9304c756e61"
                + "deadbeefdeadbeef deadbeefdeadbeef deadbeef");
        byte[] expected = hex("81c8000d4d617273 63e94885dcdab67c a727d7662f6b7e99 7ff5c0f76c06f32d"
                + "c676a5f1730d6fda 4ce09b4686303ded 0bb9275bc84aa458 96cf4d2fc5abf872 45d9eade800005d4");
        SrtpContext sender = SrtpContext.withSessionKeys(SrtpProfile.AEAD_AES_128_GCM, key, salt, null);
        byte[] buf = new byte[plain.length + 4 + 16];
        // The sender numbers SRTCP packets from 0; spend indices 0..0x5d3 to reach the vector's index.
        for (int i = 0; i < 0x5d4; i++) {
            System.arraycopy(plain, 0, buf, 0, plain.length);
            sender.protectRtcp(buf, 0, plain.length);
        }
        System.arraycopy(plain, 0, buf, 0, plain.length);
        assertEquals(expected.length, sender.protectRtcp(buf, 0, plain.length));
        assertArrayEquals(expected, buf);
        SrtpContext receiver = SrtpContext.withSessionKeys(SrtpProfile.AEAD_AES_128_GCM, key, salt, null);
        assertEquals(plain.length, receiver.unprotectRtcp(buf, 0, expected.length));
        assertArrayEquals(plain, Arrays.copyOf(buf, plain.length));
    }

    private static SrtpContext[] pair(SrtpProfile profile) {
        byte[] key = new byte[16];
        byte[] salt = new byte[profile.saltLength()];
        new Random(9).nextBytes(key);
        new Random(10).nextBytes(salt);
        return new SrtpContext[] {new SrtpContext(profile, key, salt), new SrtpContext(profile, key, salt)};
    }

    private static byte[] rtp(int seq, int ssrc) {
        byte[] p = new byte[100 + 20];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[8] = (byte) (ssrc >> 24);
        p[11] = (byte) ssrc;
        for (int i = 12; i < 100; i++) {
            p[i] = (byte) (i + seq);
        }
        return p;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rolloverAcrossTheSequenceWrapAndReplayRejection(SrtpProfile profile) {
        SrtpContext[] ctx = pair(profile);
        int start = 65535 - 2000;
        for (int i = 0; i < 5000; i++) {
            int seq = (start + i) & 0xffff;
            byte[] p = rtp(seq, 42);
            byte[] original = Arrays.copyOf(p, 100);
            int n = ctx[0].protectRtp(p, 0, 100);
            byte[] replay = Arrays.copyOf(p, n);
            assertEquals(100, ctx[1].unprotectRtp(p, 0, n), "packet " + i);
            assertArrayEquals(original, Arrays.copyOf(p, 100));
            if (i % 500 == 0) {
                assertEquals(SrtpContext.ERR_REPLAY, ctx[1].unprotectRtp(replay, 0, replay.length));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void reorderedPacketsInsideTheWindowAreAccepted(SrtpProfile profile) {
        SrtpContext[] ctx = pair(profile);
        byte[][] sent = new byte[10][];
        int[] lengths = new int[10];
        for (int i = 0; i < 10; i++) {
            sent[i] = rtp(100 + i, 7);
            lengths[i] = ctx[0].protectRtp(sent[i], 0, 100);
        }
        for (int i : new int[] {0, 2, 1, 5, 3, 4, 9, 8, 7, 6}) {
            assertEquals(100, ctx[1].unprotectRtp(sent[i], 0, lengths[i]), "packet " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void srtcpRoundTripAndTamperedPacketsAreRejected(SrtpProfile profile) {
        SrtpContext[] ctx = pair(profile);
        byte[] rtcp = hex("81c8000d4d617273 4e5450314e545032 525450200000042a 0000e9304c756e61"
                + " deadbeefdeadbeef deadbeefdeadbeef deadbeef");
        for (int i = 0; i < 3; i++) {
            byte[] buf = Arrays.copyOf(rtcp, rtcp.length + 20);
            int n = ctx[0].protectRtcp(buf, 0, rtcp.length);
            byte[] tampered = Arrays.copyOf(buf, n);
            tampered[10] ^= 1;
            assertEquals(SrtpContext.ERR_AUTH, ctx[1].unprotectRtcp(tampered, 0, n));
            assertEquals(rtcp.length, ctx[1].unprotectRtcp(buf, 0, n));
            assertArrayEquals(rtcp, Arrays.copyOf(buf, rtcp.length));
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void garbageIsReportedNeverThrown(SrtpProfile profile) {
        SrtpContext receiver = pair(profile)[1];
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(200)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) {
                b[0] = (byte) 0x80;
            }
            int len = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            assertTrue(receiver.unprotectRtp(b, 0, len) < 0);
            assertTrue(receiver.unprotectRtcp(b, 0, len) < 0);
        }
    }
}
