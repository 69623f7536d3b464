package dev.sfu.rtp.codec;

/**
 * The AV1 RTP payload (RTP Payload Format For AV1, §4.4) as a router needs it: does this packet start a
 * keyframe? Its first byte is the aggregation header, then OBU elements, each prefixed by its LEB128 size
 * except the last one when W counts the elements.
 *
 * <pre>
 *  0 1 2 3 4 5 6 7
 * |Z|Y| W |N|-|-|-|   Z: the first element continues an OBU from the previous packet
 *                     Y: the last element continues in the next packet
 *                     W: number of OBU elements (0: every element carries its size)
 *                     N: first packet of a coded video sequence
 * </pre>
 * An OBU element that is not a continuation starts with an OBU header (AV1 bitstream §5.3.2):
 * {@code forbidden(1) obu_type(4) extension_flag(1) has_size_field(1) reserved(1)}.
 * All methods take the RTP payload's bounds and answer -1 or false for anything malformed or truncated.
 */
public final class Av1Payload {
    /** obu_type of a sequence header (AV1 bitstream §6.2.2), which a decoder needs before a keyframe. */
    public static final int OBU_SEQUENCE_HEADER = 1;
    private static final int MAX_LEB128_BYTES = 8;

    private Av1Payload() {
    }

    private static boolean fits(byte[] buf, int off, int len) {
        return buf != null && off >= 0 && len >= 2 && off <= buf.length - len;
    }

    /** Z: the first OBU element is the rest of an OBU begun in the previous packet. */
    public static boolean continuesObu(byte[] buf, int off, int len) {
        return fits(buf, off, len) && (buf[off] & 0x80) != 0;
    }

    /** Y: the last OBU element goes on in the next packet. */
    public static boolean continuesInNextPacket(byte[] buf, int off, int len) {
        return fits(buf, off, len) && (buf[off] & 0x40) != 0;
    }

    /** N: the first packet of a coded video sequence, which begins with a keyframe. */
    public static boolean startsCodedVideoSequence(byte[] buf, int off, int len) {
        return fits(buf, off, len) && (buf[off] & 0x08) != 0;
    }

    /** The number of OBU elements, counted by walking them, or -1 when the payload is malformed. */
    public static int obuElementCount(byte[] buf, int off, int len) {
        int walk = walk(buf, off, len);
        return walk < 0 ? -1 : walk >> 1;
    }

    /** Whether an OBU element of this packet starts a sequence header. False when malformed. */
    public static boolean containsSequenceHeader(byte[] buf, int off, int len) {
        int walk = walk(buf, off, len);
        return walk > 0 && (walk & 1) != 0;
    }

    /**
     * Whether this packet starts a keyframe: well-formed, and either N is set or it carries a sequence
     * header (senders put one before every keyframe, and N only on the first of a coded video sequence).
     */
    public static boolean isKeyframe(byte[] buf, int off, int len) {
        int walk = walk(buf, off, len);
        return walk > 0 && ((walk & 1) != 0 || (buf[off] & 0x08) != 0);
    }

    /**
     * Walks the OBU elements once, checking each lies inside the payload.
     *
     * @return {@code (elements << 1) | (sequence header seen ? 1 : 0)}, or -1 when malformed: a size that
     *     is unterminated or runs past the end, an empty element, fewer elements than W, or an OBU header
     *     with its forbidden bit set
     */
    private static int walk(byte[] buf, int off, int len) {
        if (!fits(buf, off, len)) {
            return -1;
        }
        int header = buf[off] & 0xff;
        int w = (header >> 4) & 0x03;
        boolean z = (header & 0x80) != 0;
        int end = off + len;
        int at = off + 1;
        int elements = 0;
        boolean sequenceHeader = false;
        while (at < end) {
            boolean last = w != 0 && elements == w - 1;
            long size;
            if (last) {
                size = end - at;
            } else {
                size = 0;
                int i = 0;
                while (true) {
                    if (i == MAX_LEB128_BYTES || at >= end) {
                        return -1;
                    }
                    int b = buf[at++] & 0xff;
                    size |= (long) (b & 0x7f) << (7 * i++);
                    if ((b & 0x80) == 0) {
                        break;
                    }
                }
            }
            if (size == 0 || size > end - at) {
                return -1;
            }
            if (!(elements == 0 && z)) {
                int obuHeader = buf[at] & 0xff;
                if ((obuHeader & 0x80) != 0) {
                    return -1;
                }
                if (((obuHeader >> 3) & 0x0f) == OBU_SEQUENCE_HEADER) {
                    sequenceHeader = true;
                }
            }
            at += (int) size;
            elements++;
            if (last) {
                break;
            }
        }
        if (elements == 0 || (w != 0 && elements != w)) {
            return -1;
        }
        return (elements << 1) | (sequenceHeader ? 1 : 0);
    }
}
