package dev.sfu.rtp.rtcp;

/**
 * The sender report (RFC 3550 §6.4.1): which RTP timestamp a sender's clock showed at an NTP wall-clock
 * time, the mapping receivers use to play audio and video in sync.
 *
 * <pre>
 * |V=2|P|    RC   |   PT=SR=200   |             length            |
 * |                         SSRC of sender                        |
 * |              NTP timestamp, most significant word             |
 * |             NTP timestamp, least significant word             |
 * |                         RTP timestamp                         |
 * |                     sender's packet count                     |
 * |                      sender's octet count                     |
 * |                 report blocks (RC x 24 bytes)                 |
 * </pre>
 * Readers take the offset of the packet's first byte (from {@link RtcpCompoundIterator#packetOffset()}).
 */
public final class SenderReport {
    /** An SR without report blocks. */
    public static final int LENGTH = 28;

    private SenderReport() {
    }

    /** Whether the iterator's current packet is an SR long enough to read. */
    public static boolean is(RtcpCompoundIterator it) {
        return it.packetType() == RtcpPacketType.SR && it.packetLength() >= LENGTH;
    }

    public static long ntpTimestamp(byte[] buf, int packetOff) {
        return ((long) RtcpCompoundIterator.readInt(buf, packetOff + 8) << 32)
                | (RtcpCompoundIterator.readInt(buf, packetOff + 12) & 0xffffffffL);
    }

    public static int rtpTimestamp(byte[] buf, int packetOff) {
        return RtcpCompoundIterator.readInt(buf, packetOff + 16);
    }

    public static int packetCount(byte[] buf, int packetOff) {
        return RtcpCompoundIterator.readInt(buf, packetOff + 20);
    }

    public static int octetCount(byte[] buf, int packetOff) {
        return RtcpCompoundIterator.readInt(buf, packetOff + 24);
    }

    /** Writes an SR without report blocks; returns its length (28). */
    public static int write(byte[] buf, int off, int ssrc, long ntpTimestamp, int rtpTimestamp, int packetCount,
            int octetCount) {
        buf[off] = (byte) 0x80;
        buf[off + 1] = (byte) RtcpPacketType.SR;
        buf[off + 2] = 0;
        buf[off + 3] = 6;
        RtcpCompoundIterator.writeInt(buf, off + 4, ssrc);
        RtcpCompoundIterator.writeInt(buf, off + 8, (int) (ntpTimestamp >>> 32));
        RtcpCompoundIterator.writeInt(buf, off + 12, (int) ntpTimestamp);
        RtcpCompoundIterator.writeInt(buf, off + 16, rtpTimestamp);
        RtcpCompoundIterator.writeInt(buf, off + 20, packetCount);
        RtcpCompoundIterator.writeInt(buf, off + 24, octetCount);
        return LENGTH;
    }
}
