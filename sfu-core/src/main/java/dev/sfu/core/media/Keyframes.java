package dev.sfu.core.media;

import dev.sfu.rtp.codec.H264Nal;
import dev.sfu.rtp.codec.Vp8Descriptor;
import dev.sfu.rtp.codec.Vp9Descriptor;

/** Where a subscription may start or switch layers: the first packet of a keyframe, by codec. */
final class Keyframes {
    private Keyframes() {
    }

    /**
     * Whether the payload starts a keyframe. Audio packets always qualify; AV1 (whose keyframes this
     * server does not parse yet) too, so its subscriptions start at once and recover by keyframe request.
     */
    static boolean startsKeyframe(Codec codec, byte[] buf, int off, int len) {
        return switch (codec) {
            case VP8 -> Vp8Descriptor.isKeyframe(buf, off, len);
            case H264 -> H264Nal.isKeyframe(buf, off, len);
            case VP9 -> Vp9Descriptor.isKeyframe(buf, off, len);
            case OPUS, AV1 -> true;
        };
    }

    /** The frame height a keyframe declares, or -1 when the codec's header is not parsed. */
    static int height(Codec codec, byte[] buf, int off, int len) {
        return codec == Codec.VP8 ? Vp8Descriptor.keyframeHeight(buf, off, len) : -1;
    }
}
