package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4571 framing as TCP delivers it: split, merged, and a hostile length. */
class FrameReaderTest {
    private final FrameReader reader = new FrameReader(4096);
    private final List<byte[]> frames = new ArrayList<>();

    private int feed(byte[] bytes, int from, int to) {
        reader.buffer().put(bytes, from, to - from);
        return reader.frames((b, o, l) -> frames.add(Arrays.copyOfRange(b, o, o + l)));
    }

    private static byte[] framed(byte[]... payloads) {
        int total = 0;
        for (byte[] p : payloads) {
            total += 2 + p.length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : payloads) {
            out[at] = (byte) (p.length >>> 8);
            out[at + 1] = (byte) p.length;
            System.arraycopy(p, 0, out, at + 2, p.length);
            at += 2 + p.length;
        }
        return out;
    }

    private static byte[] payload(int length, int seed) {
        byte[] p = new byte[length];
        Arrays.fill(p, (byte) seed);
        return p;
    }

    @Test
    void aFrameSplitAtEveryByteComesOutWholeOnce() {
        byte[] one = payload(1200, 7);
        byte[] stream = framed(one);
        for (int i = 0; i < stream.length; i++) {
            assertEquals(i == stream.length - 1 ? 1 : 0, feed(stream, i, i + 1));
        }
        assertEquals(1, frames.size());
        assertArrayEquals(one, frames.get(0));
    }

    @Test
    void mergedFramesComeOutInOrderAndAPartialTailWaits() {
        byte[] a = payload(100, 1);
        byte[] b = payload(0, 2);
        byte[] c = payload(4096, 3);
        byte[] d = payload(50, 4);
        byte[] stream = framed(a, b, c, d);
        assertEquals(3, feed(stream, 0, stream.length - 10)); // d is cut short
        assertEquals(1, feed(stream, stream.length - 10, stream.length));
        assertEquals(4, frames.size());
        assertArrayEquals(a, frames.get(0));
        assertArrayEquals(b, frames.get(1));
        assertArrayEquals(c, frames.get(2));
        assertArrayEquals(d, frames.get(3));
    }

    @Test
    void aLengthAboveTheMaximumIsReportedBeforeItsBytesArrive() {
        byte[] stream = {0x10, 0x01}; // 4097
        assertEquals(FrameReader.OVERSIZED, feed(stream, 0, 2));
        assertEquals(0, frames.size());
    }

    @Test
    void manyMaximalFramesInRandomChunksComeOutIntact() {
        byte[][] payloads = new byte[20][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = payload(i % 2 == 0 ? 4096 : i * 37, i);
        }
        byte[] stream = framed(payloads);
        java.util.Random random = new java.util.Random(3);
        for (int at = 0; at < stream.length; ) {
            // never more than the buffer's free room: a socket read is bounded by it too
            int n = Math.min(stream.length - at, 1 + random.nextInt(reader.buffer().remaining()));
            feed(stream, at, at + n);
            at += n;
        }
        assertEquals(payloads.length, frames.size());
        for (int i = 0; i < payloads.length; i++) {
            assertArrayEquals(payloads[i], frames.get(i), "frame " + i);
        }
    }
}
