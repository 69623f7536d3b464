package dev.sfu.sctp;

import dev.sfu.sctp.chunk.Chunk;
import java.util.function.UnaryOperator;

/** Test helpers to look into and rewrite packets on the virtual link. */
final class Packets {
    private Packets() {}

    static SctpPacket parse(byte[] p) {
        return SctpPacket.parse(p, 0, p.length);
    }

    /** The packet with each chunk mapped (null drops it), same header, new checksum. */
    static byte[] rewrite(byte[] p, UnaryOperator<Chunk> f) {
        SctpPacket in = parse(p);
        SctpPacket.Builder b = new SctpPacket.Builder(65_535, in.sourcePort, in.destinationPort, in.verificationTag);
        for (Chunk c : in.chunks) {
            Chunk m = f.apply(c);
            if (m != null) {
                b.add(m);
            }
        }
        return b.build();
    }

    static boolean has(byte[] p, int chunkType) {
        for (Chunk c : parse(p).chunks) {
            if (c.type() == chunkType) {
                return true;
            }
        }
        return false;
    }

    static byte[] packet(int srcPort, int dstPort, int tag, Chunk... chunks) {
        SctpPacket.Builder b = new SctpPacket.Builder(65_535, srcPort, dstPort, tag);
        for (Chunk c : chunks) {
            b.add(c);
        }
        return b.build();
    }
}
