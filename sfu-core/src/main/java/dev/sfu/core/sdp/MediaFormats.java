package dev.sfu.core.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the payload-format attributes of one media section: rtpmap, fmtp and rtcp-fb by payload type,
 * and the RTX associations (RFC 4588 {@code apt=}).
 */
public final class MediaFormats {
    private final Map<Integer, RtpMap> rtpMaps = new LinkedHashMap<>();
    private final Map<Integer, String> fmtps = new LinkedHashMap<>();
    private final Map<Integer, List<String>> feedback = new LinkedHashMap<>();
    private final List<Integer> order = new ArrayList<>();

    public MediaFormats(MediaDescription m) {
        for (String f : m.formats()) {
            try {
                order.add(Integer.parseInt(f));
            } catch (NumberFormatException ignored) {
                // a non-RTP format (e.g. webrtc-datachannel): not ours to read
            }
        }
        for (Attribute a : m.attributes()) {
            if (a.value() == null) {
                continue;
            }
            switch (a.name()) {
                case "rtpmap" -> {
                    RtpMap map = RtpMap.parse(a.value());
                    if (map != null) {
                        rtpMaps.put(map.payloadType(), map);
                    }
                }
                case "fmtp" -> {
                    int pt = leadingPayloadType(a.value());
                    if (pt >= 0) {
                        fmtps.put(pt, a.value().substring(a.value().indexOf(' ') + 1).trim());
                    }
                }
                case "rtcp-fb" -> {
                    int pt = leadingPayloadType(a.value());
                    if (pt >= 0) {
                        feedback.computeIfAbsent(pt, k -> new ArrayList<>())
                                .add(a.value().substring(a.value().indexOf(' ') + 1).trim());
                    }
                }
                default -> {
                }
            }
        }
    }

    private static int leadingPayloadType(String value) {
        int space = value.indexOf(' ');
        if (space <= 0) {
            return -1;
        }
        try {
            int pt = Integer.parseInt(value.substring(0, space));
            return pt >= 0 && pt <= 127 ? pt : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Payload types in the m= line's order (the offerer's preference). */
    public List<Integer> payloadTypes() {
        return order;
    }

    public RtpMap rtpMap(int pt) {
        return rtpMaps.get(pt);
    }

    /** The fmtp parameters of a payload type ("" when none). */
    public String fmtp(int pt) {
        return fmtps.getOrDefault(pt, "");
    }

    /** One fmtp parameter ({@code key=value;...}) or null. */
    public String fmtpParameter(int pt, String key) {
        for (String p : fmtp(pt).split(";")) {
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(key)) {
                return p.substring(eq + 1).trim();
            }
        }
        return null;
    }

    public List<String> rtcpFeedback(int pt) {
        return feedback.getOrDefault(pt, List.of());
    }

    /** The RTX payload type whose {@code apt} is {@code pt}, or -1. */
    public int rtxFor(int pt) {
        for (int candidate : order) {
            RtpMap map = rtpMaps.get(candidate);
            if (map != null && map.is("rtx") && String.valueOf(pt).equals(fmtpParameter(candidate, "apt"))) {
                return candidate;
            }
        }
        return -1;
    }
}
