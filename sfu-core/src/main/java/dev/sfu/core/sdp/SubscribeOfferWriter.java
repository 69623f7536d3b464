package dev.sfu.core.sdp;

import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.MediaKind;
import java.util.ArrayList;
import java.util.List;

/** Writes the SDP offer of a subscribe transport (the server is always the offerer there). */
public final class SubscribeOfferWriter {
    private static final String TRANSPORT_CC_FEEDBACK = "transport-cc";
    private static final String PROTO = "UDP/TLS/RTP/SAVPF";

    private SubscribeOfferWriter() {
    }

    /**
     * @param slots every m-line, in mid order, including inactive ones (they must stay: m-lines are never removed)
     * @param local the server's transport parameters with {@code setup} {@code actpass}
     */
    public static String write(List<SubscribeSlot> slots, TransportParameters local) {
        SessionDescription offer = PublishNegotiator.newSession();
        List<String> bundle = new ArrayList<>();
        boolean first = true;
        for (SubscribeSlot slot : slots) {
            offer.media().add(mediaSection(slot, local, first));
            bundle.add(slot.mid());
            first = false;
        }
        offer.attributes().add(0, new Attribute("group", "BUNDLE " + String.join(" ", bundle)));
        return offer.toString();
    }

    private static MediaDescription mediaSection(SubscribeSlot slot, TransportParameters local, boolean first) {
        SubscribeSlot.OfferedTrack track = slot.track();
        MediaFormat format = track != null ? track.format()
                : MediaFormat.canonical(slot.kind() == MediaKind.AUDIO ? Codec.OPUS : Codec.VP8, "");
        Codec codec = format.codec();
        List<String> fmts = new ArrayList<>();
        fmts.add(Integer.toString(codec.payloadType()));
        if (codec.rtxPayloadType() >= 0) {
            fmts.add(Integer.toString(codec.rtxPayloadType()));
        }
        MediaDescription m = new MediaDescription(slot.kind().wireName(), 9, PROTO, fmts);
        m.otherLines().add("c=IN IP4 0.0.0.0");
        local.writeTo(m, first);
        m.add("mid", slot.mid());
        if (slot.kind() == MediaKind.AUDIO) {
            m.add("extmap", HeaderExtension.SUBSCRIBER_AUDIO_LEVEL_ID + " " + HeaderExtension.AUDIO_LEVEL.uri());
        }
        m.add("extmap", HeaderExtension.SUBSCRIBER_ABS_SEND_TIME_ID + " " + HeaderExtension.ABS_SEND_TIME.uri());
        m.add("extmap", HeaderExtension.SUBSCRIBER_TRANSPORT_CC_ID + " " + HeaderExtension.TRANSPORT_CC.uri());
        m.add(track != null ? "sendonly" : "inactive");
        if (track != null) {
            m.add("msid", track.streamId() + " " + track.trackId());
        }
        m.add("rtcp-mux");
        m.add("rtcp-rsize");
        m.add("rtpmap", codec.payloadType() + " " + codec.encodingName() + "/" + codec.clockRate()
                + (codec.channels() > 1 ? "/" + codec.channels() : ""));
        for (String fb : codec.feedback()) {
            m.add("rtcp-fb", codec.payloadType() + " " + fb);
        }
        if (!codec.feedback().contains(TRANSPORT_CC_FEEDBACK)) {
            m.add("rtcp-fb", codec.payloadType() + " " + TRANSPORT_CC_FEEDBACK);
        }
        String fmtp = format.fmtp().isEmpty() ? codec.defaultFmtp() : format.fmtp();
        if (!fmtp.isEmpty()) {
            m.add("fmtp", codec.payloadType() + " " + fmtp);
        }
        if (codec.rtxPayloadType() >= 0) {
            m.add("rtpmap", codec.rtxPayloadType() + " rtx/" + codec.clockRate());
            m.add("fmtp", codec.rtxPayloadType() + " apt=" + codec.payloadType());
        }
        if (track != null) {
            String cname = track.endpointId();
            String msid = track.streamId() + " " + track.trackId();
            if (track.rtxSsrc() >= 0 && codec.rtxPayloadType() >= 0) {
                m.add("ssrc-group", "FID " + track.ssrc() + " " + track.rtxSsrc());
            }
            m.add("ssrc", track.ssrc() + " cname:" + cname);
            m.add("ssrc", track.ssrc() + " msid:" + msid);
            if (track.rtxSsrc() >= 0 && codec.rtxPayloadType() >= 0) {
                m.add("ssrc", track.rtxSsrc() + " cname:" + cname);
                m.add("ssrc", track.rtxSsrc() + " msid:" + msid);
            }
        }
        return m;
    }
}
