package dev.sfu.sctp;

import dev.sfu.sctp.chunk.Bytes;
import dev.sfu.sctp.chunk.Chunk;
import dev.sfu.sctp.chunk.ChunkParser;
import dev.sfu.sctp.chunk.ChunkType;
import dev.sfu.sctp.chunk.UnknownChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The SCTP common header (RFC 9260 §3.1) and the walk over a packet's chunks. The checksum is CRC32c
 * (RFC 9260 Appendix A, the same polynomial as iSCSI, RFC 3720) computed with the checksum field zeroed and
 * stored least significant byte first, as every SCTP implementation does on the wire.
 */
public final class SctpPacket {
    public static final int COMMON_HEADER = 12;

    public final int sourcePort;
    public final int destinationPort;
    public final int verificationTag;
    public final List<Chunk> chunks;
    /** Unknown chunks whose upper bits ask for an "Unrecognized Chunk Type" report. */
    public final List<UnknownChunk> toReport;
    /** Why the packet's chunks stop early, or null when all were read. */
    public final DropReason stoppedBy;
    /** Unknown chunks met, whether skipped or stopped at. */
    public final int unknownChunks;

    private SctpPacket(int sourcePort, int destinationPort, int verificationTag, List<Chunk> chunks,
            List<UnknownChunk> toReport, DropReason stoppedBy, int unknownChunks) {
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        this.verificationTag = verificationTag;
        this.chunks = chunks;
        this.toReport = toReport;
        this.stoppedBy = stoppedBy;
        this.unknownChunks = unknownChunks;
    }

    /** CRC32c of the packet with its checksum field taken as zero. */
    public static int checksum(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, 8);
        crc.update(ZEROS, 0, 4);
        crc.update(b, off + COMMON_HEADER, len - COMMON_HEADER);
        return (int) crc.getValue();
    }

    private static final byte[] ZEROS = new byte[4];

    /** Writes the checksum of the packet into its header, little-endian. */
    public static void writeChecksum(byte[] b, int off, int len) {
        int c = checksum(b, off, len);
        b[off + 8] = (byte) c;
        b[off + 9] = (byte) (c >>> 8);
        b[off + 10] = (byte) (c >>> 16);
        b[off + 11] = (byte) (c >>> 24);
    }

    public static int storedChecksum(byte[] b, int off) {
        return (b[off + 8] & 0xFF) | (b[off + 9] & 0xFF) << 8 | (b[off + 10] & 0xFF) << 16 | (b[off + 11] & 0xFF) << 24;
    }

    /** The verification tag of a packet of at least 12 bytes. */
    public static int verificationTag(byte[] b, int off) {
        return Bytes.i32(b, off + 4);
    }

    /**
     * Reads a packet whose length and checksum the caller has checked. Chunks are read until the end, a
     * truncated or malformed chunk, or an unknown chunk whose upper bits say stop; in the last cases the
     * chunks before it are kept and {@link #stoppedBy} tells why the rest was not read.
     */
    public static SctpPacket parse(byte[] b, int off, int len) {
        List<Chunk> chunks = new ArrayList<>(2);
        List<UnknownChunk> report = List.of();
        DropReason stopped = null;
        int unknown = 0;
        int p = off + COMMON_HEADER;
        int end = off + len;
        while (end - p >= Chunk.HEADER) {
            int clen = Bytes.u16(b, p + 2);
            if (clen < Chunk.HEADER || clen > end - p) {
                stopped = DropReason.TRUNCATED_CHUNK;
                break;
            }
            Chunk c = ChunkParser.parse(b, p, clen);
            if (c == null) {
                stopped = DropReason.MALFORMED_CHUNK;
                break;
            }
            if (c instanceof UnknownChunk u) {
                unknown++;
                if (ChunkType.reportUnknown(u.type())) {
                    if (report.isEmpty()) {
                        report = new ArrayList<>(1);
                    }
                    report.add(u);
                }
                if (!ChunkType.skipUnknown(u.type())) {
                    stopped = DropReason.UNKNOWN_CHUNK;
                    break;
                }
            } else {
                chunks.add(c);
            }
            p += Math.min(Bytes.pad4(clen), end - p);
        }
        if (stopped == null && p != end) {
            stopped = DropReason.TRUNCATED_CHUNK; // 1 to 3 stray bytes: not a chunk
        }
        return new SctpPacket(Bytes.u16(b, off), Bytes.u16(b, off + 2), Bytes.i32(b, off + 4), chunks, report, stopped,
                unknown);
    }

    /** Builds one outbound packet up to the MTU. */
    public static final class Builder {
        private final byte[] buf;
        private int pos = COMMON_HEADER;
        private int count;

        public Builder(int mtu, int sourcePort, int destinationPort, int verificationTag) {
            buf = new byte[mtu];
            Bytes.put16(buf, 0, sourcePort);
            Bytes.put16(buf, 2, destinationPort);
            Bytes.put32(buf, 4, verificationTag);
        }

        public int remaining() {
            return buf.length - pos;
        }

        public boolean isEmpty() {
            return count == 0;
        }

        /** Adds the chunk if it fits; false (and nothing written) when it does not. */
        public boolean add(Chunk c) {
            if (Bytes.pad4(c.length()) > remaining()) {
                return false;
            }
            pos += c.write(buf, pos);
            count++;
            return true;
        }

        public byte[] build() {
            byte[] out = java.util.Arrays.copyOf(buf, pos);
            writeChecksum(out, 0, pos);
            return out;
        }
    }
}
