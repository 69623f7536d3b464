package dev.sfu.core.sdp;

/** An SDP that cannot be parsed or offers nothing usable; the message is safe to show to the client. */
public final class SdpException extends Exception {
    private static final long serialVersionUID = 1L;

    public SdpException(String message) {
        super(message, null, false, false);
    }
}
