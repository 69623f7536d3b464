package dev.sfu.sctp;

/**
 * Events of an association. They are delivered after the association finished handling the call that
 * caused them (receive, handleTimeout, send...), so a listener may call back into it.
 */
public interface AssociationListener {
    default void onConnected() {}

    /** A whole user message. The array belongs to the listener. */
    default void onMessage(int streamId, int ppid, byte[] data) {}

    /** The peer reset these streams of its own (our inbound side; RFC 6525 §5.2.2). */
    default void onIncomingStreamsReset(int[] streamIds) {}

    /** Our reset of these outbound streams was performed by the peer (RFC 6525 §5.2.4). */
    default void onOutgoingStreamsReset(int[] streamIds) {}

    /** Bytes waiting to be sent on the stream fell to or below its threshold. */
    default void onBufferedAmountLow(int streamId) {}

    default void onClosed(CloseReason reason, String detail) {}
}
