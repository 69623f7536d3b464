package dev.sfu.client;

import dev.sfu.core.media.Codec;
import dev.sfu.core.sdp.Attribute;
import dev.sfu.core.sdp.HeaderExtension;
import dev.sfu.core.sdp.MediaDescription;
import dev.sfu.core.sdp.SdpException;
import dev.sfu.core.sdp.SessionDescription;
import dev.sfu.core.sdp.TransportParameters;
import java.util.ArrayList;
import java.util.List;

/** The SDP a WebRTC client writes: publish offers and subscribe answers, as a browser would. */
public final class ClientSdp {
    /** The mid header extension id our client offers (as Chrome does). */
    public static final int MID_EXTENSION_ID = 4;
    public static final int RID_EXTENSION_ID = 10;
    public static final int TRANSPORT_CC_EXTENSION_ID = 5;
    public static final int AUDIO_LEVEL_EXTENSION_ID = 1;

    private ClientSdp() {
    }

    /**
     * A track the client publishes: its mid, kind and SSRC (simulcast is signalled by rids instead), and
     * the SSRC of its RTX stream (ssrc-group FID, RFC 5576) or -1.
     */
    public record PublishSpec(String mid, String kind, long ssrc, List<String> rids, long rtxSsrc) {
        public PublishSpec(String mid, String kind, long ssrc) {
            this(mid, kind, ssrc, List.of(), -1);
        }

        public PublishSpec(String mid, String kind, long ssrc, List<String> rids) {
            this(mid, kind, ssrc, rids, -1);
        }

        /** A data-channel section (RFC 8841): SCTP over the publish transport's DTLS. */
        public static PublishSpec data(String mid) {
            return new PublishSpec(mid, "application", 0);
        }
    }

    /** A publish offer with one sendonly m-line per track, BUNDLE, rtcp-mux, Opus and VP8 (with RTX). */
    public static String publishOffer(List<PublishSpec> tracks, TransportParameters local, String cname) {
        SessionDescription sdp = session();
        List<String> mids = new ArrayList<>();
        boolean first = true;
        for (PublishSpec t : tracks) {
            if (t.kind().equals("application")) {
                MediaDescription m = new MediaDescription("application", 9, "UDP/DTLS/SCTP", List.of("webrtc-datachannel"));
                m.otherLines().add("c=IN IP4 0.0.0.0");
                local.writeTo(m, first);
                m.add("mid", t.mid()).add("sctp-port", "5000").add("max-message-size", "262144");
                sdp.media().add(m);
                mids.add(t.mid());
                first = false;
                continue;
            }
            Codec codec = t.kind().equals("audio") ? Codec.OPUS : Codec.VP8;
            List<String> fmts = new ArrayList<>(List.of(Integer.toString(codec.payloadType())));
            if (codec.rtxPayloadType() >= 0) {
                fmts.add(Integer.toString(codec.rtxPayloadType()));
            }
            MediaDescription m = new MediaDescription(t.kind(), 9, "UDP/TLS/RTP/SAVPF", fmts);
            m.otherLines().add("c=IN IP4 0.0.0.0");
            local.writeTo(m, first);
            m.add("mid", t.mid());
            m.add("extmap", MID_EXTENSION_ID + " " + HeaderExtension.MID.uri());
            m.add("extmap", RID_EXTENSION_ID + " " + HeaderExtension.RID.uri());
            m.add("extmap", TRANSPORT_CC_EXTENSION_ID + " " + HeaderExtension.TRANSPORT_CC.uri());
            if (t.kind().equals("audio")) {
                m.add("extmap", AUDIO_LEVEL_EXTENSION_ID + " " + HeaderExtension.AUDIO_LEVEL.uri());
            }
            m.add("sendonly").add("msid", cname + " " + cname + "-" + t.mid()).add("rtcp-mux").add("rtcp-rsize");
            m.add("rtpmap", codec.payloadType() + " " + codec.encodingName() + "/" + codec.clockRate()
                    + (codec.channels() > 1 ? "/" + codec.channels() : ""));
            for (String fb : codec.feedback()) {
                m.add("rtcp-fb", codec.payloadType() + " " + fb);
            }
            if (!codec.defaultFmtp().isEmpty()) {
                m.add("fmtp", codec.payloadType() + " " + codec.defaultFmtp());
            }
            if (codec.rtxPayloadType() >= 0) {
                m.add("rtpmap", codec.rtxPayloadType() + " rtx/" + codec.clockRate());
                m.add("fmtp", codec.rtxPayloadType() + " apt=" + codec.payloadType());
            }
            if (t.rids().isEmpty()) {
                if (t.rtxSsrc() >= 0 && codec.rtxPayloadType() >= 0) {
                    m.add("ssrc-group", "FID " + t.ssrc() + " " + t.rtxSsrc());
                    m.add("ssrc", t.rtxSsrc() + " cname:" + cname);
                }
                m.add("ssrc", t.ssrc() + " cname:" + cname);
            } else {
                for (String rid : t.rids()) {
                    m.add("rid", rid + " send");
                }
                m.add("simulcast", "send " + String.join(";", t.rids()));
            }
            sdp.media().add(m);
            mids.add(t.mid());
            first = false;
        }
        sdp.attributes().add(0, new Attribute("group", "BUNDLE " + String.join(" ", mids)));
        return sdp.toString();
    }

    /**
     * The answer to a subscribe offer: every m-line the offer sends is received in its first codec (with
     * RTX when offered); inactive ones stay inactive. {@code setup:active}: the client starts DTLS.
     */
    public static String subscribeAnswer(String offerText, TransportParameters local) throws SdpException {
        SessionDescription offer = SessionDescription.parse(offerText);
        SessionDescription answer = session();
        List<String> mids = new ArrayList<>();
        boolean first = true;
        for (MediaDescription o : offer.media()) {
            List<String> fmts = new ArrayList<>(o.formats().subList(0, Math.min(2, o.formats().size())));
            MediaDescription m = new MediaDescription(o.media(), 9, o.proto(), fmts);
            m.otherLines().add("c=IN IP4 0.0.0.0");
            local.writeTo(m, first);
            m.add("mid", o.mid());
            m.add(o.direction().equals("sendonly") ? "recvonly" : "inactive");
            for (String extmap : o.attributes("extmap")) {
                m.add("extmap", extmap); // every offered extension accepted, as browsers do for those they know
            }
            m.add("rtcp-mux");
            for (String rtpmap : o.attributes("rtpmap")) {
                if (fmts.contains(rtpmap.substring(0, Math.max(0, rtpmap.indexOf(' '))))) {
                    m.add("rtpmap", rtpmap);
                }
            }
            for (String fmtp : o.attributes("fmtp")) {
                if (fmts.contains(fmtp.substring(0, Math.max(0, fmtp.indexOf(' '))))) {
                    m.add("fmtp", fmtp);
                }
            }
            answer.media().add(m);
            mids.add(o.mid());
            first = false;
        }
        answer.attributes().add(0, new Attribute("group", "BUNDLE " + String.join(" ", mids)));
        return answer.toString();
    }

    private static SessionDescription session() {
        return SessionDescription.create();
    }
}
