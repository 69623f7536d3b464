package dev.sfu.core.data;

import dev.sfu.core.util.TokenBucket;
import dev.sfu.sctp.CloseReason;
import dev.sfu.sctp.PacketSink;
import dev.sfu.sctp.SctpConfig;
import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelListener;
import dev.sfu.sctp.dcep.DataChannels;
import java.util.HashMap;
import java.util.Map;

/**
 * One endpoint's SCTP association (over its publish transport's DTLS) and its data channels, as the
 * relay sees them: the channels the client opened (what it sends on), and the channels the server
 * opened towards it, one per (sender endpoint, sender channel). Media thread only.
 */
final class DataEndpoint implements DataChannelListener {
    /** A channel the server opened towards this endpoint to carry another endpoint's channel. */
    record Relayed(String senderId, int senderChannel) {
    }

    private final String endpointId;
    private final DataRelay relay;
    private final DataChannels channels;
    private final TokenBucket messageRate;
    private final TokenBucket byteRate;
    /** Relayed channels towards this endpoint, and since when each has been over the backlog limit. */
    private final Map<Relayed, DataChannel> relayed = new HashMap<>();
    private final Map<DataChannel, Long> blockedSince = new HashMap<>();
    /** DTLS is up and the SCTP handshake has started: messages for it queue until the handshake ends. */
    private boolean started;
    private boolean closed;

    DataEndpoint(String endpointId, DataRelay relay, SctpConfig config, PacketSink sink, DataLimits limits) {
        this.endpointId = endpointId;
        this.relay = relay;
        // The server is always the DTLS server of a publish transport (it answers a=setup:passive to
        // actpass), so its channels take odd stream ids (RFC 8832 §6).
        this.channels = new DataChannels(config, true, sink, this);
        this.messageRate = new TokenBucket(limits.messagesPerSecond());
        this.byteRate = new TokenBucket(limits.bytesPerSecond());
    }

    String endpointId() {
        return endpointId;
    }

    /**
     * Whether messages are relayed to this endpoint: from the moment its DTLS is up, not only once its SCTP
     * handshake has ended. The client learns its transport is up at about the moment the server does, and a
     * message relayed during the handshake's round trip waits in the association's bounded send queue
     * rather than being lost.
     */
    boolean receiving() {
        return started && !closed;
    }

    /** DTLS is up: both sides send INIT (RFC 8841 §5: 5000 ↔ 5000). */
    void connect(long nowNanos) {
        started = true;
        channels.connect(nowNanos);
    }

    /** An SCTP packet (a DTLS application-data record). */
    void receive(byte[] packet, long nowNanos) {
        channels.receive(packet, 0, packet.length, nowNanos);
    }

    long nextTimeoutNanos() {
        return channels.nextTimeoutNanos();
    }

    void onTick(long nowNanos) {
        if (nowNanos - channels.nextTimeoutNanos() >= 0) {
            channels.handleTimeout(nowNanos);
        }
    }

    /** Whether the sender may send a message of this size now (its rate limits). */
    boolean admit(int bytes, long nowNanos) {
        return messageRate.take(1, nowNanos) && byteRate.take(bytes, nowNanos);
    }

    /** The channel carrying a sender's channel to this endpoint, opened on first use; null if none can be. */
    DataChannel relayedChannel(String senderId, DataChannel source, long nowNanos) {
        Relayed key = new Relayed(senderId, source.id());
        DataChannel ch = relayed.get(key);
        if (ch == null || ch.state() != DataChannel.State.OPEN) {
            ch = channels.open(source.label(), Reliability.of(source).withProtocol(senderId), nowNanos);
            if (ch == null) {
                return null;
            }
            relayed.put(key, ch);
        }
        return ch;
    }

    /**
     * Whether a relayed channel is over the backlog limit; for a reliable one, whether it has been for
     * longer than the limits allow (then it is closed and forgotten, and null is the answer).
     */
    Long backlogSince(DataChannel ch, long backlogLimit, long nowNanos) {
        if (ch.bufferedAmount() <= backlogLimit) {
            blockedSince.remove(ch);
            return null;
        }
        return blockedSince.computeIfAbsent(ch, c -> nowNanos);
    }

    /** Closes the channel a sender's channel was relayed on (it closed it, or it left). */
    void closeRelayed(String senderId, int senderChannel, long nowNanos) {
        DataChannel ch = relayed.remove(new Relayed(senderId, senderChannel));
        if (ch != null) {
            blockedSince.remove(ch);
            ch.close(nowNanos);
        }
    }

    /** Closes every channel relayed from a sender that left. */
    void closeRelayedFrom(String senderId, long nowNanos) {
        relayed.keySet().stream().filter(k -> k.senderId().equals(senderId)).toList()
                .forEach(k -> closeRelayed(k.senderId(), k.senderChannel(), nowNanos));
    }

    /** Closes a relayed channel that stayed blocked; the sender's channel goes on for everyone else. */
    void closeBlocked(DataChannel ch, long nowNanos) {
        relayed.values().remove(ch);
        blockedSince.remove(ch);
        ch.close(nowNanos);
    }

    /** Ends the association (the endpoint left): ABORT, not a graceful shutdown that waits for the peer. */
    void close(long nowNanos) {
        if (!closed) {
            closed = true;
            channels.association().abort("the endpoint left", nowNanos);
        }
    }

    // ---- DataChannelListener ----

    @Override
    public void onText(DataChannel channel, String text) {
        if (isRelayed(channel)) {
            return; // a receiver answering on a channel we opened towards it: not a channel of its own
        }
        relay.forward(this, channel, text, null, channels.association().now());
    }

    @Override
    public void onBinary(DataChannel channel, byte[] data) {
        if (isRelayed(channel)) {
            return;
        }
        relay.forward(this, channel, null, data, channels.association().now());
    }

    @Override
    public void onChannelClosed(DataChannel channel) {
        if (!isRelayed(channel)) {
            relay.senderChannelClosed(this, channel, channels.association().now());
        }
        blockedSince.remove(channel);
        relayed.values().remove(channel);
    }

    @Override
    public void onAssociationClosed(CloseReason reason, String detail) {
        closed = true;
        relay.associationClosed(this, channels.association().now());
    }

    private boolean isRelayed(DataChannel channel) {
        return (channel.id() & 1) == 1; // odd ids are the server's own (it is the DTLS server)
    }
}
