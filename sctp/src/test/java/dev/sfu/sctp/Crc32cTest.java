package dev.sfu.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.sctp.chunk.ChunkType;
import dev.sfu.sctp.chunk.InitChunk;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** CRC32c (RFC 9260 Appendix A) against RFC 3720 §B.4, and its little-endian place in the SCTP header. */
class Crc32cTest {
    private static long crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return c.getValue();
    }

    @Test
    void rfc3720AppendixB4Vectors() {
        byte[] zeros = new byte[32];
        byte[] ones = new byte[32];
        byte[] inc = new byte[32];
        byte[] dec = new byte[32];
        for (int i = 0; i < 32; i++) {
            ones[i] = (byte) 0xFF;
            inc[i] = (byte) i;
            dec[i] = (byte) (31 - i);
        }
        // RFC 3720 prints the CRC bytes in transmission order (least significant first): aa 36 91 8a etc.
        assertEquals(0x8A9136AAL, crc(zeros));
        assertEquals(0x62A8AB43L, crc(ones));
        assertEquals(0x46DD794EL, crc(inc));
        assertEquals(0x113FDB5CL, crc(dec));
        byte[] iscsiRead = HexFormat.of().parseHex(
                "01c00000000000000000000000000000" + "14000000000004000000001400000018"
                        + "28000000000000000200000000000000");
        assertEquals(0xD9963A56L, crc(iscsiRead));
    }

    /** A header-only packet and an INIT from Chrome (as in Pion's tests): the checksum sits little-endian. */
    @Test
    void checksumOfKnownSctpPackets() {
        byte[] headerOnly = HexFormat.of().parseHex("138813880000000006a900e1");
        assertEquals(0xE100A906, SctpPacket.checksum(headerOnly, 0, headerOnly.length));
        assertEquals(0xE100A906, SctpPacket.storedChecksum(headerOnly, 0));

        byte[] init = chromeInit();
        assertEquals(SctpPacket.storedChecksum(init, 0), SctpPacket.checksum(init, 0, init.length));
        byte[] rewritten = init.clone();
        rewritten[8] = rewritten[9] = rewritten[10] = rewritten[11] = 0;
        SctpPacket.writeChecksum(rewritten, 0, rewritten.length);
        assertEquals((byte) 0x81, rewritten[8]);
        assertEquals((byte) 0x46, rewritten[9]);
        assertEquals((byte) 0x9d, rewritten[10]);
        assertEquals((byte) 0xfc, rewritten[11]);
    }

    @Test
    void chromeInitParses() {
        byte[] b = chromeInit();
        SctpPacket p = SctpPacket.parse(b, 0, b.length);
        assertEquals(5000, p.sourcePort);
        assertEquals(1, p.chunks.size());
        InitChunk init = (InitChunk) p.chunks.get(0);
        assertEquals(0x55b964a5, init.initiateTag);
        assertEquals(131_072, init.aRwnd);
        assertEquals(1024, init.outboundStreams);
        assertEquals(2048, init.inboundStreams);
        assertTrue(init.forwardTsnSupported);
        assertTrue(init.supports(ChunkType.RE_CONFIG));
        assertTrue(init.supports(ChunkType.FORWARD_TSN));
    }

    static byte[] chromeInit() {
        return HexFormat.of().parseHex("1388138800000000" + "81469dfc" + "01000056" + "55b964a5000200000400080"
                + "0e86d1030c00000048008000" + "9c00fc1808200000080020024"
                + "9febbb5c50c9bf759cb12c574fa45a51ba60177827945c31e65d5b0947e222068004000600010000800300068"
                + "0c10000");
    }
}
