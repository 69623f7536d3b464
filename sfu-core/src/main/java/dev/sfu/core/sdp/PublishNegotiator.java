package dev.sfu.core.sdp;

import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.MediaKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers a client's offer for its publish transport (the client is always the offerer there): picks one
 * codec per media section (Opus; VP8 first among video codecs), accepts the header extensions the SFU
 * reads, simulcast rids, one data-channel section (RFC 8841), and rejects what it does not forward.
 */
public final class PublishNegotiator {
    private static final Set<HeaderExtension> ACCEPTED_EXTENSIONS = EnumSet.of(HeaderExtension.MID, HeaderExtension.RID,
            HeaderExtension.REPAIRED_RID, HeaderExtension.AUDIO_LEVEL, HeaderExtension.TRANSPORT_CC,
            HeaderExtension.ABS_SEND_TIME);
    /** The SFU sends transport-wide congestion control feedback to every publisher that offers it. */
    private static final String TRANSPORT_CC_FEEDBACK = "transport-cc";
    /** Accepted from a publisher that does not offer transport-cc: it gets its uplink estimate as REMB. */
    private static final String REMB_FEEDBACK = "goog-remb";
    private static final String PROTO = "UDP/TLS/RTP/SAVPF";
    /** Simulcast layers the SFU forwards (RFC 8853 rids beyond this are ignored). */
    static final int MAX_SIMULCAST_LAYERS = 3;

    private PublishNegotiator() {
    }

    /**
     * @param offerText the client's offer
     * @param local the server transport's ICE credentials, fingerprint and candidates ({@code setup} is
     *     chosen here from the offer)
     * @param endpointId used to name tracks that carry no msid
     */
    public static PublishAnswer answer(String offerText, TransportParameters local, String endpointId)
            throws SdpException {
        return answer(SessionDescription.parse(offerText), local, endpointId, PublishLimits.DEFAULTS);
    }

    /**
     * As {@link #answer(String, TransportParameters, String)} for an offer already parsed (the signaling
     * thread parses, so the media thread never sees an offer it cannot read), within {@code limits}.
     */
    public static PublishAnswer answer(SessionDescription offer, TransportParameters local, String endpointId,
            PublishLimits limits) throws SdpException {
        TransportParameters remote = TransportParameters.of(offer);
        DtlsSetup ourSetup = remote.setup() == DtlsSetup.PASSIVE ? DtlsSetup.ACTIVE : DtlsSetup.PASSIVE;
        TransportParameters ours = new TransportParameters(local.iceUfrag(), local.icePwd(),
                local.fingerprintAlgorithm(), local.fingerprint(), ourSetup, local.candidates());

        SessionDescription answer = newSession();
        List<PublishedTrack> tracks = new ArrayList<>();
        Map<HeaderExtension, Integer> extensionIds = new EnumMap<>(HeaderExtension.class);
        List<String> bundle = new ArrayList<>();
        boolean firstAccepted = true;
        DataChannelParameters data = null;
        for (MediaDescription m : offer.media()) {
            String mid = m.mid();
            if (mid == null) {
                throw new SdpException("every media section needs a=mid (BUNDLE)");
            }
            checkLimits(m, tracks, limits);
            MediaDescription out;
            DataChannelParameters offered = data == null ? DataChannelParameters.of(m, mid) : null;
            if (offered != null) {
                data = offered; // one association per transport: a second data section is rejected
                out = data.answer(ours, firstAccepted);
            } else {
                out = negotiate(m, mid, ours, firstAccepted, extensionIds, tracks, endpointId, limits);
            }
            answer.media().add(out);
            if (!out.isRejected()) {
                bundle.add(mid);
                firstAccepted = false;
            }
        }
        if (bundle.isEmpty()) {
            throw new SdpException("the offer has no audio, video or data channel the server can receive");
        }
        answer.attributes().add(0, new Attribute("group", "BUNDLE " + String.join(" ", bundle)));
        boolean remb = answer.media().stream()
                .anyMatch(md -> md.attributes("rtcp-fb").stream().anyMatch(fb -> fb.endsWith(" " + REMB_FEEDBACK)));
        return new PublishAnswer(answer.toString(), List.copyOf(tracks), remote, extensionIds, ourSetup, remb, data);
    }

    static SessionDescription newSession() {
        SessionDescription s = SessionDescription.create();
        s.add("msid-semantic", " WMS *");
        return s;
    }

    /** Refuses an offer that would publish more tracks of a kind than the limits allow. */
    private static void checkLimits(MediaDescription m, List<PublishedTrack> accepted, PublishLimits limits)
            throws SdpException {
        MediaKind kind = MediaKind.ofWireName(m.media());
        if (kind == null || m.isRejected()) {
            return;
        }
        int max = kind == MediaKind.AUDIO ? limits.audioTracks() : limits.videoTracks();
        long already = accepted.stream().filter(t -> t.kind() == kind).count();
        if (already >= max) {
            throw new SdpException("the offer publishes more than " + max + " " + kind.wireName()
                    + " tracks, the most one endpoint may publish (limit " + kind.wireName() + "-tracks)");
        }
    }

    private static MediaDescription negotiate(MediaDescription m, String mid, TransportParameters ours, boolean first,
            Map<HeaderExtension, Integer> extensionIds, List<PublishedTrack> tracks, String endpointId,
            PublishLimits limits) {
        boolean rtp = (m.media().equals("audio") || m.media().equals("video")) && m.proto().contains("RTP/SAVPF");
        if (!rtp || m.isRejected()) {
            return rejected(m, mid);
        }
        MediaFormats formats = new MediaFormats(m);
        int pt = choosePayloadType(m.media(), formats);
        if (pt < 0) {
            return rejected(m, mid);
        }
        Codec codec = CodecMatcher.of(formats.rtpMap(pt), formats);
        int rtx = codec.rtxPayloadType() >= 0 ? formats.rtxFor(pt) : -1;

        List<String> fmts = new ArrayList<>();
        fmts.add(Integer.toString(pt));
        if (rtx >= 0) {
            fmts.add(Integer.toString(rtx));
        }
        MediaDescription out = new MediaDescription(m.media(), 9, PROTO, fmts);
        out.otherLines().add("c=IN IP4 0.0.0.0");
        ours.writeTo(out, first);
        out.add("mid", mid);
        for (String ext : m.attributes("extmap")) {
            String[] parts = ext.split(" ");
            HeaderExtension e = parts.length >= 2 ? HeaderExtension.ofUri(parts[1]) : null;
            int id = parseId(parts[0]);
            if (e != null && ACCEPTED_EXTENSIONS.contains(e) && id > 0) {
                out.add("extmap", id + answerDirection(parts[0]) + " " + e.uri());
                extensionIds.put(e, id);
            }
        }
        String direction = m.direction();
        boolean sends = direction.equals("sendonly") || direction.equals("sendrecv");
        out.add(sends ? "recvonly" : "inactive");
        out.add("rtcp-mux");
        if (m.hasAttribute("rtcp-rsize")) {
            out.add("rtcp-rsize");
        }
        out.add("rtpmap", formats.rtpMap(pt).toString());
        for (String fb : formats.rtcpFeedback(pt)) {
            boolean remb = fb.equals(REMB_FEEDBACK) && !formats.rtcpFeedback(pt).contains(TRANSPORT_CC_FEEDBACK);
            if (codec.feedback().contains(fb) || fb.equals(TRANSPORT_CC_FEEDBACK) || remb) {
                out.add("rtcp-fb", pt + " " + fb);
            }
        }
        String fmtp = formats.fmtp(pt);
        if (!fmtp.isEmpty()) {
            out.add("fmtp", pt + " " + fmtp);
        }
        if (rtx >= 0) {
            out.add("rtpmap", formats.rtpMap(rtx).toString());
            out.add("fmtp", rtx + " apt=" + pt);
        }
        List<String> rids = sends ? simulcastRids(m) : List.of();
        if (!rids.isEmpty()) {
            for (String rid : rids) {
                out.add("rid", rid + " recv");
            }
            out.add("simulcast", "recv " + String.join(";", rids));
        }
        if (sends) {
            tracks.add(describeTrack(m, mid, new MediaFormat(codec, pt, rtx, fmtp), rids, endpointId,
                    limits.ssrcsPerTrack()));
        }
        return out;
    }

    /**
     * RFC 8285 §6: an extension the offer sends only ({@code 9/sendonly}, as Firefox offers rid) is answered
     * recvonly; one offered without a direction is answered without one.
     */
    private static String answerDirection(String idText) {
        int slash = idText.indexOf('/');
        if (slash < 0) {
            return "";
        }
        return switch (idText.substring(slash + 1)) {
            case "sendonly" -> "/recvonly";
            case "recvonly" -> "/sendonly";
            case "inactive" -> "/inactive";
            default -> "";
        };
    }

    private static int parseId(String text) {
        try {
            int slash = text.indexOf('/');
            int id = Integer.parseInt(slash < 0 ? text : text.substring(0, slash));
            return id >= 1 && id <= 255 ? id : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int choosePayloadType(String media, MediaFormats formats) {
        List<Codec> preference = media.equals("audio") ? List.of(Codec.OPUS) : Codec.VIDEO_PREFERENCE;
        for (Codec codec : preference) {
            for (int pt : formats.payloadTypes()) {
                RtpMap map = formats.rtpMap(pt);
                if (map != null && CodecMatcher.matches(codec, map, formats)) {
                    return pt;
                }
            }
        }
        return -1;
    }

    /** The send rids of {@code a=simulcast:send} (RFC 8853), '~' (paused) stripped, alternatives flattened. */
    static List<String> simulcastRids(MediaDescription m) {
        String simulcast = m.attribute("simulcast").orElse(null);
        if (simulcast == null) {
            return List.of();
        }
        String[] parts = simulcast.trim().split(" +");
        List<String> rids = new ArrayList<>();
        for (int i = 0; i + 1 < parts.length; i += 2) {
            if (parts[i].equals("send")) {
                for (String alt : parts[i + 1].split("[;,]", MAX_SIMULCAST_LAYERS * 4)) {
                    String rid = alt.startsWith("~") ? alt.substring(1) : alt;
                    if (!rid.isEmpty() && rid.length() <= 16 && !rids.contains(rid)) {
                        rids.add(rid);
                        if (rids.size() == MAX_SIMULCAST_LAYERS) {
                            return rids; // no more layers are used: reading on is work for nothing
                        }
                    }
                }
            }
        }
        return rids;
    }

    private static PublishedTrack describeTrack(MediaDescription m, String mid, MediaFormat format, List<String> rids,
            String endpointId, int maxSsrcs) {
        String streamId = endpointId;
        String trackId = endpointId + "-" + mid;
        String msid = m.attribute("msid").orElse(null);
        if (msid != null) {
            // These ids reach every other client's SDP and the logs: only RFC 8830's msid-id is taken
            // (1 to 64 token-chars); anything else keeps the server's own names.
            String[] parts = msid.trim().split(" +");
            if (parts.length >= 1 && isMsidId(parts[0])) {
                streamId = parts[0];
            }
            if (parts.length >= 2 && isMsidId(parts[1])) {
                trackId = parts[1];
            }
        }
        if (!rids.isEmpty()) {
            // With rid simulcast (RFC 8853) the SDP does not say which SSRC is which rid: Chromium signals
            // none, Firefox one a=ssrc and FID group per layer in no stated order. Each stream is learned
            // from its packets' mid and rid (or repaired-rid) extensions; binding Firefox's signalled SSRCs
            // up front put all three layers into layer 0.
            return new PublishedTrack(mid, MediaKind.ofWireName(m.media()), streamId, trackId, format, List.copyOf(rids),
                    List.of(), Map.of(), List.of());
        }
        Map<Long, Long> rtx = new LinkedHashMap<>();
        Set<Long> repairs = new HashSet<>();
        List<Long> simulcast = new ArrayList<>();
        for (String group : m.attributes("ssrc-group")) {
            if (rtx.size() >= maxSsrcs) {
                break;
            }
            String[] parts = group.trim().split(" +");
            if (parts[0].equals("SIM") && parts.length >= 3 && parts.length <= 4 && simulcast.isEmpty() && rids.isEmpty()) {
                for (int i = 1; i < parts.length; i++) {
                    Long layer = parseSsrc(parts[i]);
                    if (layer == null || simulcast.contains(layer)) {
                        simulcast.clear();
                        break;
                    }
                    simulcast.add(layer);
                }
            } else if (parts.length == 3 && parts[0].equals("FID")) {
                Long primary = parseSsrc(parts[1]);
                Long repair = parseSsrc(parts[2]);
                if (primary != null && repair != null) {
                    rtx.put(primary, repair);
                    repairs.add(repair);
                }
            }
        }
        Set<Long> primaries = new java.util.LinkedHashSet<>();
        for (String line : m.attributes("ssrc")) {
            if (primaries.size() >= maxSsrcs) {
                break; // a section signals one line per SSRC and attribute: more SSRCs than this are noise
            }
            int space = line.indexOf(' ');
            Long ssrc = parseSsrc(space < 0 ? line : line.substring(0, space));
            if (ssrc != null && !repairs.contains(ssrc)) {
                primaries.add(ssrc);
            }
        }
        return new PublishedTrack(mid, MediaKind.ofWireName(m.media()), streamId, trackId, format, List.copyOf(rids), List.copyOf(primaries),
                Map.copyOf(rtx), List.copyOf(simulcast));
    }

    /** RFC 8830 §2: msid-id = 1*64token-char; token-char as RFC 8866 §9 (RFC 4566) defines it. */
    static boolean isMsidId(String id) {
        if (id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean tokenChar = c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D
                    || c == 0x2E || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x5E && c <= 0x7E);
            if (!tokenChar) {
                return false;
            }
        }
        return true;
    }

    private static Long parseSsrc(String text) {
        try {
            long v = Long.parseLong(text);
            return v >= 0 && v <= 0xffffffffL ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static MediaDescription rejected(MediaDescription m, String mid) {
        MediaDescription out = new MediaDescription(m.media(), 0, m.proto(),
                m.formats().isEmpty() ? List.of("0") : m.formats());
        out.otherLines().add("c=IN IP4 0.0.0.0");
        out.add("mid", mid);
        if (m.proto().contains("RTP")) {
            out.add("inactive");
        }
        return out;
    }
}
