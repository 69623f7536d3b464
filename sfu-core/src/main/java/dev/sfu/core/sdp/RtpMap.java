package dev.sfu.core.sdp;

import java.util.Locale;

/**
 * {@code a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]} (RFC 8866 §6.6).
 *
 * @param encodingName as written, compared case-insensitively through {@link #is(String)}
 */
public record RtpMap(int payloadType, String encodingName, int clockRate, int channels) {

    /** Parses an rtpmap value; null when it is malformed. */
    public static RtpMap parse(String value) {
        try {
            int space = value.indexOf(' ');
            int pt = Integer.parseInt(value.substring(0, space));
            String[] enc = value.substring(space + 1).trim().split("/");
            int channels = enc.length > 2 ? Integer.parseInt(enc[2]) : 1;
            if (pt < 0 || pt > 127 || enc.length < 2) {
                return null;
            }
            return new RtpMap(pt, enc[0], Integer.parseInt(enc[1]), channels);
        } catch (RuntimeException e) {
            return null;
        }
    }

    public boolean is(String name) {
        return encodingName.equalsIgnoreCase(name);
    }

    public String lowerName() {
        return encodingName.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return payloadType + " " + encodingName + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}
