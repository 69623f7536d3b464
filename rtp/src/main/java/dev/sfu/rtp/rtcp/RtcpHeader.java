package dev.sfu.rtp.rtcp;

/** The common RTCP header (RFC 3550 §6.4.1) checks and writes the packet classes share. */
final class RtcpHeader {
    private RtcpHeader() {
    }

    /**
     * Whether {@code [off, off + len)} lies inside {@code buf}, is at least {@code minLength} long and starts
     * an RTCP packet of version 2 and type {@code packetType}: what every reader checks before its first read.
     */
    static boolean is(byte[] buf, int off, int len, int packetType, int minLength) {
        return buf != null && off >= 0 && len >= minLength && len >= 4 && off <= buf.length - len
                && (buf[off] & 0xc0) == 0x80 && (buf[off + 1] & 0xff) == packetType;
    }

    /** Whether {@code len} bytes fit at {@code off}: what every writer checks before its first write. */
    static boolean room(byte[] buf, int off, int len) {
        return buf != null && off >= 0 && len >= 0 && off <= buf.length - len;
    }

    /**
     * Bytes of RTCP padding at the end of a packet (RFC 3550 §6.4.1, P bit: the last byte counts them), 0
     * without the P bit, or -1 when the count does not fit after {@code headerLength}.
     */
    static int padding(byte[] buf, int off, int len, int headerLength) {
        if ((buf[off] & 0x20) == 0) {
            return 0;
        }
        int padding = buf[off + len - 1] & 0xff;
        return padding == 0 || headerLength + padding > len ? -1 : padding;
    }

    /** Writes V=2, the 5-bit count or FMT, the packet type and the length in 32-bit words minus one. */
    static void write(byte[] buf, int off, int countOrFormat, int packetType, int length) {
        buf[off] = (byte) (0x80 | (countOrFormat & 0x1f));
        buf[off + 1] = (byte) packetType;
        int words = length / 4 - 1;
        buf[off + 2] = (byte) (words >> 8);
        buf[off + 3] = (byte) words;
    }

    /** Sets a packet's length field (in 32-bit words minus one) from a byte length. */
    static void setLength(byte[] buf, int off, int length) {
        int words = length / 4 - 1;
        buf[off + 2] = (byte) (words >> 8);
        buf[off + 3] = (byte) words;
    }

    /** A packet's length in bytes according to its length field. */
    static int length(byte[] buf, int off) {
        return 4 * ((((buf[off + 2] & 0xff) << 8) | (buf[off + 3] & 0xff)) + 1);
    }
}
