package dev.sfu.core.media;

/**
 * The format one side uses for a track: which codec under which payload type, its RTX payload type
 * (-1 when RTX was not negotiated) and its fmtp line (kept for H.264, whose profile must match end to end).
 */
public record MediaFormat(Codec codec, int payloadType, int rtxPayloadType, String fmtp) {

    /** The SFU's own numbering of a codec, used in subscribe offers. */
    public static MediaFormat canonical(Codec codec, String fmtp) {
        return new MediaFormat(codec, codec.payloadType(), codec.rtxPayloadType(), fmtp);
    }
}
