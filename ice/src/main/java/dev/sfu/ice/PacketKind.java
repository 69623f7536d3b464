package dev.sfu.ice;

/**
 * Demultiplexing of what arrives on the media port by its first byte (RFC 7983 §7): STUN 0..3,
 * DTLS 20..63, SRTP/SRTCP 128..191; anything else is dropped.
 */
public final class PacketKind {
    public static final int UNKNOWN = 0;
    public static final int STUN = 1;
    public static final int DTLS = 2;
    /** RTP or RTCP (told apart by the payload type, RFC 5761). */
    public static final int RTP = 3;

    private PacketKind() {
    }

    public static int classify(byte first) {
        int b = first & 0xff;
        if (b <= 3) {
            return STUN;
        }
        if (b >= 20 && b <= 63) {
            return DTLS;
        }
        if (b >= 128 && b <= 191) {
            return RTP;
        }
        return UNKNOWN;
    }
}
