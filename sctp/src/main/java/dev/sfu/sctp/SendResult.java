package dev.sfu.sctp;

/** What {@link SctpAssociation#send} did with a message; sending never throws for these. */
public enum SendResult {
    /** Queued; it goes out as the windows allow. */
    OK,
    /** The association's send queue limit would be exceeded; try again after buffered-amount-low. */
    QUEUE_FULL,
    /** Larger than max-message-size. */
    MESSAGE_TOO_LARGE,
    /** SCTP cannot carry an empty message (RFC 9260 §6.2); DCEP sends one byte with an "empty" PPID. */
    EMPTY_MESSAGE,
    /** Stream id outside the negotiated outbound streams. */
    INVALID_STREAM,
    /** The stream is being reset (closing); nothing more may go on it until the reset completes. */
    STREAM_RESETTING,
    /** Shutting down, closed or failed. */
    NOT_CONNECTED
}
