package dev.sfu.core.sdp;

import dev.sfu.core.media.Codec;

/** Which of the SFU's codecs an offered format is: the SDP side of {@link Codec}. */
final class CodecMatcher {
    private CodecMatcher() {
    }

    /**
     * Whether an offered format is {@code codec} in a form the SFU forwards: Opus in stereo-capable
     * 48 kHz, H.264 only in packetization-mode 1 with a constrained-baseline or high profile, VP9 profile 0.
     */
    static boolean matches(Codec codec, RtpMap map, MediaFormats formats) {
        if (!map.is(codec.encodingName()) || map.clockRate() != codec.clockRate()) {
            return false;
        }
        return switch (codec) {
            case OPUS -> map.channels() == 2;
            case H264 -> {
                String mode = formats.fmtpParameter(map.payloadType(), "packetization-mode");
                String profile = formats.fmtpParameter(map.payloadType(), "profile-level-id");
                yield "1".equals(mode) && profile != null && profile.length() == 6
                        && (profile.regionMatches(true, 0, "42", 0, 2) || profile.regionMatches(true, 0, "64", 0, 2));
            }
            case VP9 -> {
                String profile = formats.fmtpParameter(map.payloadType(), "profile-id");
                yield profile == null || profile.equals("0");
            }
            default -> true;
        };
    }

    /** The codec an offered format is, or null when the SFU does not forward it. */
    static Codec of(RtpMap map, MediaFormats formats) {
        for (Codec c : Codec.values()) {
            if (matches(c, map, formats)) {
                return c;
            }
        }
        return null;
    }
}
