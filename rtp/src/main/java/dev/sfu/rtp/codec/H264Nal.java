package dev.sfu.rtp.codec;

/**
 * H.264 RTP payloads (RFC 6184) as a router needs them: does this packet start a keyframe? True for an
 * IDR slice or an SPS, alone (single NAL unit), aggregated (STAP-A) or at the start of a fragment (FU-A).
 */
public final class H264Nal {
    private static final int IDR = 5;
    private static final int SPS = 7;
    private static final int STAP_A = 24;
    private static final int FU_A = 28;

    private H264Nal() {
    }

    public static boolean isKeyframe(byte[] buf, int off, int len) {
        if (len < 1) {
            return false;
        }
        int type = buf[off] & 0x1f;
        if (type == IDR || type == SPS) {
            return true;
        }
        if (type == FU_A) {
            return len >= 2 && (buf[off + 1] & 0x80) != 0 && ((buf[off + 1] & 0x1f) == IDR || (buf[off + 1] & 0x1f) == SPS);
        }
        if (type == STAP_A) {
            int at = off + 1;
            int end = off + len;
            while (at + 2 < end) {
                int size = ((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff);
                if (size == 0 || at + 2 + size > end) {
                    return false;
                }
                int inner = buf[at + 2] & 0x1f;
                if (inner == IDR || inner == SPS) {
                    return true;
                }
                at += 2 + size;
            }
        }
        return false;
    }
}
