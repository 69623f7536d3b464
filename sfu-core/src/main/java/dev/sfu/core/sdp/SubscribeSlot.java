package dev.sfu.core.sdp;

import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.MediaKind;

/**
 * One m-line of a subscribe offer. A slot keeps its mid for the life of the subscribe transport; when the
 * track it carried leaves, it turns inactive and may later carry another track of the same kind.
 *
 * @param track what the slot carries now, or null when inactive
 */
public record SubscribeSlot(String mid, MediaKind kind, OfferedTrack track) {

    /**
     * A remote track as a subscriber sees it: the SFU's own SSRCs and payload types.
     *
     * @param streamId msid stream id: the publishing endpoint's id, so its audio and video share a stream
     */
    public record OfferedTrack(String endpointId, String streamId, String trackId, MediaFormat format, long ssrc,
            long rtxSsrc) {
    }
}
