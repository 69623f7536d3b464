package dev.sfu.rtp.rtcp;

/**
 * The receiver report (RFC 3550 §6.4.2): a participant that sends no media reports reception of others'
 * streams, in the same {@link ReportBlock}s an SR carries after its sender info.
 *
 * <pre>
 * |V=2|P|    RC   |   PT=RR=201   |             length            |
 * |                     SSRC of packet sender                     |
 * |                 report blocks (RC x 24 bytes)                 |
 * </pre>
 */
public final class ReceiverReport {
    /** An RR without report blocks. */
    public static final int HEADER_LENGTH = 8;

    private ReceiverReport() {
    }

    /** Whether the iterator's current packet is an RR. */
    public static boolean is(RtcpCompoundIterator it) {
        return it.packetType() == RtcpPacketType.RR && it.packetLength() >= HEADER_LENGTH;
    }

    /** The reporter's SSRC, or 0 when the bytes are no RR. */
    public static int senderSsrc(byte[] buf, int off, int len) {
        return RtcpHeader.is(buf, off, len, RtcpPacketType.RR, HEADER_LENGTH) ? RtcpCompoundIterator.readInt(buf, off + 4) : 0;
    }

    /**
     * Writes an RR without report blocks (RC = 0); add them with {@link ReportBlock#append}.
     *
     * @return 8, or -1 when it does not fit
     */
    public static int write(byte[] buf, int off, int senderSsrc) {
        if (!RtcpHeader.room(buf, off, HEADER_LENGTH)) {
            return -1;
        }
        RtcpHeader.write(buf, off, 0, RtcpPacketType.RR, HEADER_LENGTH);
        RtcpCompoundIterator.writeInt(buf, off + 4, senderSsrc);
        return HEADER_LENGTH;
    }
}
