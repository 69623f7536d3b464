package dev.sfu.rtp.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RR, report blocks, SDES, BYE, APP, FIR and REMB against packets written out by hand from the RFC figures. */
class RtcpPacketsTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 3550 §6.4.2: an RR from 0x11111111 with one report block on 0x22222222. */
    static final String RR = "81c90007" + "11111111"
            + "22222222"      // SSRC_1
            + "05" + "fffffe" // fraction lost 5/256, cumulative lost -2 (24-bit signed: duplicates)
            + "00010203"      // extended highest sequence: 1 cycle, seq 0x0203
            + "00000010"      // jitter 16
            + "aabbccdd"      // LSR
            + "00010000";     // DLSR: 1 s in 1/65536 s

    private final RtcpCompoundIterator it = new RtcpCompoundIterator();

    @Test
    void writesAndReadsAReceiverReport() {
        byte[] buf = new byte[64];
        assertEquals(8, ReceiverReport.write(buf, 0, 0x11111111));
        int n = ReportBlock.append(buf, 0, 0x22222222, 5, -2, 0x00010203, 16, 0xaabbccdd, 0x10000);
        assertEquals(32, n);
        assertEquals(RR, HEX.formatHex(buf, 0, n));

        byte[] rr = HEX.parseHex(RR);
        it.reset(rr, 0, rr.length);
        assertTrue(it.next());
        assertTrue(ReceiverReport.is(it));
        assertEquals(0x11111111, ReceiverReport.senderSsrc(rr, 0, rr.length));
        assertEquals(1, ReportBlock.count(rr, 0, rr.length));
        int block = ReportBlock.offset(rr, 0, rr.length, 0);
        assertEquals(8, block);
        assertEquals(0x22222222, ReportBlock.ssrc(rr, block));
        assertEquals(5, ReportBlock.fractionLost(rr, block));
        assertEquals(-2, ReportBlock.cumulativeLost(rr, block));
        assertEquals(0x00010203, ReportBlock.extendedHighestSequence(rr, block));
        assertEquals(16, ReportBlock.jitter(rr, block));
        assertEquals(0xaabbccdd, ReportBlock.lastSr(rr, block));
        assertEquals(0x10000, ReportBlock.delaySinceLastSr(rr, block));
        assertEquals(-1, ReportBlock.offset(rr, 0, rr.length, 1));
        assertEquals(-1, ReportBlock.count(rr, 0, rr.length - 4), "block cut off");
    }

    @Test
    void sharesReportBlocksWithTheSenderReport() {
        byte[] buf = new byte[128];
        SenderReport.write(buf, 0, 0x11111111, 0x0102030405060708L, 9, 10, 11);
        assertEquals(52, ReportBlock.append(buf, 0, 0x22222222, 255, 0x7fffff + 5, 1, 2, 3, 4));
        assertEquals(76, ReportBlock.append(buf, 0, 0x33333333, 0, -0x900000, 1, 2, 3, 4));
        assertEquals("82c80012", HEX.formatHex(buf, 0, 4));
        assertEquals("22222222" + "ff7fffff", HEX.formatHex(buf, 28, 36), "cumulative lost clamped to +0x7fffff");
        assertEquals(2, ReportBlock.count(buf, 0, 76));
        int second = ReportBlock.offset(buf, 0, 76, 1);
        assertEquals(52, second);
        assertEquals(0x33333333, ReportBlock.ssrc(buf, second));
        assertEquals(-0x800000, ReportBlock.cumulativeLost(buf, second));
        assertEquals(0x0102030405060708L, SenderReport.ntpTimestamp(buf, 0));
        assertEquals(100, ReportBlock.append(buf, 0, 1, 0, 0, 0, 0, 0, 0));
        assertEquals(124, ReportBlock.append(buf, 0, 1, 0, 0, 0, 0, 0, 0));
        assertEquals(-1, ReportBlock.append(buf, 0, 1, 0, 0, 0, 0, 0, 0), "148 bytes: no room in 128");
        assertEquals(4, ReportBlock.count(buf, 0, 124), "unchanged by the refusal");
        assertEquals(-1, ReportBlock.append(new byte[12], 0, 1, 0, 0, 0, 0, 0, 0), "no room");
        byte[] pli = new byte[40];
        Pli.write(pli, 0, 1, 2);
        assertEquals(-1, ReportBlock.append(pli, 0, 1, 0, 0, 0, 0, 0, 0), "a PLI has no report blocks");
    }

    @Test
    void writesAndReadsSdesCnames() {
        byte[] buf = new byte[64];
        int n = Sdes.writeCname(buf, 0, 0x11111111, "user@host".getBytes(StandardCharsets.US_ASCII));
        assertEquals("81ca0004" + "11111111" + "0109" + "7573657240686f7374" + "00", HEX.formatHex(buf, 0, n));
        // The receiver's compound of the iterator test: CNAME "ab", the null item, three bytes of padding.
        assertEquals(16, Sdes.writeCname(buf, 0, 0x11111111, new byte[] {'a', 'b'}));
        assertEquals(HEX.formatHex(RtcpCompoundIteratorTest.COMPOUND, 8, 24), HEX.formatHex(buf, 0, 16));
    }

    @Test
    void readsEveryChunkAndItem() {
        byte[] sdes = HEX.parseHex("82ca0007"
                + "11111111" + "01026162" + "00000000"                  // CNAME "ab", end, padding
                + "22222222" + "020178" + "0103787979" + "00" + "000000"); // NAME "x", CNAME "xyy", end, padding
        Sdes.Reader reader = new Sdes.Reader();
        assertTrue(reader.reset(sdes, 0, sdes.length));
        assertTrue(reader.nextChunk());
        assertEquals(0x11111111, reader.ssrc());
        assertTrue(reader.nextItem());
        assertEquals(Sdes.CNAME, reader.itemType());
        assertEquals("ab", new String(sdes, reader.itemOffset(), reader.itemLength(), StandardCharsets.US_ASCII));
        assertFalse(reader.nextItem());
        assertTrue(reader.nextChunk());
        assertEquals(0x22222222, reader.ssrc());
        assertTrue(reader.nextItem());
        assertEquals(Sdes.NAME, reader.itemType());
        assertEquals(1, reader.itemLength());
        assertTrue(reader.nextItem());
        assertEquals(Sdes.CNAME, reader.itemType());
        assertEquals("xyy", new String(sdes, reader.itemOffset(), reader.itemLength(), StandardCharsets.US_ASCII));
        assertFalse(reader.nextItem());
        assertFalse(reader.nextChunk());

        // Appending a second chunk to a written packet gives the same bytes.
        byte[] buf = new byte[64];
        Sdes.writeCname(buf, 0, 0x11111111, new byte[] {'a', 'b'});
        byte[] xyy = {'x', 'y', 'y'};
        int n = Sdes.appendChunk(buf, 0, 0x22222222, Sdes.CNAME, xyy, 0, 3);
        assertEquals(28, n);
        assertEquals("82ca0006", HEX.formatHex(buf, 0, 4));
        assertEquals("22222222" + "0103787979" + "000000", HEX.formatHex(buf, 16, 28));

        // Malformed: an item running past the end, no null item, SC promising more chunks than there are.
        byte[] noEnd = HEX.parseHex("81ca0002" + "11111111" + "01026162");
        assertTrue(reader.reset(noEnd, 0, noEnd.length));
        assertFalse(reader.nextChunk());
        byte[] longItem = HEX.parseHex("81ca0002" + "11111111" + "01096162");
        assertTrue(reader.reset(longItem, 0, longItem.length));
        assertFalse(reader.nextChunk());
        byte[] missing = sdes.clone();
        missing[0] = (byte) 0x83;
        assertTrue(reader.reset(missing, 0, missing.length));
        assertTrue(reader.nextChunk());
        assertTrue(reader.nextChunk());
        assertFalse(reader.nextChunk());
        assertFalse(reader.reset(RtcpCompoundIteratorTest.COMPOUND, 0, 8), "an RR");
    }

    @Test
    void writesAndReadsBye() {
        byte[] buf = new byte[64];
        byte[] reason = "bye".getBytes(StandardCharsets.US_ASCII);
        int n = Bye.write(buf, 0, new int[] {0x11111111, 0x22222222}, 2, reason, 0, 3);
        assertEquals("82cb0003" + "11111111" + "22222222" + "03" + "627965", HEX.formatHex(buf, 0, n));
        assertEquals(2, Bye.sourceCount(buf, 0, n));
        assertEquals(0x22222222, Bye.ssrc(buf, 0, 1));
        assertEquals(13, Bye.reasonOffset(buf, 0, n));
        assertEquals(3, Bye.reasonLength(buf, 0, n));

        n = Bye.write(buf, 0, new int[] {0x11111111}, 1, null, 0, 0);
        assertEquals("81cb0001" + "11111111", HEX.formatHex(buf, 0, n));
        assertEquals(1, Bye.sourceCount(buf, 0, n));
        assertEquals(-1, Bye.reasonOffset(buf, 0, n));
        assertEquals(-1, Bye.reasonLength(buf, 0, n));

        byte[] longReason = HEX.parseHex("81cb0002" + "11111111" + "09616263"); // says 9, has 3
        assertEquals(1, Bye.sourceCount(longReason, 0, longReason.length));
        assertEquals(-1, Bye.reasonLength(longReason, 0, longReason.length));
        byte[] tooMany = HEX.parseHex("85cb0001" + "11111111");
        assertEquals(-1, Bye.sourceCount(tooMany, 0, tooMany.length));
        assertEquals(-1, Bye.write(new byte[8], 0, new int[] {1, 2}, 2, reason, 0, 3), "no room");
    }

    @Test
    void passesAppThrough() {
        byte[] buf = new byte[64];
        int n = App.write(buf, 0, 3, 0x11111111, 0x54455354, new byte[] {1, 2, 3, 4}, 0, 4);
        assertEquals("83cc0003" + "11111111" + "54455354" + "01020304", HEX.formatHex(buf, 0, n));
        assertEquals(3, App.subtype(buf, 0, n));
        assertEquals(0x11111111, App.ssrc(buf, 0, n));
        assertEquals(0x54455354, App.name(buf, 0, n)); // "TEST"
        assertEquals(12, App.dataOffset(buf, 0, n));
        assertEquals(4, App.dataLength(buf, 0, n));
        byte[] padded = HEX.parseHex("a3cc0003" + "11111111" + "54455354" + "ab000003"); // P: 3 bytes of padding
        assertEquals(1, App.dataLength(padded, 0, padded.length));
        padded[15] = 9;
        assertEquals(-1, App.dataLength(padded, 0, padded.length), "padding longer than the data");
        assertEquals(-1, App.write(buf, 0, 3, 1, 2, new byte[3], 0, 3), "data not a multiple of 4");
        assertEquals(-1, App.name(buf, 0, 8));
    }

    @Test
    void writesAndReadsFir() {
        byte[] buf = new byte[64];
        int n = Fir.write(buf, 0, 0x11111111, new int[] {0x33333333, 0x44444444}, new int[] {7, 256 + 8}, 2);
        assertEquals("84ce0006" + "11111111" + "00000000" + "33333333" + "07000000" + "44444444" + "08000000",
                HEX.formatHex(buf, 0, n));
        assertEquals(2, Fir.entries(buf, 0, n));
        assertEquals(0x44444444, Fir.ssrc(buf, 0, 1));
        assertEquals(8, Fir.sequenceNumber(buf, 0, 1));
        it.reset(buf, 0, n);
        assertTrue(it.next());
        assertTrue(Fir.is(it));
        assertTrue(it.isKeyframeRequest());
        assertEquals(0x33333333, it.keyframeSsrc());
        assertEquals(-1, Fir.entries(buf, 0, 12), "no entry");
        Pli.write(buf, 0, 1, 2);
        assertEquals(-1, Fir.entries(buf, 0, 12));
    }

    @Test
    void writesAndReadsRemb() {
        byte[] buf = new byte[64];
        // 1 Mbps: 1,000,000 needs 20 bits, so exp 2 and mantissa 250,000 (0x3d090), exact.
        int n = Remb.write(buf, 0, 0x11111111, 1_000_000, new int[] {0x22222222}, 1);
        assertEquals("8fce0005" + "11111111" + "00000000" + "52454d42" + "01" + "0bd090" + "22222222",
                HEX.formatHex(buf, 0, n));
        assertTrue(Remb.is(buf, 0, n));
        assertEquals(1, Remb.ssrcCount(buf, 0, n));
        assertEquals(0x22222222, Remb.ssrc(buf, 0, 0));
        assertEquals(1_000_000, Remb.bitrate(buf, 0, n));
        it.reset(buf, 0, n);
        assertTrue(it.next());
        assertTrue(Remb.is(it));
        assertFalse(it.isKeyframeRequest());

        // Rounded down, by less than 2^-17, never up.
        for (long bps : new long[] {0, 1, 262_143, 262_144, 262_145, 1_000_001, 2_500_000_000L, Long.MAX_VALUE}) {
            n = Remb.write(buf, 0, 1, bps, new int[0], 0);
            long back = Remb.bitrate(buf, 0, n);
            assertTrue(back <= bps && bps - back <= bps >> 17, bps + " -> " + back);
        }
        byte[] huge = HEX.parseHex("8fce0004" + "11111111" + "00000000" + "52454d42" + "00" + "fc0001");
        assertEquals(Long.MAX_VALUE, Remb.bitrate(huge, 0, huge.length), "1 << 63 saturates");
        byte[] notRemb = huge.clone();
        notRemb[15] = 'X';
        assertEquals(-1, Remb.bitrate(notRemb, 0, notRemb.length));
        byte[] missingSsrcs = HEX.parseHex("8fce0004" + "11111111" + "00000000" + "52454d42" + "02" + "0bd090");
        assertEquals(-1, Remb.ssrcCount(missingSsrcs, 0, missingSsrcs.length));
        assertEquals(-1, Remb.write(buf, 0, 1, -5, new int[0], 0));
    }

    /** RFC 5506: a reduced-size compound starts with feedback, not an SR or RR. */
    @Test
    void acceptsReducedSizeRtcp() {
        byte[] buf = new byte[128];
        int n = Pli.write(buf, 0, 0x11111111, 0x22222222);
        n += Remb.write(buf, n, 0x11111111, 500_000, new int[] {0x22222222}, 1);
        n += GenericNack.write(buf, n, 0x11111111, 0x22222222, new int[] {5}, 1);
        it.reset(buf, 0, n);
        assertTrue(it.next());
        assertTrue(it.isKeyframeRequest());
        assertTrue(it.next());
        assertTrue(Remb.is(it));
        assertTrue(it.next());
        assertTrue(GenericNack.is(it));
        assertFalse(it.next());
        byte[] single = HEX.parseHex("81ce0002" + "11111111" + "22222222"); // one PLI alone
        it.reset(single, 0, single.length);
        assertTrue(it.next());
        assertEquals(0x22222222, it.keyframeSsrc());
        assertFalse(it.next());
    }
}
