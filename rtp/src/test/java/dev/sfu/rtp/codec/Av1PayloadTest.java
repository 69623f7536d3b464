package dev.sfu.rtp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** AV1 aggregation headers and OBU elements written out by hand from the AV1 RTP spec §4.4 and §4.5. */
class Av1PayloadTest {
    private static final HexFormat HEX = HexFormat.of();

    private static boolean keyframe(String hex) {
        byte[] p = HEX.parseHex(hex);
        return Av1Payload.isKeyframe(p, 0, p.length);
    }

    private static int elements(String hex) {
        byte[] p = HEX.parseHex(hex);
        return Av1Payload.obuElementCount(p, 0, p.length);
    }

    /** N=1, W=2: a sequence header (size 4, OBU type 1) then the frame OBU (type 6) filling the rest. */
    static final String FIRST_OF_SEQUENCE = "28" + "04" + "080a0b0c" + "30aabb";

    @Test
    void detectsTheStartOfACodedVideoSequence() {
        byte[] p = HEX.parseHex(FIRST_OF_SEQUENCE);
        assertTrue(Av1Payload.startsCodedVideoSequence(p, 0, p.length));
        assertTrue(Av1Payload.containsSequenceHeader(p, 0, p.length));
        assertTrue(Av1Payload.isKeyframe(p, 0, p.length));
        assertEquals(2, Av1Payload.obuElementCount(p, 0, p.length));
        assertFalse(Av1Payload.continuesObu(p, 0, p.length));
        assertFalse(Av1Payload.continuesInNextPacket(p, 0, p.length));
    }

    @Test
    void aSequenceHeaderAloneOrNAloneIsAKeyframe() {
        assertTrue(keyframe("20" + "04" + "080a0b0c" + "30aabb"), "N=0, but a sequence header");
        assertTrue(keyframe("18" + "30aabb"), "N=1, W=1, only a frame OBU");
        assertTrue(keyframe("08" + "03" + "30aabb" + "02" + "0801"), "W=0: sizes on every element");
    }

    @Test
    void deltaFramesAndContinuationsAreNot() {
        assertFalse(keyframe("10" + "30aabb"), "W=1, a frame OBU");
        assertEquals(2, elements("00" + "03" + "30aabb" + "02" + "2001")); // frame + tile group, W=0
        assertFalse(keyframe("00" + "03" + "30aabb" + "02" + "2001"));
        // Z=1: the first element is the middle of an OBU; its first byte (0x08) is no OBU header.
        assertFalse(keyframe("d0" + "08aabb"));
        assertEquals(1, elements("d0" + "08aabb"));
        byte[] p = HEX.parseHex("d0" + "08aabb");
        assertTrue(Av1Payload.continuesObu(p, 0, p.length));
        assertTrue(Av1Payload.continuesInNextPacket(p, 0, p.length));
    }

    @Test
    void readsMultiByteLeb128Sizes() {
        // 130 = 0x82 0x01 in LEB128 (low 7 bits first).
        String big = "00" + "8201" + "08" + "00".repeat(129);
        assertEquals(1, elements(big));
        assertTrue(keyframe(big));
        assertEquals(-1, elements("00" + "8202" + "08" + "00".repeat(129)), "size 258 runs past the end");
    }

    @Test
    void rejectsMalformedPayloads() {
        assertFalse(keyframe("28" + "04" + "080a"), "element cut off, N=1 notwithstanding");
        assertFalse(keyframe("38" + "03" + "080a0b" + "30aabb"), "W=3 but two elements");
        assertFalse(keyframe("08" + "ff"), "unterminated size");
        assertFalse(keyframe("08" + "ffffffffffffffff7f" + "08"), "size longer than 8 bytes");
        assertFalse(keyframe("08" + "00" + "08"), "empty element");
        assertFalse(keyframe("18" + "88aa"), "forbidden bit");
        assertFalse(keyframe("08"), "aggregation header only");
        assertFalse(Av1Payload.isKeyframe(null, 0, 4));
        assertFalse(Av1Payload.isKeyframe(new byte[3], 2, 2), "past the array");
        assertEquals(-1, elements(""));
    }
}
