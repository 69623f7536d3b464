package dev.sfu.core.sdp;

/** The RTP header extensions (RFC 8285) the SFU negotiates, by their extmap URI. */
public enum HeaderExtension {
    MID("urn:ietf:params:rtp-hdrext:sdes:mid"),
    RID("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"),
    REPAIRED_RID("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"),
    AUDIO_LEVEL("urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
    ABS_SEND_TIME("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
    TRANSPORT_CC("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");

    private final String uri;

    HeaderExtension(String uri) {
        this.uri = uri;
    }

    public String uri() {
        return uri;
    }

    public static HeaderExtension ofUri(String uri) {
        for (HeaderExtension e : values()) {
            if (e.uri.equals(uri)) {
                return e;
            }
        }
        return null;
    }
}
