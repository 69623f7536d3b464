package dev.sfu.sctp;

/** Why an inbound packet or chunk was dropped; each has a counter in {@link SctpCounters}. */
public enum DropReason {
    /** Shorter than the 12-byte common header. */
    TOO_SHORT,
    /** CRC32c mismatch (RFC 9260 §6.8). */
    BAD_CHECKSUM,
    /** Ports other than the association's. */
    BAD_PORT,
    /** Verification tag not ours, or not the one the chunk type allows (RFC 9260 §8.5). */
    BAD_VERIFICATION_TAG,
    /** A chunk header whose length is under 4 or runs past the packet. */
    TRUNCATED_CHUNK,
    /** A chunk whose value is too short for its fields or whose parameters do not fit. */
    MALFORMED_CHUNK,
    /** Unknown chunk type (counted whatever its upper bits asked). */
    UNKNOWN_CHUNK,
    /** INIT bundled with other chunks, or with a non-zero tag (RFC 9260 §8.5.1). */
    INIT_NOT_ALONE,
    /** A chunk that the current state does not expect. */
    UNEXPECTED_IN_STATE,
    /** COOKIE ECHO whose signature does not verify. */
    BAD_COOKIE,
    /** COOKIE ECHO older than the cookie lifetime (RFC 9260 §5.1.5 step 3). */
    STALE_COOKIE,
    /** Peer restart (RFC 9260 §5.2.4 case A): not supported, the COOKIE ECHO is dropped. */
    RESTART_UNSUPPORTED,
    /** DATA TSN too far above the cumulative TSN for the tracking window. */
    OUT_OF_WINDOW_TSN,
    /** DATA TSN already received (also reported in the SACK's duplicate list). */
    DUPLICATE_TSN,
    /** DATA that does not fit the receive buffer; the peer will retransmit it. */
    RECEIVE_BUFFER_FULL,
    /** DATA that would create more gap-ack ranges than the configured bound. */
    TOO_MANY_GAPS,
    /** DATA on a stream id at or above the negotiated inbound stream count. */
    INVALID_STREAM,
    /** SACK whose cumulative ack is older than one already seen: overtaken on the way (RFC 9260 §6.2.1 D i). */
    STALE_SACK,
    /** SACK that acknowledges TSNs never sent. */
    BAD_SACK,
    /** HEARTBEAT-ACK that does not match a heartbeat we sent. */
    BAD_HEARTBEAT_ACK,
    /** DATA or other traffic after the association was closed. */
    CLOSED
}
