package dev.sfu.core.media;

import java.util.List;

/**
 * The codecs the SFU forwards, with the payload types it uses in its own subscribe offers. A
 * publisher's payload types are mapped onto these per packet, so every subscriber sees one numbering.
 */
public enum Codec {
    OPUS(MediaKind.AUDIO, "opus", 48000, 2, 111, -1, "minptime=10;useinbandfec=1", List.of()),
    VP8(MediaKind.VIDEO, "VP8", 90000, 1, 96, 97, "", VideoFeedback.LIST),
    VP9(MediaKind.VIDEO, "VP9", 90000, 1, 98, 99, "profile-id=0", VideoFeedback.LIST),
    H264(MediaKind.VIDEO, "H264", 90000, 1, 102, 103,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", VideoFeedback.LIST),
    AV1(MediaKind.VIDEO, "AV1", 90000, 1, 45, 46, "", VideoFeedback.LIST);


    /** Video codecs in the order the SFU prefers them from a publisher: the one every browser decodes first. */
    public static final List<Codec> VIDEO_PREFERENCE = List.of(VP8, H264, VP9, AV1);

    /** Holder so the enum constants can refer to the list (enum constants initialise first). */
    private static final class VideoFeedback {
        static final List<String> LIST = List.of("nack", "nack pli", "ccm fir");
    }

    private final MediaKind kind;
    private final String encodingName;
    private final int clockRate;
    private final int channels;
    private final int payloadType;
    private final int rtxPayloadType;
    private final String defaultFmtp;
    private final List<String> feedback;

    Codec(MediaKind kind, String encodingName, int clockRate, int channels, int payloadType, int rtxPayloadType,
            String defaultFmtp, List<String> feedback) {
        this.kind = kind;
        this.encodingName = encodingName;
        this.clockRate = clockRate;
        this.channels = channels;
        this.payloadType = payloadType;
        this.rtxPayloadType = rtxPayloadType;
        this.defaultFmtp = defaultFmtp;
        this.feedback = feedback;
    }

    public MediaKind kind() {
        return kind;
    }

    public String encodingName() {
        return encodingName;
    }

    public int clockRate() {
        return clockRate;
    }

    public int channels() {
        return channels;
    }

    /** The payload type the SFU writes in its subscribe offers. */
    public int payloadType() {
        return payloadType;
    }

    /** The RTX payload type of our offers, or -1 for audio. */
    public int rtxPayloadType() {
        return rtxPayloadType;
    }

    public String defaultFmtp() {
        return defaultFmtp;
    }

    /** The rtcp-fb values the SFU can honour for this codec. */
    public List<String> feedback() {
        return feedback;
    }
}
