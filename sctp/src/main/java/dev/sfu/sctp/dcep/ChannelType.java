package dev.sfu.sctp.dcep;

/**
 * DATA_CHANNEL_OPEN channel types (RFC 8832 §5.1). The high bit means unordered; the low bits the
 * reliability: fully reliable, limited retransmissions, or limited lifetime (milliseconds).
 */
public enum ChannelType {
    RELIABLE(0x00),
    RELIABLE_UNORDERED(0x80),
    PARTIAL_RELIABLE_REXMIT(0x01),
    PARTIAL_RELIABLE_REXMIT_UNORDERED(0x81),
    PARTIAL_RELIABLE_TIMED(0x02),
    PARTIAL_RELIABLE_TIMED_UNORDERED(0x82);

    public final int code;

    ChannelType(int code) {
        this.code = code;
    }

    public boolean unordered() {
        return (code & 0x80) != 0;
    }

    public boolean limitsRetransmits() {
        return (code & 0x7F) == 0x01;
    }

    public boolean limitsLifetime() {
        return (code & 0x7F) == 0x02;
    }

    /** Null for a code RFC 8832 does not define. */
    public static ChannelType of(int code) {
        for (ChannelType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    public static ChannelType of(boolean ordered, int maxRetransmits, long maxPacketLifeTimeMs) {
        if (maxRetransmits >= 0) {
            return ordered ? PARTIAL_RELIABLE_REXMIT : PARTIAL_RELIABLE_REXMIT_UNORDERED;
        }
        if (maxPacketLifeTimeMs >= 0) {
            return ordered ? PARTIAL_RELIABLE_TIMED : PARTIAL_RELIABLE_TIMED_UNORDERED;
        }
        return ordered ? RELIABLE : RELIABLE_UNORDERED;
    }
}
