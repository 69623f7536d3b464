package dev.sfu.rtp.codec;

/**
 * The VP9 payload descriptor's first byte (RFC 9628 §4.2): I|P|L|F|B|E|V|Z. A packet that begins a frame
 * (B) which is not inter-picture predicted (P = 0) starts a keyframe.
 */
public final class Vp9Descriptor {
    private Vp9Descriptor() {
    }

    public static boolean isStartOfFrame(byte[] buf, int off, int len) {
        return len >= 1 && (buf[off] & 0x08) != 0;
    }

    public static boolean isEndOfFrame(byte[] buf, int off, int len) {
        return len >= 1 && (buf[off] & 0x04) != 0;
    }

    public static boolean isKeyframe(byte[] buf, int off, int len) {
        return len >= 1 && (buf[off] & 0x40) == 0 && (buf[off] & 0x08) != 0;
    }
}
