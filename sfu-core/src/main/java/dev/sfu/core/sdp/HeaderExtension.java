package dev.sfu.core.sdp;

/** The RTP header extensions (RFC 8285) the SFU negotiates, by their extmap URI. */
public enum HeaderExtension {
    MID("urn:ietf:params:rtp-hdrext:sdes:mid"),
    RID("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"),
    REPAIRED_RID("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"),
    AUDIO_LEVEL("urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
    ABS_SEND_TIME("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
    TRANSPORT_CC("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");

    /**
     * The ids the SFU uses in its subscribe offers for the extensions it forwards; a publisher's ids are
     * re-mapped onto these packet by packet (others are removed).
     */
    public static final int SUBSCRIBER_AUDIO_LEVEL_ID = 1;
    public static final int SUBSCRIBER_ABS_SEND_TIME_ID = 2;
    /**
     * Transport-wide sequence numbers toward a subscriber: the SFU writes its own, per subscribe
     * transport, into the publisher's transport-cc element, and the subscriber's feedback on them is what
     * a downlink bandwidth estimate reads.
     */
    public static final int SUBSCRIBER_TRANSPORT_CC_ID = 3;

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
