package dev.sfu.rtp.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtcpCompoundIteratorTest {
    /** RR (no report blocks) + SDES (one chunk, CNAME "ab") + PLI, as a receiver sends them (RFC 3550, 4585). */
    static final byte[] COMPOUND = HexFormat.of().parseHex(
            "80c90001" + "11111111"                            // RR, RC=0, length 1
            + "81ca0003" + "11111111" + "01026162" + "00000000" // SDES, one chunk: CNAME "ab", end
            + "81ce0002" + "11111111" + "22222222");            // PLI for media SSRC 0x22222222

    private final RtcpCompoundIterator it = new RtcpCompoundIterator();

    @Test
    void walksEveryPacketOfACompound() {
        it.reset(COMPOUND, 0, COMPOUND.length);
        assertTrue(it.next());
        assertEquals(RtcpPacketType.RR, it.packetType());
        assertEquals(0x11111111, it.senderSsrc());
        assertTrue(it.next());
        assertEquals(RtcpPacketType.SDES, it.packetType());
        assertEquals(16, it.packetLength());
        assertTrue(it.next());
        assertTrue(it.isKeyframeRequest());
        assertEquals(0x22222222, it.keyframeSsrc());
        assertFalse(it.next());
    }

    @Test
    void buildsAPliByteForByte() {
        byte[] out = new byte[12];
        assertEquals(12, Pli.write(out, 0, 0x11111111, 0x22222222));
        assertEquals(HexFormat.of().formatHex(COMPOUND, 24, 36), HexFormat.of().formatHex(out));
    }

    @Test
    void writesAndReadsASenderReport() {
        byte[] sr = new byte[SenderReport.LENGTH];
        assertEquals(28, SenderReport.write(sr, 0, 0x01020304, 0xE1F00000_80000000L, 0x11223344, 7, 1000));
        assertEquals("80c8000601020304e1f000008000000011223344000000070000" + "03e8", HexFormat.of().formatHex(sr));
        it.reset(sr, 0, sr.length);
        assertTrue(it.next());
        assertTrue(SenderReport.is(it));
        assertEquals(0xE1F00000_80000000L, SenderReport.ntpTimestamp(sr, 0));
        assertEquals(0x11223344, SenderReport.rtpTimestamp(sr, 0));
        assertEquals(7, SenderReport.packetCount(sr, 0));
        assertEquals(1000, SenderReport.octetCount(sr, 0));
    }

    @Test
    void writesAndExpandsGenericNacks() {
        byte[] nack = new byte[64];
        // 65534, 65535 and 3 (across the wrap, within 17 of 65534), then 100.
        int n = GenericNack.write(nack, 0, 0x11111111, 0x22222222, new int[] {65534, 65535, 3, 100}, 4);
        assertEquals("81cd0004" + "11111111" + "22222222" + "fffe" + "0011" + "0064" + "0000",
                HexFormat.of().formatHex(nack, 0, n));
        it.reset(nack, 0, n);
        assertTrue(it.next());
        assertTrue(GenericNack.is(it));
        assertEquals(2, GenericNack.entries(it.packetLength()));
        assertEquals(65534, GenericNack.pid(nack, 0, 0));
        assertEquals(0x0011, GenericNack.blp(nack, 0, 0)); // +1 (65535) and +5 (3)
        assertEquals(100, GenericNack.pid(nack, 0, 1));
    }

    @Test
    void readsTheSsrcOfAFir() {
        byte[] fir = HexFormat.of().parseHex("84ce0004" + "11111111" + "00000000" + "33333333" + "07000000");
        it.reset(fir, 0, fir.length);
        assertTrue(it.next());
        assertTrue(it.isKeyframeRequest());
        assertEquals(0x33333333, it.keyframeSsrc());
    }

    @Test
    void stopsAtMalformedOrTruncatedPackets() {
        for (int len = 0; len < COMPOUND.length; len++) {
            it.reset(COMPOUND, 0, len);
            int n = 0;
            while (it.next()) {
                assertTrue(it.packetOffset() + it.packetLength() <= len);
                n++;
            }
            assertTrue(n <= 3);
        }
        Random random = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            byte[] b = new byte[random.nextInt(80)];
            random.nextBytes(b);
            if (b.length > 0) {
                b[0] = (byte) (0x80 | (b[0] & 0x3f));
            }
            it.reset(b, 0, b.length);
            while (it.next()) {
                assertTrue(it.packetOffset() + it.packetLength() <= b.length);
                it.senderSsrc();
                it.mediaSsrc();
                if (it.isKeyframeRequest()) {
                    it.keyframeSsrc();
                }
            }
        }
        it.reset(null, 0, 10);
        assertFalse(it.next());
    }
}
