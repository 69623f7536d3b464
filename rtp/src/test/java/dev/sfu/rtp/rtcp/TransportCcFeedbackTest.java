package dev.sfu.rtp.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransportCcFeedbackTest {

    /**
     * Three packets from sequence 0x0102: received at reference time 1 (64 ms) + 0, lost, received 1 ms
     * later, written out by hand from the draft's figures.
     */
    @Test
    void writesAHandWrittenExampleByteForByte() {
        byte[] out = new byte[64];
        long[] arrivals = {64_000, TransportCcFeedback.NOT_RECEIVED, 65_000};
        int n = TransportCcFeedback.write(out, 0, 0x11111111, 0x22222222, 0x0102, arrivals, 3, 5);
        String expected = "8f" + "cd" + "0005"   // V=2 FMT=15, PT 205, length 5 words (24 bytes: no padding)
                + "11111111" + "22222222"         // sender, media source
                + "0102" + "0003"                 // base sequence, status count
                + "000001" + "05"                 // reference time 1 (x 64 ms), feedback count 5
                + "a800"                          // 1-bit vector (no large delta): received, not received, received
                + "00" + "04";                    // deltas: 0 and 4 (x 250 us = 1 ms)
        assertEquals(expected, HexFormat.of().formatHex(out, 0, n));
        // Two packets need padding: 20 + 2 + 2 deltas... use four received packets: 20 + 2 + 4 = 26 -> 28.
        int padded = TransportCcFeedback.write(out, 0, 1, 2, 0, new long[] {64_000, 64_250, 64_500, 64_750}, 4, 0);
        assertEquals(28, padded);
        assertEquals((byte) 0xaf, out[0]);
        assertEquals(2, out[27]);
        RtcpCompoundIterator it = new RtcpCompoundIterator().reset(out, 0, padded);
        assertTrue(it.next());
        assertEquals(RtcpPacketType.RTPFB, it.packetType());
        assertEquals(TransportCcFeedback.FMT, it.countOrFormat());
    }

    /** The writer uses every chunk kind where it is the smallest, and each reads back exactly. */
    @Test
    void writesRunLengthOneBitAndTwoBitChunks() {
        long[] arrivals = new long[100];
        for (int i = 0; i < 40; i++) {
            arrivals[i] = 64_000 + i * 1_000L; // 40 received, small deltas: one run-length chunk
        }
        for (int i = 40; i < 54; i++) {
            arrivals[i] = i % 3 == 1 ? TransportCcFeedback.NOT_RECEIVED : 64_000 + i * 1_000L; // mixed, small: one-bit
        }
        for (int i = 54; i < 61; i++) {
            arrivals[i] = 164_000 + i * 1_000L; // a 100 ms jump (a two-byte delta), then small ones: two-bit
        }
        for (int i = 61; i < 100; i++) {
            arrivals[i] = TransportCcFeedback.NOT_RECEIVED; // a long loss: run length
        }
        arrivals[99] = 200_000;
        byte[] out = new byte[512];
        int n = TransportCcFeedback.write(out, 0, 1, 2, 65_500, arrivals, 100, 0);
        int[] kinds = new int[3]; // run length, one-bit, two-bit
        int filled = 0;
        for (int at = 20; filled < 100; at += 2) {
            int chunk = (out[at] & 0xff) << 8 | (out[at + 1] & 0xff);
            if ((chunk & 0x8000) == 0) {
                kinds[0]++;
                filled += chunk & 0x1fff;
            } else if ((chunk & 0x4000) == 0) {
                kinds[1]++;
                filled += 14;
            } else {
                kinds[2]++;
                filled += 7;
            }
        }
        assertTrue(kinds[0] >= 2 && kinds[1] >= 1 && kinds[2] >= 1, java.util.Arrays.toString(kinds));
        long[] back = new long[100];
        assertEquals(100, TransportCcFeedback.parse(out, 0, n, back));
        for (int i = 0; i < 100; i++) {
            if (arrivals[i] == TransportCcFeedback.NOT_RECEIVED) {
                assertEquals(TransportCcFeedback.NOT_RECEIVED, back[i], "packet " + i);
            } else {
                assertTrue(Math.abs(back[i] - arrivals[i]) <= 125 * (i + 1), "packet " + i);
            }
        }
        // Forty small deltas in one chunk take 2 bytes of chunks instead of 12 with two-bit vectors.
        assertTrue(n < 20 + 2 * 15 + 2 * 100, "compact: " + n);
    }

    @Test
    void roundTripsRandomArrivalsIncludingLargeAndNegativeDeltas() {
        Random random = new Random(4);
        long[] arrivals = new long[300];
        long[] parsed = new long[300];
        byte[] buf = new byte[2000];
        for (int round = 0; round < 200; round++) {
            int count = 1 + random.nextInt(arrivals.length);
            long t = 1_000_000 + random.nextInt(1_000_000);
            for (int i = 0; i < count; i++) {
                boolean lost = i > 0 && random.nextInt(10) == 0;
                t += random.nextInt(5) == 0 ? random.nextInt(200_000) - 50_000 : random.nextInt(5_000);
                arrivals[i] = lost ? TransportCcFeedback.NOT_RECEIVED : t;
            }
            int n = TransportCcFeedback.write(buf, 0, 1, 2, 65000, arrivals, count, round);
            assertTrue(n > 0 && n % 4 == 0);
            assertEquals(count, TransportCcFeedback.parse(buf, 0, n, parsed));
            for (int i = 0; i < count; i++) {
                if (arrivals[i] == TransportCcFeedback.NOT_RECEIVED) {
                    assertEquals(TransportCcFeedback.NOT_RECEIVED, parsed[i]);
                } else {
                    // Deltas are quantised to 250 us; the error never accumulates past one unit.
                    assertTrue(Math.abs(parsed[i] - arrivals[i]) <= 250, "packet " + i);
                }
            }
        }
    }

    @Test
    void parsesRunLengthAndOneBitChunks() {
        // base 10, count 16: run-length chunk "14 received small", then a 1-bit vector for 2 more.
        String hex = "8fcd0008" + "00000001" + "00000002" + "000a" + "0010" + "000000" + "00"
                + "200e" + "a000" // run of 14 x symbol 1; 1-bit vector: 1,0 (then unused)
                + "01".repeat(15) + "00";
        byte[] buf = HexFormat.of().parseHex(hex);
        long[] arrivals = new long[16];
        assertEquals(16, TransportCcFeedback.parse(buf, 0, buf.length, arrivals));
        assertEquals(250, arrivals[0]);
        assertEquals(14 * 250, arrivals[13]);
        assertEquals(15 * 250, arrivals[14]);
        assertEquals(TransportCcFeedback.NOT_RECEIVED, arrivals[15]);
    }

    @Test
    void rejectsTruncatedAndForeignPackets() {
        byte[] out = new byte[64];
        int n = TransportCcFeedback.write(out, 0, 1, 2, 0, new long[] {64_000, 64_250}, 2, 0);
        long[] arrivals = new long[8];
        for (int len = 0; len < n - 2; len++) {
            assertEquals(-1, TransportCcFeedback.parse(out, 0, len, arrivals));
        }
        Random random = new Random(8);
        long[] many = new long[65536];
        for (int i = 0; i < 10_000; i++) {
            byte[] junk = new byte[20 + random.nextInt(40)];
            random.nextBytes(junk);
            junk[0] = (byte) 0x8f;
            junk[1] = (byte) 205;
            TransportCcFeedback.parse(junk, 0, junk.length, many);
        }
    }
}
