package dev.sfu.sctp.dcep;

import dev.sfu.sctp.SendOptions;
import dev.sfu.sctp.SendResult;
import java.nio.charset.StandardCharsets;

/** One data channel (RFC 8831): a stream id used in both directions, with the reliability it was opened with. */
public final class DataChannel {
    public enum State { OPEN, CLOSING, CLOSED }

    private final DataChannels owner;
    private final int id;
    private final String label;
    private final String protocol;
    private final ChannelType type;
    private final int priority;
    private final long reliabilityParameter;
    private final boolean negotiated;
    State state = State.OPEN;
    /**
     * RFC 8832 §6: until the peer's DATA_CHANNEL_ACK (or any message from it) arrives, messages go ordered
     * so that none overtakes the OPEN.
     */
    boolean acked;
    boolean outgoingReset;
    boolean incomingReset;
    /** Opened by the peer on an id whose old channel's reset (ours) was not yet answered: ACK when it is. */
    boolean ackPending;

    DataChannel(DataChannels owner, int id, String label, String protocol, ChannelType type, int priority,
            long reliabilityParameter, boolean negotiated) {
        this.owner = owner;
        this.id = id;
        this.label = label;
        this.protocol = protocol;
        this.type = type;
        this.priority = priority;
        this.reliabilityParameter = reliabilityParameter;
        this.negotiated = negotiated;
        this.acked = negotiated;
    }

    public int id() { return id; }
    public String label() { return label; }
    public String protocol() { return protocol; }
    public ChannelType channelType() { return type; }
    public int priority() { return priority; }
    public boolean ordered() { return !type.unordered(); }
    public boolean negotiated() { return negotiated; }
    public State state() { return state; }

    /** -1 unless the channel limits retransmissions. */
    public int maxRetransmits() {
        return type.limitsRetransmits() ? (int) Math.min(Integer.MAX_VALUE, reliabilityParameter) : -1;
    }

    /** -1 unless the channel limits lifetime. */
    public long maxPacketLifeTimeMs() {
        return type.limitsLifetime() ? reliabilityParameter : -1;
    }

    /** The SCTP send parameters for this channel's reliability (RFC 8831 §6.6, RFC 7496). */
    SendOptions sendOptions() {
        boolean unordered = type.unordered() && acked;
        long lifetime = maxPacketLifeTimeMs();
        return new SendOptions(unordered, maxRetransmits(), lifetime >= 0 ? lifetime * 1_000_000L : -1);
    }

    /** A text message: PPID 51, or PPID 56 with one byte when empty (RFC 8831 §6.6). */
    public SendResult send(String text, long now) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return b.length == 0 ? owner.sendRaw(this, DcepMessage.PPID_STRING_EMPTY, new byte[1], now)
                : owner.sendRaw(this, DcepMessage.PPID_STRING, b, now);
    }

    /** A binary message: PPID 53, or PPID 57 with one byte when empty. The array is taken over. */
    public SendResult send(byte[] data, long now) {
        return data.length == 0 ? owner.sendRaw(this, DcepMessage.PPID_BINARY_EMPTY, new byte[1], now)
                : owner.sendRaw(this, DcepMessage.PPID_BINARY, data, now);
    }

    public long bufferedAmount() {
        return owner.association().bufferedAmount(id);
    }

    public void setBufferedAmountLowThreshold(long bytes) {
        owner.association().setBufferedAmountLowThreshold(id, bytes);
    }

    /** Closes with an outgoing stream reset (RFC 8831 §6.7); closed once the peer reset its side too. */
    public void close(long now) {
        owner.close(this, now);
    }

    @Override
    public String toString() {
        return "DataChannel{" + id + ", '" + label + "', " + type + ", " + state + "}";
    }
}
