package dev.sfu.sctp.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.sctp.SctpPacket;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every chunk codec: write then read gives the same chunk; and no input, however broken (every prefix, random
 * mutations, random bytes), makes a parser throw or read outside its range. Inputs are read from an exact-size
 * array (a read past the end would throw) and from the middle of a larger one (the answer must not change).
 */
class ChunkCodecTest {
    static List<Chunk> samples() {
        return List.of(
                new DataChunk(0xFFFFFFF0, 3, 65_535, 51, "hello".getBytes(), false, true, true, false),
                new DataChunk(7, 0, 1, 53, new byte[1000], true, false, false, true),
                new InitChunk(false, 0x12345678, 1 << 20, 65_535, 65_535, 99, null,
                        new int[] {ChunkType.RE_CONFIG, ChunkType.FORWARD_TSN}, true),
                new InitChunk(true, 0x9abcdef0, 0xFFFFFFFFL, 10, 20, -5, new byte[] {1, 2, 3, 4, 5}, new int[0], false),
                new SackChunk(42, 131_072, new int[] {2, 10}, new int[] {5, 12}, new int[] {40, 41}),
                new SackChunk(-1, 0, new int[0], new int[0], new int[0]),
                new HeartbeatChunk(false, new byte[] {9, 8, 7}),
                new HeartbeatChunk(true, new byte[16]),
                ErrorCauseChunk.abort(ErrorCauseChunk.CAUSE_USER_INITIATED_ABORT, "bye"),
                new ErrorCauseChunk(true, true, new byte[0]),
                new ErrorCauseChunk(false, false, ErrorCauseChunk.cause(ErrorCauseChunk.CAUSE_INVALID_STREAM, new byte[4])),
                new ShutdownChunk(123),
                EmptyChunk.shutdownAck(),
                EmptyChunk.shutdownComplete(true),
                EmptyChunk.cookieAck(),
                new CookieEchoChunk(new byte[] {1, 2, 3, 4, 5, 6, 7}),
                new ForwardTsnChunk(77, new int[] {1, 2}, new int[] {3, 65_535}),
                new ForwardTsnChunk(78, new int[0], new int[0]),
                new ReConfigChunk(List.of(new ReConfigChunk.OutgoingSsnResetRequest(1, 2, 3, new int[] {4, 5, 6}))),
                new ReConfigChunk(List.of(new ReConfigChunk.Response(1, ReConfigChunk.RESULT_SUCCESS_PERFORMED),
                        new ReConfigChunk.IncomingSsnResetRequest(9, new int[] {1}))),
                new ReConfigChunk(List.of(new ReConfigChunk.OutgoingSsnResetRequest(1, 2, 3, new int[0]))),
                new UnknownChunk(0xC5, 3, new byte[] {1, 2}));
    }

    private static Chunk parseWhole(byte[] b) {
        return ChunkParser.parse(b, 0, Bytes.u16(b, 2));
    }

    @Test
    void roundTrip() {
        for (Chunk c : samples()) {
            byte[] b = c.toBytes();
            assertEquals(0, b.length % 4, c.toString());
            Chunk back = parseWhole(b);
            assertNotNull(back, c.toString());
            assertEquals(c.getClass(), back.getClass());
            assertArrayEquals(b, back.toBytes(), c.toString());
        }
    }

    @Test
    void fieldsSurviveRoundTrip() {
        DataChunk d = (DataChunk) parseWhole(samples().get(0).toBytes());
        assertEquals(0xFFFFFFF0, d.tsn);
        assertEquals(65_535, d.ssn);
        assertTrue(d.beginning && d.ending && !d.unordered);
        SackChunk s = (SackChunk) parseWhole(samples().get(4).toBytes());
        assertArrayEquals(new int[] {2, 10}, s.gapStarts);
        assertArrayEquals(new int[] {40, 41}, s.duplicateTsns);
        InitChunk i = (InitChunk) parseWhole(samples().get(3).toBytes());
        assertEquals(0xFFFFFFFFL, i.aRwnd);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, i.stateCookie);
        ReConfigChunk r = (ReConfigChunk) parseWhole(samples().get(18).toBytes());
        ReConfigChunk.OutgoingSsnResetRequest o = (ReConfigChunk.OutgoingSsnResetRequest) r.params.get(0);
        assertArrayEquals(new int[] {4, 5, 6}, o.streamIds());
        assertEquals(3, o.senderLastTsn());
        ErrorCauseChunk a = (ErrorCauseChunk) parseWhole(samples().get(8).toBytes());
        assertEquals("cause 12: bye", a.describe());
    }

    /** Parses a chunk region both alone and surrounded by other bytes; the results must agree. */
    private static void parseEverywhere(byte[] region, int chunkLen) {
        byte[] exact = Arrays.copyOf(region, region.length);
        Chunk a = ChunkParser.parse(exact, 0, chunkLen);
        byte[] surrounded = new byte[region.length + 14];
        Arrays.fill(surrounded, (byte) 0x5A);
        System.arraycopy(region, 0, surrounded, 7, region.length);
        Chunk b = ChunkParser.parse(surrounded, 7, chunkLen);
        assertEquals(a == null, b == null);
        if (a != null) {
            assertArrayEquals(a.toBytes(), b.toBytes());
        }
    }

    @Test
    void everyPrefixOfEveryChunkIsSafe() {
        for (Chunk c : samples()) {
            byte[] b = c.toBytes();
            for (int len = Chunk.HEADER; len <= b.length; len++) {
                byte[] prefix = Arrays.copyOf(b, len);
                parseEverywhere(prefix, len);
                // A packet walk over the prefix, with the header claiming the full length.
                byte[] pkt = new byte[SctpPacket.COMMON_HEADER + len];
                System.arraycopy(prefix, 0, pkt, SctpPacket.COMMON_HEADER, len);
                SctpPacket.parse(pkt, 0, pkt.length);
            }
        }
    }

    @Test
    void randomMutationsAreSafe() {
        Random rnd = new Random(12345);
        for (Chunk c : samples()) {
            byte[] b = c.toBytes();
            for (int i = 0; i < 2000; i++) {
                byte[] m = b.clone();
                int flips = 1 + rnd.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                }
                int len = Bytes.u16(m, 2);
                if (len >= Chunk.HEADER && len <= m.length) {
                    parseEverywhere(m, len);
                }
                byte[] pkt = new byte[SctpPacket.COMMON_HEADER + m.length];
                System.arraycopy(m, 0, pkt, SctpPacket.COMMON_HEADER, m.length);
                SctpPacket.parse(pkt, 0, pkt.length);
            }
        }
    }

    @Test
    void randomBytesAreSafe() {
        Random rnd = new Random(777);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = new byte[4 + rnd.nextInt(200)];
            rnd.nextBytes(m);
            // Bias towards known types and plausible lengths so the parsers' insides get exercised.
            if (rnd.nextBoolean()) {
                int[] types = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 130, 192};
                m[0] = (byte) types[rnd.nextInt(types.length)];
                Bytes.put16(m, 2, Chunk.HEADER + rnd.nextInt(m.length - Chunk.HEADER + 1));
            }
            int len = Bytes.u16(m, 2);
            if (len >= Chunk.HEADER && len <= m.length) {
                parseEverywhere(m, len);
            }
            byte[] pkt = new byte[SctpPacket.COMMON_HEADER + m.length];
            System.arraycopy(m, 0, pkt, SctpPacket.COMMON_HEADER, m.length);
            SctpPacket.parse(pkt, 0, pkt.length);
        }
    }
}
