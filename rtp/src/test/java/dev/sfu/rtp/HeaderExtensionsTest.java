package dev.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HeaderExtensionsTest {
    /**
     * An Opus packet with audio level (id 1, RFC 6464 §3: V=1, -42 dBov) and abs-send-time (id 2), and a
     * video packet with CVO (id 13), an AV1 dependency descriptor (id 12, mandatory part only), transport-cc
     * (id 3) and repaired-rtp-stream-id "r1" (id 11), all in the one-byte form (RFC 8285 §4.2).
     */
    static final byte[] OPUS = HexFormat.of().parseHex(
            "906f" + "0001" + "00000960" + "11111111"
            + "bede0002"
            + "10" + "aa"                 // id 1 len 1: V=1, level 42
            + "22" + "4c0000"             // id 2 len 3: abs-send-time 0x4c0000 = 19.0 s
            + "00" + "00"                 // padding
            + "fcff");                    // Opus payload
    static final byte[] VIDEO = HexFormat.of().parseHex(
            "9060" + "0002" + "00015f90" + "22222222"
            + "bede0004"
            + "d0" + "0d"                 // id 13 len 1: C=1 F=1 R1R0=01 -> 90 degrees, flipped, back camera
            + "c2" + "850102"             // id 12 len 3: S=1 E=0 template 5, frame_number 0x0102
            + "31" + "fffe"               // id 3 len 2: transport-wide sequence 65534
            + "b1" + "7231"               // id 11 len 2: "r1"
            + "00000000"                  // padding
            + "00");                      // payload

    private final RtpPacket packet = new RtpPacket();

    private static int off(long position) {
        return RtpPacket.elementOffset(position);
    }

    private static int len(long position) {
        return RtpPacket.elementLength(position);
    }

    @Test
    void readsAudioLevelAndAbsSendTime() {
        assertTrue(packet.wrap(OPUS, 0, OPUS.length));
        long level = packet.findExtension(1);
        assertEquals(42, HeaderExtensions.audioLevel(OPUS, off(level), len(level)));
        assertTrue(HeaderExtensions.voiceActivity(OPUS, off(level), len(level)));
        long ast = packet.findExtension(2);
        assertEquals(0x4c0000, HeaderExtensions.absSendTime(OPUS, off(ast), len(ast)));
        assertEquals(19_000_000_000L, HeaderExtensions.absSendTimeToNanos(0x4c0000));
    }

    @Test
    void readsVideoExtensions() {
        assertTrue(packet.wrap(VIDEO, 0, VIDEO.length));
        long cvo = packet.findExtension(13);
        assertEquals(90, HeaderExtensions.videoRotation(VIDEO, off(cvo), len(cvo)));
        assertTrue(HeaderExtensions.videoFlip(VIDEO, off(cvo), len(cvo)));
        assertTrue(HeaderExtensions.videoBackCamera(VIDEO, off(cvo), len(cvo)));
        long dd = packet.findExtension(12);
        assertTrue(HeaderExtensions.ddStartOfFrame(VIDEO, off(dd), len(dd)));
        assertFalse(HeaderExtensions.ddEndOfFrame(VIDEO, off(dd), len(dd)));
        assertEquals(5, HeaderExtensions.ddTemplateId(VIDEO, off(dd), len(dd)));
        assertEquals(0x0102, HeaderExtensions.ddFrameNumber(VIDEO, off(dd), len(dd)));
        assertFalse(HeaderExtensions.ddHasExtendedFields(VIDEO, off(dd), len(dd)));
        long twcc = packet.findExtension(3);
        assertEquals(65534, HeaderExtensions.transportSequence(VIDEO, off(twcc), len(twcc)));
        // repaired-rtp-stream-id is an SDES item like the rid (RFC 8852 §3.2).
        assertEquals("r1", SdesItemExtension.read(packet, 11));
    }

    @Test
    void rewritesInPlaceByteForByte() {
        byte[] copy = VIDEO.clone();
        assertTrue(packet.wrap(copy, 0, copy.length));
        long cvo = packet.findExtension(13);
        assertTrue(HeaderExtensions.setVideoOrientation(copy, off(cvo), len(cvo), 270, false, false));
        assertFalse(HeaderExtensions.setVideoOrientation(copy, off(cvo), len(cvo), 45, false, false));
        long dd = packet.findExtension(12);
        assertTrue(HeaderExtensions.setDdFrameNumber(copy, off(dd), len(dd), 0xabcd));
        long twcc = packet.findExtension(3);
        assertTrue(HeaderExtensions.setTransportSequence(copy, off(twcc), len(twcc), 7));
        assertEquals("9060000200015f9022222222" + "bede0004" + "d003" + "c285abcd" + "310007" + "b17231" + "00000000" + "00",
                HexFormat.of().formatHex(copy));

        byte[] opus = OPUS.clone();
        assertTrue(packet.wrap(opus, 0, opus.length));
        long level = packet.findExtension(1);
        assertTrue(HeaderExtensions.setAudioLevel(opus, off(level), len(level), false, 200)); // clamped to 127
        long ast = packet.findExtension(2);
        assertTrue(HeaderExtensions.setAbsSendTime(opus, off(ast), len(ast), 0x123456));
        assertEquals("906f00010000096011111111" + "bede0002" + "107f" + "22123456" + "0000" + "fcff",
                HexFormat.of().formatHex(opus));
    }

    @Test
    void convertsClockReadingsToAbsSendTime() {
        assertEquals(0, HeaderExtensions.absSendTimeFromNanos(0));
        assertEquals(1 << 18, HeaderExtensions.absSendTimeFromNanos(1_000_000_000L));
        assertEquals(1 << 17, HeaderExtensions.absSendTimeFromMillis(500));
        assertEquals(0, HeaderExtensions.absSendTimeFromMillis(64_000), "wraps every 64 s");
        assertEquals(262, HeaderExtensions.absSendTimeFromMillis(1), "1 ms = 262.144 units, rounded");
        assertEquals(HeaderExtensions.absSendTimeFromMillis(123_456), HeaderExtensions.absSendTimeFromNanos(123_456_000_000L));
        assertEquals(0xffffff & -(1 << 18), HeaderExtensions.absSendTimeFromNanos(-1_000_000_000L));
        assertEquals(0, HeaderExtensions.absSendTimeFromNanos(Long.MAX_VALUE) & ~0xffffff);
        // Across the wrap, the later time is still ahead.
        int before = HeaderExtensions.absSendTimeFromMillis(63_750);
        int after = HeaderExtensions.absSendTimeFromMillis(64_250);
        assertEquals(1 << 17, HeaderExtensions.absSendTimeDiff(before, after));
        assertEquals(-(1 << 17), HeaderExtensions.absSendTimeDiff(after, before));
        assertEquals(250_000_000L, HeaderExtensions.absSendTimeToNanos(1 << 16));
    }

    @Test
    void answersInvalidForAbsentOrWrongLengthElements() {
        assertTrue(packet.wrap(OPUS, 0, OPUS.length));
        long absent = packet.findExtension(9);
        assertEquals(-1, absent);
        assertEquals(-1, HeaderExtensions.absSendTime(OPUS, off(absent), len(absent)));
        assertEquals(-1, HeaderExtensions.audioLevel(OPUS, off(absent), len(absent)));
        assertEquals(-1, HeaderExtensions.videoRotation(OPUS, off(absent), len(absent)));
        assertEquals(-1, HeaderExtensions.transportSequence(OPUS, off(absent), len(absent)));
        assertEquals(-1, HeaderExtensions.ddFrameNumber(OPUS, off(absent), len(absent)));
        assertFalse(HeaderExtensions.voiceActivity(OPUS, off(absent), len(absent)));
        assertFalse(HeaderExtensions.setAbsSendTime(OPUS, off(absent), len(absent), 1));
        long level = packet.findExtension(1);
        assertEquals(-1, HeaderExtensions.absSendTime(OPUS, off(level), len(level)), "1 byte is no abs-send-time");
        assertEquals(-1, HeaderExtensions.ddTemplateId(OPUS, off(level), len(level)));
        assertEquals(-1, HeaderExtensions.absSendTime(OPUS, OPUS.length - 2, 3), "past the array");
        assertEquals(-1, HeaderExtensions.absSendTime(null, 0, 3));
    }
}
