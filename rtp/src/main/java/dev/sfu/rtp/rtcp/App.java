package dev.sfu.rtp.rtcp;

/**
 * Application-defined RTCP (RFC 3550 §6.7): passed through, not interpreted; the readers give the name,
 * subtype and where the application data lies.
 *
 * <pre>
 * |V=2|P| subtype |   PT=APP=204  |             length            |
 * |                           SSRC/CSRC                           |
 * |                          name (ASCII)                         |
 * |                   application-dependent data                ...
 * </pre>
 */
public final class App {
    public static final int HEADER_LENGTH = 12;

    private App() {
    }

    private static boolean isApp(byte[] buf, int off, int len) {
        return RtcpHeader.is(buf, off, len, RtcpPacketType.APP, HEADER_LENGTH)
                && RtcpHeader.padding(buf, off, len, HEADER_LENGTH) >= 0;
    }

    /** The 5-bit subtype, or -1 when the bytes are no APP packet. */
    public static int subtype(byte[] buf, int off, int len) {
        return isApp(buf, off, len) ? buf[off] & 0x1f : -1;
    }

    /** The SSRC or CSRC of the originator, or 0. */
    public static int ssrc(byte[] buf, int off, int len) {
        return isApp(buf, off, len) ? RtcpCompoundIterator.readInt(buf, off + 4) : 0;
    }

    /**
     * The four ASCII characters of the name as a big-endian int (so {@code 'a','b','c','d'} is 0x61626364),
     * or -1 when the bytes are no APP packet or the name is not ASCII.
     */
    public static int name(byte[] buf, int off, int len) {
        if (!isApp(buf, off, len)) {
            return -1;
        }
        int name = RtcpCompoundIterator.readInt(buf, off + 8);
        return (name & 0x80808080) == 0 ? name : -1;
    }

    /** Absolute index of the application data, or -1. */
    public static int dataOffset(byte[] buf, int off, int len) {
        return isApp(buf, off, len) ? off + HEADER_LENGTH : -1;
    }

    /** Length of the application data (RTCP padding excluded), or -1. */
    public static int dataLength(byte[] buf, int off, int len) {
        return isApp(buf, off, len) ? len - HEADER_LENGTH - RtcpHeader.padding(buf, off, len, HEADER_LENGTH) : -1;
    }

    /**
     * Writes an APP packet; the data must be a multiple of 4 bytes (RFC 3550 §6.7).
     *
     * @return the packet's length, or -1 when the arguments are out of range or it does not fit
     */
    public static int write(byte[] buf, int off, int subtype, int ssrc, int name, byte[] data, int dataOff,
            int dataLength) {
        if (subtype < 0 || subtype > 31 || data == null || dataLength < 0 || (dataLength & 3) != 0
                || !RtcpHeader.room(data, dataOff, dataLength) || dataLength > 4 * 0xffff - HEADER_LENGTH
                || !RtcpHeader.room(buf, off, HEADER_LENGTH + dataLength)) {
            return -1;
        }
        int length = HEADER_LENGTH + dataLength;
        RtcpHeader.write(buf, off, subtype, RtcpPacketType.APP, length);
        RtcpCompoundIterator.writeInt(buf, off + 4, ssrc);
        RtcpCompoundIterator.writeInt(buf, off + 8, name);
        System.arraycopy(data, dataOff, buf, off + HEADER_LENGTH, dataLength);
        return length;
    }
}
