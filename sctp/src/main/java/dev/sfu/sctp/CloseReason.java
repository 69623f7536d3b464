package dev.sfu.sctp;

/** How an association ended. */
public enum CloseReason {
    /** SHUTDOWN exchange completed (RFC 9260 §9.2), whichever side began it. */
    SHUTDOWN,
    /** The peer sent ABORT. */
    ABORTED_BY_PEER,
    /** {@link SctpAssociation#abort} was called. */
    ABORTED_LOCALLY,
    /** Too many retransmissions (Association.Max.Retrans, Max.Init.Retransmits) or heartbeats unanswered. */
    FAILED,
    /** The peer broke a rule this stack enforces (e.g. a message over max-message-size); we sent ABORT. */
    PROTOCOL_VIOLATION
}
