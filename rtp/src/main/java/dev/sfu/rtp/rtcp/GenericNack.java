package dev.sfu.rtp.rtcp;

/**
 * Generic NACK (RFC 4585 §6.2.1): an RTPFB with FMT 1 whose FCI entries each name a lost packet (PID) and,
 * in a bitmask (BLP), which of the 16 following were lost too.
 *
 * <pre>
 * |            PID                |             BLP               |  (one or more)
 * </pre>
 */
public final class GenericNack {
    public static final int FMT = 1;

    private GenericNack() {
    }

    /** Whether the iterator's current packet is a generic NACK. */
    public static boolean is(RtcpCompoundIterator it) {
        return it.packetType() == RtcpPacketType.RTPFB && it.countOrFormat() == FMT && it.packetLength() >= 16;
    }

    /** Number of FCI entries of a NACK whose packet starts at {@code packetOff} and is {@code packetLength} long. */
    public static int entries(int packetLength) {
        return (packetLength - 12) / 4;
    }

    /** PID of entry {@code i}. */
    public static int pid(byte[] buf, int packetOff, int i) {
        int at = packetOff + 12 + 4 * i;
        return ((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff);
    }

    /** BLP of entry {@code i}: bit j set = PID + j + 1 lost too. */
    public static int blp(byte[] buf, int packetOff, int i) {
        int at = packetOff + 14 + 4 * i;
        return ((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff);
    }

    /**
     * Writes a NACK for lost sequence numbers, given in increasing order (modulo the wrap); each run
     * within 17 packets shares one FCI entry.
     *
     * @return the packet's length, or -1 when it does not fit
     */
    public static int write(byte[] buf, int off, int senderSsrc, int mediaSsrc, int[] lost, int count) {
        int at = off + 12;
        int i = 0;
        while (i < count) {
            if (at + 4 > buf.length) {
                return -1;
            }
            int pid = lost[i++] & 0xffff;
            int blp = 0;
            while (i < count) {
                int distance = ((lost[i] & 0xffff) - pid) & 0xffff;
                if (distance < 1 || distance > 16) {
                    break;
                }
                blp |= 1 << (distance - 1);
                i++;
            }
            buf[at] = (byte) (pid >> 8);
            buf[at + 1] = (byte) pid;
            buf[at + 2] = (byte) (blp >> 8);
            buf[at + 3] = (byte) blp;
            at += 4;
        }
        int length = at - off;
        buf[off] = (byte) (0x80 | FMT);
        buf[off + 1] = (byte) RtcpPacketType.RTPFB;
        int words = length / 4 - 1;
        buf[off + 2] = (byte) (words >> 8);
        buf[off + 3] = (byte) words;
        RtcpCompoundIterator.writeInt(buf, off + 4, senderSsrc);
        RtcpCompoundIterator.writeInt(buf, off + 8, mediaSsrc);
        return length;
    }
}
