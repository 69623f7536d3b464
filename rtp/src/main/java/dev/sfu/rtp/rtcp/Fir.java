package dev.sfu.rtp.rtcp;

/**
 * Full Intra Request (RFC 5104 §4.3.1): a payload-specific feedback message (PT 206, FMT 4) asking each
 * named media sender for a decoder refresh point. Unlike PLI, the target SSRCs are in the FCI (the media
 * source field SHALL be 0), and a sequence number tells a repeated request from a new one.
 *
 * <pre>
 * |V=2|P|  FMT=4  |    PT=206     |             length            |
 * |                  SSRC of packet sender                        |
 * |                  SSRC of media source (0)                     |
 * |                              SSRC                             |  FCI entry
 * | Seq nr.       |    Reserved                                   |  (one or more)
 * </pre>
 */
public final class Fir {
    public static final int FMT = 4;
    public static final int HEADER_LENGTH = 12;
    public static final int ENTRY_LENGTH = 8;

    private Fir() {
    }

    /** Whether the iterator's current packet is a FIR with at least one entry. */
    public static boolean is(RtcpCompoundIterator it) {
        return it.packetType() == RtcpPacketType.PSFB && it.countOrFormat() == FMT
                && it.packetLength() >= HEADER_LENGTH + ENTRY_LENGTH;
    }

    /** The number of FCI entries, or -1 when the bytes are no FIR with at least one. */
    public static int entries(byte[] buf, int off, int len) {
        if (!RtcpHeader.is(buf, off, len, RtcpPacketType.PSFB, HEADER_LENGTH + ENTRY_LENGTH) || (buf[off] & 0x1f) != FMT) {
            return -1;
        }
        return (len - HEADER_LENGTH) / ENTRY_LENGTH;
    }

    /** The SSRC entry {@code index} asks a keyframe of. */
    public static int ssrc(byte[] buf, int off, int index) {
        return RtcpCompoundIterator.readInt(buf, off + HEADER_LENGTH + ENTRY_LENGTH * index);
    }

    /** Entry {@code index}'s command sequence number (0..255). */
    public static int sequenceNumber(byte[] buf, int off, int index) {
        return buf[off + HEADER_LENGTH + ENTRY_LENGTH * index + 4] & 0xff;
    }

    /**
     * Writes a FIR with {@code count} entries: {@code ssrcs[i]} with {@code sequenceNumbers[i]} (the sender
     * increments it per new request to that SSRC, modulo 256).
     *
     * @return the packet's length, or -1 when it does not fit or count is out of range
     */
    public static int write(byte[] buf, int off, int senderSsrc, int[] ssrcs, int[] sequenceNumbers, int count) {
        if (count < 1 || ssrcs == null || sequenceNumbers == null || count > ssrcs.length
                || count > sequenceNumbers.length || count > (4 * 0xffff - HEADER_LENGTH) / ENTRY_LENGTH) {
            return -1;
        }
        int length = HEADER_LENGTH + ENTRY_LENGTH * count;
        if (!RtcpHeader.room(buf, off, length)) {
            return -1;
        }
        RtcpHeader.write(buf, off, FMT, RtcpPacketType.PSFB, length);
        RtcpCompoundIterator.writeInt(buf, off + 4, senderSsrc);
        RtcpCompoundIterator.writeInt(buf, off + 8, 0);
        for (int i = 0; i < count; i++) {
            int at = off + HEADER_LENGTH + ENTRY_LENGTH * i;
            RtcpCompoundIterator.writeInt(buf, at, ssrcs[i]);
            RtcpCompoundIterator.writeInt(buf, at + 4, sequenceNumbers[i] << 24);
        }
        return length;
    }
}
