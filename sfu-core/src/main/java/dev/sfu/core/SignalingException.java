package dev.sfu.core;

/**
 * A request from a client that the server cannot honour. Its {@link Code} maps one to one onto the
 * signaling protocol's error codes, and its message is safe to show to the client (never a stack trace).
 */
public final class SignalingException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The error codes of the signaling protocol. */
    public enum Code {
        BAD_REQUEST("bad-request"),
        NOT_JOINED("not-joined"),
        UNAUTHORIZED("unauthorized"),
        CONFERENCE_FULL("conference-full"),
        SDP_REJECTED("sdp-rejected"),
        INTERNAL("internal"),
        /** The conference cannot be placed now (cluster store unreachable, every node full or draining). */
        UNAVAILABLE("unavailable");

        private final String wireName;

        Code(String wireName) {
            this.wireName = wireName;
        }

        /** The code as it is written in an {@code error} message. */
        public String wireName() {
            return wireName;
        }
    }

    private final Code code;

    public SignalingException(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
