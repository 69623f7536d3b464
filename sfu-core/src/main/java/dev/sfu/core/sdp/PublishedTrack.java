package dev.sfu.core.sdp;

import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.MediaKind;
import java.util.List;
import java.util.Map;

/**
 * A track as a publish offer describes it.
 *
 * @param streamId the msid stream id ("-" when the sender gave none)
 * @param rids the simulcast layers in the offer's order (empty without simulcast)
 * @param ssrcs the signalled primary SSRCs (may be empty: with rid-based simulcast they come with the packets)
 * @param rtxSsrcs primary SSRC → its RTX SSRC (ssrc-group FID)
 * @param simulcastSsrcs the layers' SSRCs, lowest first, of SSRC-based simulcast (ssrc-group SIM, as
 *     clients without rid simulcast signal it); empty otherwise
 */
public record PublishedTrack(String mid, MediaKind kind, String streamId, String trackId, MediaFormat format,
        List<String> rids, List<Long> ssrcs, Map<Long, Long> rtxSsrcs, List<Long> simulcastSsrcs) {
}
