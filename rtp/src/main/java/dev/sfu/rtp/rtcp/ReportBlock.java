package dev.sfu.rtp.rtcp;

/**
 * A reception report block (RFC 3550 §6.4.1), as both sender and receiver reports carry them: how well a
 * receiver got one source's stream since the last report.
 *
 * <pre>
 * |                 SSRC_n (SSRC of source)                       |
 * | fraction lost |       cumulative number of packets lost       |
 * |           extended highest sequence number received           |
 * |                      interarrival jitter                      |
 * |                         last SR (LSR)                         |
 * |                   delay since last SR (DLSR)                  |
 * </pre>
 * Blocks are located with {@link #count} and {@link #offset} (which check the bounds); the field accessors
 * take a block offset they returned and read without further checks.
 */
public final class ReportBlock {
    public static final int LENGTH = 24;
    /** The reception report count is 5 bits. */
    public static final int MAX_COUNT = 31;
    private static final int MIN_CUMULATIVE_LOST = -0x800000;
    private static final int MAX_CUMULATIVE_LOST = 0x7fffff;

    private ReportBlock() {
    }

    /** Where an SR's or RR's report blocks start, or -1 for any other packet. */
    private static int firstBlock(byte[] buf, int packetOff, int packetLen) {
        if (RtcpHeader.is(buf, packetOff, packetLen, RtcpPacketType.SR, SenderReport.LENGTH)) {
            return SenderReport.LENGTH;
        }
        if (RtcpHeader.is(buf, packetOff, packetLen, RtcpPacketType.RR, ReceiverReport.HEADER_LENGTH)) {
            return ReceiverReport.HEADER_LENGTH;
        }
        return -1;
    }

    /** The number of report blocks of an SR or RR (its RC), or -1 when it is neither or they do not fit. */
    public static int count(byte[] buf, int packetOff, int packetLen) {
        int first = firstBlock(buf, packetOff, packetLen);
        if (first < 0) {
            return -1;
        }
        int rc = buf[packetOff] & 0x1f;
        return first + rc * LENGTH <= packetLen ? rc : -1;
    }

    /** The absolute offset of report block {@code index} of an SR or RR, or -1. */
    public static int offset(byte[] buf, int packetOff, int packetLen, int index) {
        int count = count(buf, packetOff, packetLen);
        if (index < 0 || index >= count) {
            return -1;
        }
        return packetOff + firstBlock(buf, packetOff, packetLen) + index * LENGTH;
    }

    /** SSRC_n: the source this block reports on. */
    public static int ssrc(byte[] buf, int blockOff) {
        return RtcpCompoundIterator.readInt(buf, blockOff);
    }

    /** Fraction lost since the previous report, in 1/256 (0..255). */
    public static int fractionLost(byte[] buf, int blockOff) {
        return buf[blockOff + 4] & 0xff;
    }

    /** Cumulative number of packets lost: 24-bit signed (duplicates can make it negative). */
    public static int cumulativeLost(byte[] buf, int blockOff) {
        return RtcpCompoundIterator.readInt(buf, blockOff + 4) << 8 >> 8;
    }

    /** Extended highest sequence number received: cycles in the top 16 bits, the sequence number below. */
    public static int extendedHighestSequence(byte[] buf, int blockOff) {
        return RtcpCompoundIterator.readInt(buf, blockOff + 8);
    }

    /** Interarrival jitter in RTP timestamp units (RFC 3550 §6.4.1, A.8). */
    public static int jitter(byte[] buf, int blockOff) {
        return RtcpCompoundIterator.readInt(buf, blockOff + 12);
    }

    /** LSR: the middle 32 bits of the NTP timestamp of the last SR received from the source, 0 if none. */
    public static int lastSr(byte[] buf, int blockOff) {
        return RtcpCompoundIterator.readInt(buf, blockOff + 16);
    }

    /** DLSR: delay since that SR in 1/65536 s; with LSR, the sender computes the round-trip time. */
    public static int delaySinceLastSr(byte[] buf, int blockOff) {
        return RtcpCompoundIterator.readInt(buf, blockOff + 20);
    }

    /**
     * Appends a report block to the SR or RR that starts at {@code packetOff} (written by
     * {@link SenderReport#write} or {@link ReceiverReport#write}, possibly with blocks already), raising its
     * RC and length. {@code cumulativeLost} is clamped to 24 bits signed (RFC 3550 A.3).
     *
     * @return the packet's new length, or -1 when it is no SR or RR, has 31 blocks already, or the buffer
     *     has no room
     */
    public static int append(byte[] buf, int packetOff, int ssrc, int fractionLost, int cumulativeLost,
            int extendedHighestSequence, int jitter, int lastSr, int delaySinceLastSr) {
        if (!RtcpHeader.room(buf, packetOff, 4)) {
            return -1;
        }
        int length = RtcpHeader.length(buf, packetOff);
        int rc = buf[packetOff] & 0x1f;
        if (rc >= MAX_COUNT || count(buf, packetOff, Math.min(length, buf.length - packetOff)) != rc
                || !RtcpHeader.room(buf, packetOff, length + LENGTH)) {
            return -1;
        }
        int at = packetOff + length;
        RtcpCompoundIterator.writeInt(buf, at, ssrc);
        int lost = Math.max(MIN_CUMULATIVE_LOST, Math.min(MAX_CUMULATIVE_LOST, cumulativeLost));
        RtcpCompoundIterator.writeInt(buf, at + 4, (fractionLost << 24) | (lost & 0xffffff));
        RtcpCompoundIterator.writeInt(buf, at + 8, extendedHighestSequence);
        RtcpCompoundIterator.writeInt(buf, at + 12, jitter);
        RtcpCompoundIterator.writeInt(buf, at + 16, lastSr);
        RtcpCompoundIterator.writeInt(buf, at + 20, delaySinceLastSr);
        buf[packetOff] = (byte) ((buf[packetOff] & 0xe0) | (rc + 1));
        RtcpHeader.setLength(buf, packetOff, length + LENGTH);
        return length + LENGTH;
    }
}
