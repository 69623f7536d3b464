package dev.sfu.rtp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodecDescriptorTest {
    /**
     * A VP8 keyframe's first packet as Chrome sends it: X=1 S=1 PID=0; I=1 L=1 T=1; 15-bit picture id
     * 0x1234; TL0PICIDX 7; TID 0; then the frame tag (P=0), the start code and 640x360.
     */
    static final byte[] VP8_KEYFRAME = HexFormat.of().parseHex("90" + "e0" + "9234" + "07" + "00"
            + "501e00" + "9d012a" + "8002" + "6801" + "00112233");

    @Test
    void readsAVp8Keyframe() {
        byte[] p = VP8_KEYFRAME.clone();
        assertEquals(6, Vp8Descriptor.descriptorLength(p, 0, p.length));
        assertTrue(Vp8Descriptor.isStartOfFrame(p, 0, p.length));
        assertTrue(Vp8Descriptor.isKeyframe(p, 0, p.length));
        assertEquals(360, Vp8Descriptor.keyframeHeight(p, 0, p.length));
        assertEquals(0x1234, Vp8Descriptor.pictureId(p, 0, p.length));
        assertEquals(7, Vp8Descriptor.tl0PicIdx(p, 0, p.length));
        assertEquals(0, Vp8Descriptor.temporalLayerId(p, 0, p.length));
        assertTrue(Vp8Descriptor.setPictureId(p, 0, p.length, 0x7fff));
        assertTrue(Vp8Descriptor.setTl0PicIdx(p, 0, p.length, 200));
        assertEquals(0x7fff, Vp8Descriptor.pictureId(p, 0, p.length));
        assertEquals(200, Vp8Descriptor.tl0PicIdx(p, 0, p.length));
        assertEquals(360, Vp8Descriptor.keyframeHeight(p, 0, p.length));
    }

    @Test
    void aDeltaFrameOrAMiddlePacketIsNoKeyframe() {
        byte[] delta = VP8_KEYFRAME.clone();
        delta[6] |= 0x01; // P = 1: inter frame
        assertFalse(Vp8Descriptor.isKeyframe(delta, 0, delta.length));
        byte[] middle = VP8_KEYFRAME.clone();
        middle[0] &= ~0x10; // not the start of a partition
        assertFalse(Vp8Descriptor.isKeyframe(middle, 0, middle.length));
        byte[] minimal = {0x10, 0x00};
        assertTrue(Vp8Descriptor.isKeyframe(minimal, 0, 2));
        assertEquals(-1, Vp8Descriptor.pictureId(minimal, 0, 2));
    }

    @Test
    void readsH264Keyframes() {
        assertTrue(H264Nal.isKeyframe(new byte[] {0x65, 0x00}, 0, 2));            // IDR slice
        assertTrue(H264Nal.isKeyframe(new byte[] {0x7c, (byte) 0x85, 0}, 0, 3));   // FU-A start of an IDR
        assertFalse(H264Nal.isKeyframe(new byte[] {0x7c, 0x05, 0}, 0, 3));         // FU-A middle
        assertTrue(H264Nal.isKeyframe(HexFormat.of().parseHex("78" + "0002" + "6742" + "0002" + "68ce"), 0, 9)); // STAP-A SPS+PPS
        assertFalse(H264Nal.isKeyframe(new byte[] {0x41, 0x00}, 0, 2));            // non-IDR slice
        assertFalse(H264Nal.isKeyframe(HexFormat.of().parseHex("78" + "0009" + "67"), 0, 4)); // truncated STAP-A
    }

    @Test
    void readsVp9Keyframes() {
        assertTrue(Vp9Descriptor.isKeyframe(new byte[] {(byte) 0x8a}, 0, 1));  // I, B: not predicted, begins frame
        assertFalse(Vp9Descriptor.isKeyframe(new byte[] {(byte) 0xca}, 0, 1)); // P set
    }

    @Test
    void randomPayloadsNeverThrow() {
        Random random = new Random(12);
        for (int i = 0; i < 100_000; i++) {
            byte[] b = new byte[random.nextInt(16)];
            random.nextBytes(b);
            int len = b.length;
            Vp8Descriptor.isKeyframe(b, 0, len);
            Vp8Descriptor.keyframeHeight(b, 0, len);
            Vp8Descriptor.pictureId(b, 0, len);
            Vp8Descriptor.tl0PicIdx(b, 0, len);
            Vp8Descriptor.temporalLayerId(b, 0, len);
            H264Nal.isKeyframe(b, 0, len);
            Vp9Descriptor.isKeyframe(b, 0, len);
        }
    }
}
