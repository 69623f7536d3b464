package dev.sfu.sctp.dcep;

import dev.sfu.sctp.CloseReason;

/** Events of a {@link DataChannels}; delivered like the association's, so listeners may call back in. */
public interface DataChannelListener {
    /** The SCTP association is up: channels opened before now have had their OPEN sent. */
    default void onConnected() {}

    /** The peer opened a channel with DATA_CHANNEL_OPEN (we answered with DATA_CHANNEL_ACK). */
    default void onChannelOpenedByPeer(DataChannel channel) {}

    /** The peer acknowledged a channel we opened. */
    default void onChannelAcked(DataChannel channel) {}

    default void onText(DataChannel channel, String text) {}

    default void onBinary(DataChannel channel, byte[] data) {}

    default void onBufferedAmountLow(DataChannel channel) {}

    /** Closed: both directions of its stream were reset, or the association ended. */
    default void onChannelClosed(DataChannel channel) {}

    default void onAssociationClosed(CloseReason reason, String detail) {}
}
