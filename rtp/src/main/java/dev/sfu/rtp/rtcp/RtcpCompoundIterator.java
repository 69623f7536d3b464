package dev.sfu.rtp.rtcp;

/**
 * Walks the packets of a compound RTCP packet (RFC 3550 §6.1) in place. Reduced-size RTCP (RFC 5506),
 * one or more packets that need not start with an SR or RR, is walked the same way: the iterator never
 * requires the first packet to be a report. Iteration stops at the first malformed header.
 *
 * <pre>
 * |V=2|P|  RC/FMT |      PT       |             length            |
 * |                  SSRC of packet sender                        |
 * |                  SSRC of media source (feedback only)         |
 * </pre>
 */
public final class RtcpCompoundIterator {
    private byte[] buffer;
    private int next;
    private int end;
    private int packetOffset;
    private int packetLength;

    /** Starts iterating a compound packet. */
    public RtcpCompoundIterator reset(byte[] buffer, int offset, int length) {
        this.buffer = buffer;
        boolean valid = buffer != null && offset >= 0 && length >= 0 && offset <= buffer.length - length;
        this.next = valid ? offset : 0;
        this.end = valid ? offset + length : 0;
        this.packetOffset = -1;
        this.packetLength = 0;
        return this;
    }

    /** Moves to the next packet; false at the end or at a malformed packet. */
    public boolean next() {
        if (next + 4 > end) {
            return false;
        }
        if ((buffer[next] & 0xc0) != 0x80) {
            next = end;
            return false;
        }
        int len = 4 * (((buffer[next + 2] & 0xff) << 8 | (buffer[next + 3] & 0xff)) + 1);
        if (next + len > end) {
            next = end;
            return false;
        }
        packetOffset = next;
        packetLength = len;
        next += len;
        return true;
    }

    /** The buffer being iterated, for the packet classes' readers. */
    public byte[] buffer() {
        return buffer;
    }

    public int packetOffset() {
        return packetOffset;
    }

    public int packetLength() {
        return packetLength;
    }

    public int packetType() {
        return buffer[packetOffset + 1] & 0xff;
    }

    /** Reception report count, SDES source count, or feedback message type (FMT). */
    public int countOrFormat() {
        return buffer[packetOffset] & 0x1f;
    }

    /** The packet sender's SSRC, or 0 for a packet too short to carry one. */
    public int senderSsrc() {
        return packetLength >= 8 ? readInt(buffer, packetOffset + 4) : 0;
    }

    /** The media source SSRC of a feedback packet (RFC 4585 §6.1), or 0. */
    public int mediaSsrc() {
        return packetLength >= 12 ? readInt(buffer, packetOffset + 8) : 0;
    }

    /** PLI (RFC 4585) or FIR (RFC 5104 §4.3.1): a receiver wants a keyframe of {@link #keyframeSsrc()}. */
    public boolean isKeyframeRequest() {
        if (packetType() != RtcpPacketType.PSFB) {
            return false;
        }
        int fmt = countOrFormat();
        return (fmt == Pli.FMT && packetLength >= 12) || (fmt == Fir.FMT && packetLength >= 20);
    }

    /** The SSRC whose keyframe a PLI or FIR asks for (FIR names it in its FCI, not its header). */
    public int keyframeSsrc() {
        if (countOrFormat() == Fir.FMT) {
            return packetLength >= 16 ? readInt(buffer, packetOffset + 12) : 0;
        }
        return mediaSsrc();
    }

    public static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    public static void writeInt(byte[] b, int at, int value) {
        b[at] = (byte) (value >> 24);
        b[at + 1] = (byte) (value >> 16);
        b[at + 2] = (byte) (value >> 8);
        b[at + 3] = (byte) value;
    }
}
