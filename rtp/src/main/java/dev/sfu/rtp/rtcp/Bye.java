package dev.sfu.rtp.rtcp;

/**
 * Goodbye (RFC 3550 §6.6): the listed sources are leaving, optionally saying why. An SFU stops forwarding
 * and frees their state without waiting for a timeout.
 *
 * <pre>
 * |V=2|P|    SC   |   PT=BYE=203  |             length            |
 * |                           SSRC/CSRC                           |  (SC times)
 * |     length    |               reason for leaving            ...  (optional)
 * </pre>
 */
public final class Bye {
    public static final int HEADER_LENGTH = 4;

    private Bye() {
    }

    /**
     * Writes a BYE for {@code count} (0..31) SSRCs and, when {@code reason} is not null, a reason of
     * {@code reasonLength} (0..255) bytes, zero-padded to a 32-bit boundary.
     *
     * @return the packet's length, or -1 when the arguments are out of range or it does not fit
     */
    public static int write(byte[] buf, int off, int[] ssrcs, int count, byte[] reason, int reasonOff,
            int reasonLength) {
        if (count < 0 || count > 31 || ssrcs == null || count > ssrcs.length
                || (reason != null && (reasonLength < 0 || reasonLength > 255
                        || !RtcpHeader.room(reason, reasonOff, reasonLength)))) {
            return -1;
        }
        int length = HEADER_LENGTH + 4 * count + (reason == null ? 0 : (1 + reasonLength + 3) & ~3);
        if (!RtcpHeader.room(buf, off, length)) {
            return -1;
        }
        RtcpHeader.write(buf, off, count, RtcpPacketType.BYE, length);
        int at = off + HEADER_LENGTH;
        for (int i = 0; i < count; i++, at += 4) {
            RtcpCompoundIterator.writeInt(buf, at, ssrcs[i]);
        }
        if (reason != null) {
            buf[at] = (byte) reasonLength;
            System.arraycopy(reason, reasonOff, buf, at + 1, reasonLength);
            java.util.Arrays.fill(buf, at + 1 + reasonLength, off + length, (byte) 0);
        }
        return length;
    }

    /** The number of SSRCs (SC), or -1 when the bytes are no BYE or the list does not fit. */
    public static int sourceCount(byte[] buf, int off, int len) {
        if (!RtcpHeader.is(buf, off, len, RtcpPacketType.BYE, HEADER_LENGTH)) {
            return -1;
        }
        int sc = buf[off] & 0x1f;
        return HEADER_LENGTH + 4 * sc <= len ? sc : -1;
    }

    /** SSRC {@code index} (below {@link #sourceCount}) of the BYE at {@code off}. */
    public static int ssrc(byte[] buf, int off, int index) {
        return RtcpCompoundIterator.readInt(buf, off + HEADER_LENGTH + 4 * index);
    }

    /** Absolute index of the reason text, or -1 when there is none or it does not fit. */
    public static int reasonOffset(byte[] buf, int off, int len) {
        int at = reasonLengthAt(buf, off, len);
        return at < 0 ? -1 : at + 1;
    }

    /** Length of the reason text in bytes, or -1 when there is none or it does not fit. */
    public static int reasonLength(byte[] buf, int off, int len) {
        int at = reasonLengthAt(buf, off, len);
        return at < 0 ? -1 : buf[at] & 0xff;
    }

    private static int reasonLengthAt(byte[] buf, int off, int len) {
        int sc = sourceCount(buf, off, len);
        if (sc < 0) {
            return -1;
        }
        int at = off + HEADER_LENGTH + 4 * sc;
        int padding = RtcpHeader.padding(buf, off, len, at - off);
        if (padding < 0) {
            return -1;
        }
        int end = off + len - padding;
        return at < end && at + 1 + (buf[at] & 0xff) <= end ? at : -1;
    }
}
