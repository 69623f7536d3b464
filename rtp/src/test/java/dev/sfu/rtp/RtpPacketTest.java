package dev.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtpPacketTest {
    /**
     * A VP8 packet as Chrome sends it: V=2, X=1, PT 96, one-byte extensions (RFC 8285 §4.2):
     * abs-send-time (id 2, 3 bytes), transport-cc (id 3, 2 bytes), mid (id 4, "1"), padded to a word.
     */
    static final byte[] CHROME_VP8 = HexFormat.of().parseHex(
            "90e0" + "1234" + "00015f90" + "deadbeef"      // V=2 X=1, M=1 PT=96, seq 0x1234, ts 90000, ssrc
            + "bede0003"                                   // one-byte profile, 3 words of extensions
            + "22" + "abcdef"                              // id 2 len 3: abs-send-time
            + "31" + "0102"                                // id 3 len 2: transport-wide seq 258
            + "40" + "31"                                  // id 4 len 1: mid "1"
            + "000000"                                     // padding to the word boundary
            + "9000" + "0102030405");                      // VP8 descriptor + payload

    private final RtpPacket packet = new RtpPacket();

    @Test
    void readsTheFixedHeaderAndExtensionsOfAChromePacket() {
        assertTrue(packet.wrap(CHROME_VP8, 0, CHROME_VP8.length));
        assertEquals(2, packet.version());
        assertTrue(packet.marker());
        assertEquals(96, packet.payloadType());
        assertEquals(0x1234, packet.sequenceNumber());
        assertEquals(90000, packet.timestamp());
        assertEquals(0xdeadbeef, packet.ssrc());
        assertEquals(0xBEDE, packet.extensionProfile());
        assertEquals(12 + 4 + 12, packet.headerLength());
        assertEquals(7, packet.payloadLength());
        long transportCc = packet.findExtension(3);
        assertEquals(2, RtpPacket.elementLength(transportCc));
        assertEquals(0x01, CHROME_VP8[RtpPacket.elementOffset(transportCc)]);
        assertEquals("1", SdesItemExtension.read(packet, 4));
        assertTrue(SdesItemExtension.equals(packet, 4, new byte[] {'1'}));
        assertEquals(-1, packet.findExtension(5));
        assertNull(SdesItemExtension.read(packet, 7));
    }

    @Test
    void rewritesFieldsInPlace() {
        byte[] copy = CHROME_VP8.clone();
        assertTrue(packet.wrap(copy, 0, copy.length));
        packet.setSsrc(0x01020304);
        packet.setSequenceNumber(65535);
        packet.setTimestamp(-1);
        packet.setPayloadType(100);
        packet.setMarker(false);
        assertTrue(packet.wrap(copy, 0, copy.length));
        assertEquals(0x01020304, packet.ssrc());
        assertEquals(65535, packet.sequenceNumber());
        assertEquals(0xffffffffL, Integer.toUnsignedLong(packet.timestamp()));
        assertEquals(100, packet.payloadType());
        assertFalse(packet.marker());
        // Nothing but those fields changed.
        assertArrayEquals(java.util.Arrays.copyOfRange(CHROME_VP8, 12, CHROME_VP8.length),
                java.util.Arrays.copyOfRange(copy, 12, copy.length));
    }

    @Test
    void remapsAndRemovesExtensionsInPlace() {
        byte[] copy = CHROME_VP8.clone();
        assertTrue(packet.wrap(copy, 0, copy.length));
        byte[] idMap = new byte[16];
        idMap[2] = 7;  // abs-send-time: 2 -> 7
        idMap[4] = 0;  // mid: removed
        idMap[3] = 5;  // transport-cc: 3 -> 5
        assertTrue(packet.remapExtensionIds(idMap));
        assertTrue(packet.wrap(copy, 0, copy.length));
        assertEquals(-1, packet.findExtension(2));
        assertEquals(-1, packet.findExtension(4));
        assertEquals(3, RtpPacket.elementLength(packet.findExtension(7)));
        assertEquals((byte) 0xab, copy[RtpPacket.elementOffset(packet.findExtension(7))]);
        assertEquals(2, RtpPacket.elementLength(packet.findExtension(5)));
        assertEquals(packet.payloadOffset(), 28, "nothing moved");
        assertArrayEquals(java.util.Arrays.copyOfRange(CHROME_VP8, 28, CHROME_VP8.length),
                java.util.Arrays.copyOfRange(copy, 28, copy.length));
    }

    @Test
    void readsTwoByteExtensionsAndCsrcsAndPadding() {
        byte[] p = HexFormat.of().parseHex(
                "b1" + "6f" + "0001" + "00000002" + "00000003"   // V=2 P=1 X=1 CC=1, PT 111
                + "0000000a"                                     // CSRC
                + "10000002"                                     // two-byte profile 0x1000, 2 words
                + "0503" + "414243" + "00" + "00" + "00"          // id 5 len 3 "ABC", padding
                + "aabb" + "0002");                               // payload, then 2 bytes of RTP padding
        assertTrue(packet.wrap(p, 0, p.length));
        assertEquals(1, packet.csrcCount());
        assertEquals(10, packet.csrc(0));
        assertEquals("ABC", SdesItemExtension.read(packet, 5));
        assertEquals(2, packet.paddingLength());
        assertEquals(2, packet.payloadLength());
    }

    @Test
    void rejectsMalformedPackets() {
        assertFalse(packet.wrap(new byte[11], 0, 11));
        assertFalse(packet.wrap(null, 0, 12));
        assertFalse(packet.wrap(CHROME_VP8, 0, 20)); // extension cut off
        assertFalse(packet.wrap(CHROME_VP8, 5, CHROME_VP8.length)); // beyond the array
        byte[] v1 = CHROME_VP8.clone();
        v1[0] = 0x50;
        assertFalse(packet.wrap(v1, 0, v1.length));
        byte[] badPadding = CHROME_VP8.clone();
        badPadding[0] |= 0x20;
        badPadding[badPadding.length - 1] = (byte) 200;
        assertFalse(packet.wrap(badPadding, 0, badPadding.length));
        byte[] manyCsrcs = CHROME_VP8.clone();
        manyCsrcs[0] = (byte) 0x8f;
        assertFalse(packet.wrap(manyCsrcs, 0, 40));
    }

    /** Every truncation and 200k random mutations: wrap answers true or false, accessors stay in bounds. */
    @Test
    void survivesTruncatedAndRandomInput() {
        for (int len = 0; len <= CHROME_VP8.length; len++) {
            exercise(CHROME_VP8, len);
        }
        Random random = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            byte[] b = random.nextInt(4) == 0 ? new byte[random.nextInt(64)] : CHROME_VP8.clone();
            if (random.nextInt(4) == 0) {
                random.nextBytes(b);
            } else if (b.length > 0) {
                for (int m = 0; m < 1 + random.nextInt(4); m++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt();
                }
            }
            exercise(b, b.length == 0 ? 0 : random.nextInt(b.length + 1));
        }
    }

    private void exercise(byte[] b, int len) {
        if (packet.wrap(b, 0, len)) {
            assertTrue(packet.payloadOffset() + packet.payloadLength() <= len);
            assertTrue(packet.payloadLength() >= 0);
            packet.remapExtensionIds(new byte[] {0, 2, 1, 3, 0, 6, 5});
            for (int id = 0; id < 16; id++) {
                long at = packet.findExtension(id);
                if (at >= 0) {
                    assertTrue(RtpPacket.elementOffset(at) + RtpPacket.elementLength(at) <= packet.headerLength());
                    SdesItemExtension.read(packet, id);
                }
            }
        }
        RtpPacket.isRtcp(b, 0, len);
        RtpPacket.isRtp(b, 0, len);
    }
}
