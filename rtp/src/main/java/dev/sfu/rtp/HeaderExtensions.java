package dev.sfu.rtp;

/**
 * Typed readers and in-place writers for the values of the header extensions a WebRTC SFU meets. Each takes
 * an element's data as {@link RtpPacket#findExtension} locates it: {@code (buf, off, len)} with
 * {@code off = RtpPacket.elementOffset(position)} and {@code len = RtpPacket.elementLength(position)}.
 *
 * <p>Readers answer -1 (or false) when the element is absent or has the wrong length. That includes the
 * "absent" position -1 passed through unchecked ({@code elementOffset(-1)} is -1), so
 * {@code absSendTime(buf, elementOffset(p), elementLength(p))} is safe without testing {@code p} first.
 * Writers rewrite an element that is already there (same length) and answer false otherwise; to add one,
 * see {@link RtpPacket#addExtension}.
 *
 * <p>The {@code sdes:repaired-rtp-stream-id} extension (RFC 8852 §3.2) is an SDES item like the rid and is
 * read with {@link SdesItemExtension}.
 */
public final class HeaderExtensions {
    /** {@code http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time}: 24-bit 6.18 fixed-point seconds. */
    public static final int ABS_SEND_TIME_LENGTH = 3;
    /** {@code draft-holmer-rmcat-transport-wide-cc-extensions-01} §2: a 16-bit sequence number. */
    public static final int TRANSPORT_SEQUENCE_LENGTH = 2;
    /** {@code urn:ietf:params:rtp-hdrext:ssrc-audio-level} (RFC 6464): one byte. */
    public static final int AUDIO_LEVEL_LENGTH = 1;
    /** {@code urn:3gpp:video-orientation} (3GPP TS 26.114 §7.4.5, "CVO"): one byte. */
    public static final int VIDEO_ORIENTATION_LENGTH = 1;
    /** The mandatory part of the AV1 dependency descriptor (AV1 RTP spec, appendix A.2). */
    public static final int DEPENDENCY_DESCRIPTOR_MIN_LENGTH = 3;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int ABS_SEND_TIME_FRACTION_BITS = 18;

    private HeaderExtensions() {
    }

    /** Whether {@code [off, off + len)} lies inside {@code buf} and is exactly {@code expected} long. */
    private static boolean fits(byte[] buf, int off, int len, int expected) {
        return buf != null && len == expected && off >= 0 && off <= buf.length - len;
    }

    // abs-send-time ---------------------------------------------------------------------------------------

    /** The 24-bit abs-send-time (6.18 fixed-point seconds, wrapping every 64 s), or -1. */
    public static int absSendTime(byte[] buf, int off, int len) {
        if (!fits(buf, off, len, ABS_SEND_TIME_LENGTH)) {
            return -1;
        }
        return ((buf[off] & 0xff) << 16) | ((buf[off + 1] & 0xff) << 8) | (buf[off + 2] & 0xff);
    }

    /** Overwrites a 3-byte abs-send-time element with the low 24 bits of {@code value}. */
    public static boolean setAbsSendTime(byte[] buf, int off, int len, int value) {
        if (!fits(buf, off, len, ABS_SEND_TIME_LENGTH)) {
            return false;
        }
        buf[off] = (byte) (value >> 16);
        buf[off + 1] = (byte) (value >> 8);
        buf[off + 2] = (byte) value;
        return true;
    }

    /**
     * A clock reading in nanoseconds as abs-send-time: seconds in the top 6 bits (modulo 64), the fraction in
     * the low 18, rounded to the nearest 2^-18 s as libwebrtc does. Negative readings (such as
     * {@link System#nanoTime()} may give) wrap like positive ones.
     */
    public static int absSendTimeFromNanos(long nanos) {
        long seconds = Math.floorDiv(nanos, NANOS_PER_SECOND);
        long fraction = Math.floorMod(nanos, NANOS_PER_SECOND); // < 2^30: shifting by 18 cannot overflow
        long units = (seconds << ABS_SEND_TIME_FRACTION_BITS)
                + (((fraction << ABS_SEND_TIME_FRACTION_BITS) + NANOS_PER_SECOND / 2) / NANOS_PER_SECOND);
        return (int) (units & 0xffffff);
    }

    /** A clock reading in milliseconds as abs-send-time; see {@link #absSendTimeFromNanos(long)}. */
    public static int absSendTimeFromMillis(long millis) {
        long seconds = Math.floorDiv(millis, 1000L);
        long fraction = Math.floorMod(millis, 1000L);
        long units = (seconds << ABS_SEND_TIME_FRACTION_BITS) + (((fraction << ABS_SEND_TIME_FRACTION_BITS) + 500) / 1000);
        return (int) (units & 0xffffff);
    }

    /** An abs-send-time value (24 bits) as nanoseconds within its 64-second period, truncated. */
    public static long absSendTimeToNanos(int value) {
        return ((value & 0xffffffL) * NANOS_PER_SECOND) >> ABS_SEND_TIME_FRACTION_BITS;
    }

    /**
     * Signed distance from abs-send-time {@code a} to {@code b} in 2^-18 s units, the shorter way around the
     * 64-second wrap: what a delay-based estimator compares between packets.
     */
    public static int absSendTimeDiff(int a, int b) {
        return ((b - a) << 8) >> 8;
    }

    // transport-wide sequence number ---------------------------------------------------------------------

    /**
     * The transport-wide sequence number (0..65535), or -1. Also accepts the 4-byte element of
     * transport-wide-cc-02, which starts with the same number (its feedback request is ignored).
     */
    public static int transportSequence(byte[] buf, int off, int len) {
        if (!fits(buf, off, len, TRANSPORT_SEQUENCE_LENGTH) && !fits(buf, off, len, 4)) {
            return -1;
        }
        return ((buf[off] & 0xff) << 8) | (buf[off + 1] & 0xff);
    }

    /** Overwrites the sequence number of a 2- (or 4-) byte transport-cc element. */
    public static boolean setTransportSequence(byte[] buf, int off, int len, int sequence) {
        if (!fits(buf, off, len, TRANSPORT_SEQUENCE_LENGTH) && !fits(buf, off, len, 4)) {
            return false;
        }
        buf[off] = (byte) (sequence >> 8);
        buf[off + 1] = (byte) sequence;
        return true;
    }

    // ssrc-audio-level (RFC 6464 §3) ---------------------------------------------------------------------

    /**
     * The audio level as 0..127 meaning 0 to -127 dBov (127 is also "muted"), or -1.
     *
     * <pre>
     *  0 1 2 3 4 5 6 7
     * |V|    level    |
     * </pre>
     */
    public static int audioLevel(byte[] buf, int off, int len) {
        return fits(buf, off, len, AUDIO_LEVEL_LENGTH) ? buf[off] & 0x7f : -1;
    }

    /** The V bit: the sender's voice activity detector thinks this packet holds speech. False when absent. */
    public static boolean voiceActivity(byte[] buf, int off, int len) {
        return fits(buf, off, len, AUDIO_LEVEL_LENGTH) && (buf[off] & 0x80) != 0;
    }

    /** Overwrites an audio-level element; {@code level} is clamped to 0..127 (-dBov). */
    public static boolean setAudioLevel(byte[] buf, int off, int len, boolean voiceActivity, int level) {
        if (!fits(buf, off, len, AUDIO_LEVEL_LENGTH)) {
            return false;
        }
        buf[off] = (byte) ((voiceActivity ? 0x80 : 0) | Math.max(0, Math.min(127, level)));
        return true;
    }

    // video-orientation (CVO, 3GPP TS 26.114 §7.4.5) -------------------------------------------------------

    /**
     * The rotation the receiver must apply before display, in degrees: 0, 90, 180 or 270 (R1 R0 times 90),
     * or -1.
     *
     * <pre>
     *  0 1 2 3 4 5 6 7
     * |0 0 0 0|C|F|R1R0|   C: 1 = back-facing camera; F: 1 = horizontally flipped
     * </pre>
     */
    public static int videoRotation(byte[] buf, int off, int len) {
        return fits(buf, off, len, VIDEO_ORIENTATION_LENGTH) ? 90 * (buf[off] & 0x03) : -1;
    }

    /** F: the picture is mirrored horizontally. False when absent. */
    public static boolean videoFlip(byte[] buf, int off, int len) {
        return fits(buf, off, len, VIDEO_ORIENTATION_LENGTH) && (buf[off] & 0x04) != 0;
    }

    /** C: a back-facing camera (false: front-facing, or absent). */
    public static boolean videoBackCamera(byte[] buf, int off, int len) {
        return fits(buf, off, len, VIDEO_ORIENTATION_LENGTH) && (buf[off] & 0x08) != 0;
    }

    /** Overwrites a CVO element; false when absent or {@code rotationDegrees} is not 0, 90, 180 or 270. */
    public static boolean setVideoOrientation(byte[] buf, int off, int len, int rotationDegrees, boolean flip,
            boolean backCamera) {
        if (!fits(buf, off, len, VIDEO_ORIENTATION_LENGTH) || rotationDegrees < 0 || rotationDegrees > 270
                || rotationDegrees % 90 != 0) {
            return false;
        }
        buf[off] = (byte) ((backCamera ? 0x08 : 0) | (flip ? 0x04 : 0) | (rotationDegrees / 90));
        return true;
    }

    // AV1 dependency descriptor (AV1 RTP spec, appendix A) ----------------------------------------------

    /**
     * The dependency descriptor is forwarded as opaque bytes: an SFU needs only the mandatory fields to
     * see frame boundaries and numbers; the template structure after them is the receiver's business.
     *
     * <pre>
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
     * |S|E| template id |          frame_number         |  (extended fields...)
     * </pre>
     */
    private static boolean dependencyDescriptor(byte[] buf, int off, int len) {
        return buf != null && len >= DEPENDENCY_DESCRIPTOR_MIN_LENGTH && off >= 0 && off <= buf.length - len;
    }

    /** start_of_frame: this packet carries the first byte of a frame. False when malformed. */
    public static boolean ddStartOfFrame(byte[] buf, int off, int len) {
        return dependencyDescriptor(buf, off, len) && (buf[off] & 0x80) != 0;
    }

    /** end_of_frame: this packet carries the last byte of a frame. False when malformed. */
    public static boolean ddEndOfFrame(byte[] buf, int off, int len) {
        return dependencyDescriptor(buf, off, len) && (buf[off] & 0x40) != 0;
    }

    /** frame_dependency_template_id (0..63), or -1. */
    public static int ddTemplateId(byte[] buf, int off, int len) {
        return dependencyDescriptor(buf, off, len) ? buf[off] & 0x3f : -1;
    }

    /** frame_number (0..65535, wrapping), or -1. */
    public static int ddFrameNumber(byte[] buf, int off, int len) {
        return dependencyDescriptor(buf, off, len) ? ((buf[off + 1] & 0xff) << 8) | (buf[off + 2] & 0xff) : -1;
    }

    /** Whether extended fields (template structure, active decode targets...) follow the mandatory 3 bytes. */
    public static boolean ddHasExtendedFields(byte[] buf, int off, int len) {
        return dependencyDescriptor(buf, off, len) && len > DEPENDENCY_DESCRIPTOR_MIN_LENGTH;
    }

    /** Rewrites frame_number in place (for a stream switch that must keep numbering continuous). */
    public static boolean setDdFrameNumber(byte[] buf, int off, int len, int frameNumber) {
        if (!dependencyDescriptor(buf, off, len)) {
            return false;
        }
        buf[off + 1] = (byte) (frameNumber >> 8);
        buf[off + 2] = (byte) frameNumber;
        return true;
    }
}
