package dev.sfu.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.core.SignalingException;
import dev.sfu.core.SignalingException.Code;
import dev.sfu.core.sdp.MediaDescription;
import dev.sfu.core.sdp.SdpException;
import dev.sfu.core.sdp.SessionDescription;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a publish offer against the participant's grants before the core sees it: every audio or video
 * m-line that sends needs {@code canPublish} and its source among the allowed {@code sources}. A data
 * channel section is always accepted (receiving data needs no grant); without {@code canPublishData} the
 * relay drops what the participant sends, and counts it.
 */
final class PublishGrantCheck {
    static final int MAX_SOURCES = 64;

    private PublishGrantCheck() {
    }

    /** The offer's optional {@code sources} field: an object mid to source. */
    static Map<String, String> sources(JsonNode m) throws SignalingException {
        JsonNode v = m.get("sources");
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject() || v.size() > MAX_SOURCES) {
            throw new SignalingException(Code.BAD_REQUEST, "sources must be an object of mid to source (at most "
                    + MAX_SOURCES + ")");
        }
        Map<String, String> sources = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (e.getKey().length() > 32 || !e.getValue().isTextual() || !Grants.SOURCES.contains(e.getValue().asText())) {
                throw new SignalingException(Code.BAD_REQUEST, "each source must be one of "
                        + String.join(", ", Grants.SOURCES));
            }
            sources.put(e.getKey(), e.getValue().asText());
        }
        return sources;
    }

    /** Refuses ({@code unauthorized}, naming the grant) an offer that sends what the grants do not allow. */
    static void check(String sdp, Map<String, String> sources, Grants grants) throws SignalingException {
        if (grants.canPublish() && !grants.hidden() && grants.sources().size() == Grants.SOURCES.size()) {
            return; // everything allowed: no need to read the offer twice
        }
        SessionDescription offer;
        try {
            offer = SessionDescription.parse(sdp);
        } catch (SdpException e) {
            return; // the core rejects it with sdp-rejected and its reason
        }
        for (MediaDescription media : offer.media()) {
            boolean av = media.media().equals("audio") || media.media().equals("video");
            String direction = media.direction();
            if (!av || media.isRejected() || "recvonly".equals(direction) || "inactive".equals(direction)) {
                continue;
            }
            if (grants.hidden()) {
                throw new SignalingException(Code.UNAUTHORIZED, "a hidden participant may not publish (grant hidden)");
            }
            if (!grants.canPublish()) {
                throw new SignalingException(Code.UNAUTHORIZED, "your token does not allow publishing (grant canPublish)");
            }
            String named = media.mid() == null ? null : sources.get(media.mid());
            String source = named != null ? named : media.media().equals("audio") ? "microphone" : "camera";
            if (!grants.sources().contains(source)) {
                throw new SignalingException(Code.UNAUTHORIZED, "your token does not allow publishing " + source
                        + " (grant sources)");
            }
        }
    }
}
