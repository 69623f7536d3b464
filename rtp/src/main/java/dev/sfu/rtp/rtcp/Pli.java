package dev.sfu.rtp.rtcp;

/**
 * Picture Loss Indication (RFC 4585 §6.3.1): a payload-specific feedback message (PT 206, FMT 1) with
 * no FCI, asking the sender of {@code mediaSsrc} for a keyframe.
 */
public final class Pli {
    public static final int LENGTH = 12;
    public static final int FMT = 1;

    private Pli() {
    }

    /** Writes a PLI at {@code off}; returns its length (12). */
    public static int write(byte[] buf, int off, int senderSsrc, int mediaSsrc) {
        buf[off] = (byte) (0x80 | FMT);
        buf[off + 1] = (byte) RtcpPacketType.PSFB;
        buf[off + 2] = 0;
        buf[off + 3] = 2; // length in 32-bit words minus one
        RtcpCompoundIterator.writeInt(buf, off + 4, senderSsrc);
        RtcpCompoundIterator.writeInt(buf, off + 8, mediaSsrc);
        return LENGTH;
    }
}
