package dev.sfu.core.sdp;

/**
 * The data-channel section (RFC 8841) a publish offer carried and the server accepted: the client's SCTP
 * port and the largest message it takes ({@code a=max-message-size}; RFC 8841 §6: 0 means no limit,
 * absent means 64 KiB).
 *
 * @param mid the section's mid
 * @param remotePort the client's {@code a=sctp-port}
 * @param remoteMaxMessageSize the largest message the server may send the client, in bytes
 */
public record DataChannelParameters(String mid, int remotePort, long remoteMaxMessageSize) {
    /** The SCTP port the server uses, as every browser does. */
    public static final int LOCAL_PORT = 5000;
    /** The largest message the server accepts; the protocol promises at least this much. */
    public static final int LOCAL_MAX_MESSAGE_SIZE = 262144;
    /** RFC 8841 §6: without the attribute, a peer takes messages of up to 64 KiB. */
    static final long DEFAULT_MAX_MESSAGE_SIZE = 65536;
    /** RFC 8841 §6: the value 0 says the peer takes messages of any size (the server caps its own). */
    static final long NO_LIMIT = Long.MAX_VALUE;
    static final String PROTO = "UDP/DTLS/SCTP";
    static final String FORMAT = "webrtc-datachannel";

    /**
     * Reads a client's {@code m=application} section, or null when it is not a data-channel section the
     * server takes (another protocol, another format, a malformed port).
     */
    static DataChannelParameters of(MediaDescription m, String mid) {
        if (!m.media().equals("application") || !m.proto().equals(PROTO) || !m.formats().equals(java.util.List.of(FORMAT))
                || m.isRejected()) {
            return null;
        }
        int port = (int) number(m.attribute("sctp-port").orElse("5000"), 65535);
        if (port <= 0) {
            return null;
        }
        String size = m.attribute("max-message-size").orElse(null);
        long maxMessageSize = size == null ? DEFAULT_MAX_MESSAGE_SIZE : number(size, Long.MAX_VALUE / 2);
        if (maxMessageSize < 0) {
            return null;
        }
        return new DataChannelParameters(mid, port, maxMessageSize == 0 ? NO_LIMIT : maxMessageSize);
    }

    /** The answer's section: our SCTP port and limit; never the experimental {@code a=sctp-init} of Chrome's. */
    MediaDescription answer(TransportParameters ours, boolean first) {
        MediaDescription out = new MediaDescription("application", 9, PROTO, java.util.List.of(FORMAT));
        out.otherLines().add("c=IN IP4 0.0.0.0");
        ours.writeTo(out, first);
        out.add("mid", mid);
        out.add("sctp-port", Integer.toString(LOCAL_PORT));
        out.add("max-message-size", Integer.toString(LOCAL_MAX_MESSAGE_SIZE));
        return out;
    }

    /** A non-negative decimal no larger than {@code max}, or -1. */
    private static long number(String text, long max) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 19 || !t.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        long v = Long.parseLong(t);
        return v <= max ? v : -1;
    }
}
