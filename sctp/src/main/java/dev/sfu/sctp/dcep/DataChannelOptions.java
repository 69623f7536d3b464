package dev.sfu.sctp.dcep;

/**
 * How a channel is opened, as in RTCDataChannelInit: ordered or not, at most one of maxRetransmits and
 * maxPacketLifeTimeMs (-1 = unset), a sub-protocol, a priority (RFC 8832 §5.1) and, for a channel negotiated
 * out of band, its stream id (-1 = open with DCEP).
 */
public record DataChannelOptions(boolean ordered, int maxRetransmits, long maxPacketLifeTimeMs, String protocol,
        int priority, int negotiatedId) {
    public static final DataChannelOptions RELIABLE = new DataChannelOptions(true, -1, -1, "", 256, -1);

    public DataChannelOptions {
        if (maxRetransmits >= 0 && maxPacketLifeTimeMs >= 0) {
            throw new IllegalArgumentException("maxRetransmits and maxPacketLifeTime are exclusive");
        }
        if (protocol == null) {
            protocol = "";
        }
    }

    public DataChannelOptions withOrdered(boolean v) {
        return new DataChannelOptions(v, maxRetransmits, maxPacketLifeTimeMs, protocol, priority, negotiatedId);
    }

    public DataChannelOptions withMaxRetransmits(int v) {
        return new DataChannelOptions(ordered, v, -1, protocol, priority, negotiatedId);
    }

    public DataChannelOptions withMaxPacketLifeTimeMs(long v) {
        return new DataChannelOptions(ordered, -1, v, protocol, priority, negotiatedId);
    }

    public DataChannelOptions withProtocol(String v) {
        return new DataChannelOptions(ordered, maxRetransmits, maxPacketLifeTimeMs, v, priority, negotiatedId);
    }

    public DataChannelOptions withPriority(int v) {
        return new DataChannelOptions(ordered, maxRetransmits, maxPacketLifeTimeMs, protocol, v, negotiatedId);
    }

    public DataChannelOptions negotiated(int id) {
        return new DataChannelOptions(ordered, maxRetransmits, maxPacketLifeTimeMs, protocol, priority, id);
    }
}
