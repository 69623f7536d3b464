package dev.sfu.rtp.codec;

/**
 * The VP8 payload descriptor (RFC 7741 §4.2) and, behind it, the start of the VP8 payload header
 * (RFC 6386 §9.1): enough for a router to see keyframes, their size, and the picture numbering.
 *
 * <pre>
 *       +-+-+-+-+-+-+-+-+
 *       |X|R|N|S|R| PID | (REQUIRED)
 *  X:   |I|L|T|K| RSV   | (OPTIONAL)
 *  I:   |M| PictureID   | (OPTIONAL, 7 or 15 bits)
 *  L:   |   TL0PICIDX   | (OPTIONAL)
 *  T/K: |TID|Y| KEYIDX  | (OPTIONAL)
 * </pre>
 * All methods take the RTP payload's bounds and return -1 (or false) for anything malformed.
 */
public final class Vp8Descriptor {
    private Vp8Descriptor() {
    }

    /** Length of the payload descriptor, or -1 when it does not fit. */
    public static int descriptorLength(byte[] buf, int off, int len) {
        if (len < 1) {
            return -1;
        }
        int at = 1;
        if ((buf[off] & 0x80) != 0) {
            if (len < 2) {
                return -1;
            }
            int x = buf[off + 1] & 0xff;
            at = 2;
            if ((x & 0x80) != 0) {
                if (at >= len) {
                    return -1;
                }
                at += (buf[off + at] & 0x80) != 0 ? 2 : 1;
            }
            if ((x & 0x40) != 0) {
                at++;
            }
            if ((x & 0x30) != 0) {
                at++;
            }
        }
        return at <= len ? at : -1;
    }

    /** S bit with partition index 0: this packet starts a frame. */
    public static boolean isStartOfFrame(byte[] buf, int off, int len) {
        return len >= 1 && (buf[off] & 0x10) != 0 && (buf[off] & 0x0f) == 0;
    }

    /** The first packet of a keyframe: start of frame, and the payload header's P bit is 0. */
    public static boolean isKeyframe(byte[] buf, int off, int len) {
        if (!isStartOfFrame(buf, off, len)) {
            return false;
        }
        int d = descriptorLength(buf, off, len);
        return d > 0 && d < len && (buf[off + d] & 0x01) == 0;
    }

    /**
     * The frame height a keyframe declares (RFC 6386 §9.1: after the 3-byte frame tag and the start code
     * 9d 01 2a come 14-bit width and height, little-endian), or -1.
     */
    public static int keyframeHeight(byte[] buf, int off, int len) {
        if (!isKeyframe(buf, off, len)) {
            return -1;
        }
        int p = off + descriptorLength(buf, off, len);
        if (p + 10 > off + len || (buf[p + 3] & 0xff) != 0x9d || buf[p + 4] != 0x01 || buf[p + 5] != 0x2a) {
            return -1;
        }
        return ((buf[p + 9] & 0x3f) << 8) | (buf[p + 8] & 0xff);
    }

    /** The picture id (7 or 15 bits), or -1 when absent. */
    public static int pictureId(byte[] buf, int off, int len) {
        int at = pictureIdOffset(buf, off, len);
        if (at < 0) {
            return -1;
        }
        int first = buf[at] & 0xff;
        return (first & 0x80) != 0 ? ((first & 0x7f) << 8) | (buf[at + 1] & 0xff) : first & 0x7f;
    }

    /** Rewrites the picture id in place, keeping its 7- or 15-bit width; false when absent. */
    public static boolean setPictureId(byte[] buf, int off, int len, int pictureId) {
        int at = pictureIdOffset(buf, off, len);
        if (at < 0) {
            return false;
        }
        if ((buf[at] & 0x80) != 0) {
            buf[at] = (byte) (0x80 | ((pictureId >> 8) & 0x7f));
            buf[at + 1] = (byte) pictureId;
        } else {
            buf[at] = (byte) (pictureId & 0x7f);
        }
        return true;
    }

    private static int pictureIdOffset(byte[] buf, int off, int len) {
        if (descriptorLength(buf, off, len) < 0 || (buf[off] & 0x80) == 0 || (buf[off + 1] & 0x80) == 0) {
            return -1;
        }
        return off + 2;
    }

    /** TL0PICIDX, or -1 when absent. */
    public static int tl0PicIdx(byte[] buf, int off, int len) {
        int at = tl0Offset(buf, off, len);
        return at < 0 ? -1 : buf[at] & 0xff;
    }

    public static boolean setTl0PicIdx(byte[] buf, int off, int len, int value) {
        int at = tl0Offset(buf, off, len);
        if (at < 0) {
            return false;
        }
        buf[at] = (byte) value;
        return true;
    }

    private static int tl0Offset(byte[] buf, int off, int len) {
        if (descriptorLength(buf, off, len) < 0 || (buf[off] & 0x80) == 0 || (buf[off + 1] & 0x40) == 0) {
            return -1;
        }
        int at = off + 2;
        if ((buf[off + 1] & 0x80) != 0) {
            at += (buf[at] & 0x80) != 0 ? 2 : 1;
        }
        return at;
    }

    /** Temporal layer id (TID), or -1 when absent. */
    public static int temporalLayerId(byte[] buf, int off, int len) {
        if (descriptorLength(buf, off, len) < 0 || (buf[off] & 0x80) == 0 || (buf[off + 1] & 0x30) == 0) {
            return -1;
        }
        int at = off + 2;
        int x = buf[off + 1] & 0xff;
        if ((x & 0x80) != 0) {
            at += (buf[at] & 0x80) != 0 ? 2 : 1;
        }
        if ((x & 0x40) != 0) {
            at++;
        }
        return (x & 0x20) != 0 ? (buf[at] & 0xff) >> 6 : -1;
    }
}
