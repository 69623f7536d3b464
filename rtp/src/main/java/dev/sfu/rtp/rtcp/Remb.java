package dev.sfu.rtp.rtcp;

/**
 * Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2): a PSFB (PT 206) with FMT 15,
 * recognised by the 'REMB' identifier, telling senders the total bitrate the receiver estimates it can take
 * for the listed SSRCs. The bitrate is a mantissa times a power of two, so it is exact only to 18 bits.
 *
 * <pre>
 * |V=2|P| FMT=15  |   PT=206      |             length            |
 * |                  SSRC of packet sender                        |
 * |                  SSRC of media source (0)                     |
 * |  Unique identifier 'R' 'E' 'M' 'B'                            |
 * |  Num SSRC     | BR Exp    |  BR Mantissa                      |
 * |   SSRC feedback                                               |  (Num SSRC times)
 * </pre>
 */
public final class Remb {
    public static final int FMT = 15;
    public static final int IDENTIFIER = 0x52454d42; // 'R' 'E' 'M' 'B'
    public static final int HEADER_LENGTH = 20;
    private static final int MAX_MANTISSA = 0x3ffff;

    private Remb() {
    }

    /** Whether the bytes are a REMB (type, FMT and identifier) with its SSRC list inside {@code len}. */
    public static boolean is(byte[] buf, int off, int len) {
        return ssrcCount(buf, off, len) >= 0;
    }

    /** Whether the iterator's current packet is a REMB. */
    public static boolean is(RtcpCompoundIterator it) {
        return is(it.buffer(), it.packetOffset(), it.packetLength());
    }

    /** Num SSRC, or -1 when the bytes are no REMB or the list does not fit. */
    public static int ssrcCount(byte[] buf, int off, int len) {
        if (!RtcpHeader.is(buf, off, len, RtcpPacketType.PSFB, HEADER_LENGTH) || (buf[off] & 0x1f) != FMT
                || RtcpCompoundIterator.readInt(buf, off + 12) != IDENTIFIER) {
            return -1;
        }
        int count = buf[off + 16] & 0xff;
        return HEADER_LENGTH + 4 * count <= len ? count : -1;
    }

    /**
     * The estimated bitrate in bits per second (mantissa << exp), saturating at {@link Long#MAX_VALUE} for
     * exponents that overflow a long, or -1 when the bytes are no REMB.
     */
    public static long bitrate(byte[] buf, int off, int len) {
        if (ssrcCount(buf, off, len) < 0) {
            return -1;
        }
        int exp = (buf[off + 17] & 0xff) >> 2;
        long mantissa = ((buf[off + 17] & 0x03L) << 16) | ((buf[off + 18] & 0xffL) << 8) | (buf[off + 19] & 0xffL);
        if (mantissa != 0 && exp > Long.numberOfLeadingZeros(mantissa) - 1) {
            return Long.MAX_VALUE;
        }
        return mantissa << exp;
    }

    /** SSRC {@code index} (below {@link #ssrcCount}) of the REMB at {@code off}. */
    public static int ssrc(byte[] buf, int off, int index) {
        return RtcpCompoundIterator.readInt(buf, off + HEADER_LENGTH + 4 * index);
    }

    /**
     * Writes a REMB. The exponent is the smallest that fits the mantissa in 18 bits, so the bitrate is
     * rounded down by less than one part in 2^17 (never up: a REMB is a ceiling).
     *
     * @param bitrateBps 0 or more
     * @return the packet's length (20 + 4 x count), or -1 when it does not fit or an argument is out of range
     */
    public static int write(byte[] buf, int off, int senderSsrc, long bitrateBps, int[] ssrcs, int count) {
        if (bitrateBps < 0 || count < 0 || count > 255 || ssrcs == null || count > ssrcs.length) {
            return -1;
        }
        int length = HEADER_LENGTH + 4 * count;
        if (!RtcpHeader.room(buf, off, length)) {
            return -1;
        }
        int exp = Math.max(0, 64 - Long.numberOfLeadingZeros(bitrateBps) - 18);
        long mantissa = bitrateBps >>> exp;
        RtcpHeader.write(buf, off, FMT, RtcpPacketType.PSFB, length);
        RtcpCompoundIterator.writeInt(buf, off + 4, senderSsrc);
        RtcpCompoundIterator.writeInt(buf, off + 8, 0);
        RtcpCompoundIterator.writeInt(buf, off + 12, IDENTIFIER);
        RtcpCompoundIterator.writeInt(buf, off + 16, (count << 24) | (exp << 18) | (int) (mantissa & MAX_MANTISSA));
        for (int i = 0; i < count; i++) {
            RtcpCompoundIterator.writeInt(buf, off + HEADER_LENGTH + 4 * i, ssrcs[i]);
        }
        return length;
    }
}
