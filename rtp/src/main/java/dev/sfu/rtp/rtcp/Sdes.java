package dev.sfu.rtp.rtcp;

/**
 * Source description (RFC 3550 §6.5): chunks, each an SSRC and a list of items; every compound packet
 * carries at least the CNAME, which ties a participant's SSRCs together (for lip sync) across restarts.
 *
 * <pre>
 * |V=2|P|    SC   |  PT=SDES=202  |             length            |
 * |                          SSRC/CSRC_1                          |  chunk 1
 * |    CNAME=1    |     length    | user and domain name        ...
 * |  ... 0 (end)  |  0 padding to the next 32-bit boundary        |
 * </pre>
 * Read with a reusable {@link Reader}, built with {@link #write} and {@link #appendChunk}.
 */
public final class Sdes {
    public static final int HEADER_LENGTH = 4;
    /** Item types (RFC 3550 §6.5.1..8). */
    public static final int END = 0;
    public static final int CNAME = 1;
    public static final int NAME = 2;
    public static final int TOOL = 6;
    public static final int PRIV = 8;

    private Sdes() {
    }

    /** Writes an SDES header without chunks (SC = 0); returns 4, or -1 when it does not fit. */
    public static int write(byte[] buf, int off) {
        if (!RtcpHeader.room(buf, off, HEADER_LENGTH)) {
            return -1;
        }
        RtcpHeader.write(buf, off, 0, RtcpPacketType.SDES, HEADER_LENGTH);
        return HEADER_LENGTH;
    }

    /**
     * Appends a chunk with one item ({@code itemType}, {@code valueLength} bytes, at most 255) to the SDES
     * packet at {@code packetOff}, then the null item and zero padding to a 32-bit boundary.
     *
     * @return the packet's new length, or -1 when it is no SDES packet, has 31 chunks, or does not fit
     */
    public static int appendChunk(byte[] buf, int packetOff, int ssrc, int itemType, byte[] value, int valueOff,
            int valueLength) {
        if (!RtcpHeader.room(buf, packetOff, HEADER_LENGTH) || (buf[packetOff + 1] & 0xff) != RtcpPacketType.SDES
                || itemType < 1 || itemType > 255 || value == null || valueLength < 0 || valueLength > 255
                || !RtcpHeader.room(value, valueOff, valueLength)) {
            return -1;
        }
        int length = RtcpHeader.length(buf, packetOff);
        int count = buf[packetOff] & 0x1f;
        int chunk = (4 + 2 + valueLength + 1 + 3) & ~3;
        if (count >= 31 || !RtcpHeader.room(buf, packetOff, length + chunk)) {
            return -1;
        }
        int at = packetOff + length;
        RtcpCompoundIterator.writeInt(buf, at, ssrc);
        buf[at + 4] = (byte) itemType;
        buf[at + 5] = (byte) valueLength;
        System.arraycopy(value, valueOff, buf, at + 6, valueLength);
        java.util.Arrays.fill(buf, at + 6 + valueLength, at + chunk, (byte) 0);
        buf[packetOff] = (byte) ((buf[packetOff] & 0xe0) | (count + 1));
        RtcpHeader.setLength(buf, packetOff, length + chunk);
        return length + chunk;
    }

    /** Writes an SDES packet with one chunk: {@code ssrc}'s CNAME. Returns its length, or -1. */
    public static int writeCname(byte[] buf, int off, int ssrc, byte[] cname) {
        return write(buf, off) < 0 ? -1 : appendChunk(buf, off, ssrc, CNAME, cname, 0, cname == null ? 0 : cname.length);
    }

    /**
     * Walks the chunks of one SDES packet and the items of each, in place. A chunk is checked whole before
     * {@link #nextChunk()} answers true: its items inside the packet and ended by a null item.
     */
    public static final class Reader {
        private byte[] buffer;
        private int packetOffset;
        private int end;
        private int chunksLeft;
        private int next;
        private int ssrc;
        private int itemAt;
        private int itemsEnd;
        private int itemOffset;
        private int itemLength;
        private int itemType;

        /** Starts reading the SDES packet at {@code off}; false (and no chunks) when it is none. */
        public boolean reset(byte[] buf, int off, int len) {
            buffer = buf;
            chunksLeft = 0;
            itemAt = 0;
            itemsEnd = 0;
            if (!RtcpHeader.is(buf, off, len, RtcpPacketType.SDES, HEADER_LENGTH)) {
                return false;
            }
            int padding = RtcpHeader.padding(buf, off, len, HEADER_LENGTH);
            if (padding < 0) {
                return false;
            }
            packetOffset = off;
            end = off + len - padding;
            next = off + HEADER_LENGTH;
            chunksLeft = buf[off] & 0x1f;
            return true;
        }

        /** Moves to the next chunk; false after the last (SC) one or at a malformed one. */
        public boolean nextChunk() {
            itemAt = 0;
            itemsEnd = 0;
            if (chunksLeft == 0 || next + 4 > end) {
                chunksLeft = 0;
                return false;
            }
            int at = next + 4;
            while (true) {
                if (at >= end) {
                    chunksLeft = 0; // no null item before the end
                    return false;
                }
                if (buffer[at] == END) {
                    break;
                }
                if (at + 2 > end || at + 2 + (buffer[at + 1] & 0xff) > end) {
                    chunksLeft = 0;
                    return false;
                }
                at += 2 + (buffer[at + 1] & 0xff);
            }
            int chunkEnd = packetOffset + ((at + 1 - packetOffset + 3) & ~3);
            if (chunkEnd > end) {
                chunksLeft = 0;
                return false;
            }
            ssrc = RtcpCompoundIterator.readInt(buffer, next);
            itemAt = next + 4;
            itemsEnd = at;
            next = chunkEnd;
            chunksLeft--;
            return true;
        }

        /** The SSRC or CSRC the current chunk describes. */
        public int ssrc() {
            return ssrc;
        }

        /** Moves to the current chunk's next item; false after the last. */
        public boolean nextItem() {
            if (itemAt >= itemsEnd) {
                return false;
            }
            itemType = buffer[itemAt] & 0xff;
            itemLength = buffer[itemAt + 1] & 0xff;
            itemOffset = itemAt + 2;
            itemAt = itemOffset + itemLength;
            return true;
        }

        public int itemType() {
            return itemType;
        }

        /** Absolute index of the current item's value (UTF-8 text for all but PRIV). */
        public int itemOffset() {
            return itemOffset;
        }

        public int itemLength() {
            return itemLength;
        }
    }
}
