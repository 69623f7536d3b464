package dev.sfu.sctp;

/**
 * Settings of one association, read once when it is created. The defaults follow RFC 9260 §16 (protocol
 * parameters) and what browsers use for data channels (RFC 8841: port 5000, max-message-size 262144).
 * Setters return this for chaining; an association takes a copy, so a config may be reused.
 */
public final class SctpConfig implements Cloneable {
    public static final long MS = 1_000_000L;
    public static final long SECOND = 1_000 * MS;

    int localPort = 5000;
    int remotePort = 5000;
    /** Largest SCTP packet (common header included) this side sends; DTLS and UDP/IP go around it. */
    int mtu = 1200;
    int maxMessageSize = 262_144;
    /**
     * The largest message the peer takes: its SDP a=max-message-size (RFC 8841 §6.1; 0 there means no limit,
     * absent means 65536). Sends are refused above min(this, maxMessageSize).
     */
    int peerMaxMessageSize = 262_144;
    /** Bytes held for sending per association: not yet sent plus sent and not yet acknowledged. */
    long maxSendQueueBytes = 4L * 1024 * 1024;
    /** Receive buffer: user data held for reassembly; the advertised a_rwnd is what is left of it. */
    int receiveBufferBytes = 1024 * 1024;
    int maxOutboundStreams = 65_535;
    int maxInboundStreams = 65_535;
    long rtoInitialNanos = SECOND;
    long rtoMinNanos = SECOND;
    long rtoMaxNanos = 60 * SECOND;
    /** Association.Max.Retrans: consecutive T3/heartbeat/T2 failures before the association is failed. */
    int maxRetransmissions = 10;
    /** Max.Init.Retransmits: INIT or COOKIE ECHO sends before giving up. */
    int maxInitRetransmissions = 8;
    long heartbeatIntervalNanos = 30 * SECOND;
    long delayedAckNanos = 200 * MS;
    long cookieLifetimeNanos = 60 * SECOND;
    /** Out-of-order TSN ranges kept above the cumulative TSN; a DATA that would make one more is dropped. */
    int maxGapRanges = 128;
    /** DATA more than this many TSNs above the cumulative TSN is out of window and dropped. */
    int maxTsnWindow = 65_536;
    /** Duplicate TSNs remembered for the next SACK. */
    int maxDuplicateTsns = 16;

    public static SctpConfig defaults() {
        return new SctpConfig();
    }

    public SctpConfig copy() {
        try {
            return (SctpConfig) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    public SctpConfig localPort(int v) { localPort = v; return this; }
    public SctpConfig remotePort(int v) { remotePort = v; return this; }
    public SctpConfig mtu(int v) {
        if (v < 256 || v > 65_535) {
            throw new IllegalArgumentException("mtu " + v);
        }
        mtu = v;
        return this;
    }
    public SctpConfig maxMessageSize(int v) { maxMessageSize = positive("maxMessageSize", v); return this; }
    /** From the peer's SDP: 0 means it has no limit (then only maxMessageSize applies). */
    public SctpConfig peerMaxMessageSize(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("peerMaxMessageSize " + v);
        }
        peerMaxMessageSize = v;
        return this;
    }
    public SctpConfig maxSendQueueBytes(long v) { maxSendQueueBytes = positive("maxSendQueueBytes", v); return this; }
    /** At least 1500 bytes, so that a full chunk always fits. */
    public SctpConfig receiveBufferBytes(int v) {
        if (v < 1500) {
            throw new IllegalArgumentException("receiveBufferBytes " + v);
        }
        receiveBufferBytes = v;
        return this;
    }
    public SctpConfig maxOutboundStreams(int v) { maxOutboundStreams = streams(v); return this; }
    public SctpConfig maxInboundStreams(int v) { maxInboundStreams = streams(v); return this; }

    private static int streams(int v) {
        if (v < 1 || v > 65_535) {
            throw new IllegalArgumentException("streams " + v);
        }
        return v;
    }
    public SctpConfig rtoInitialNanos(long v) { rtoInitialNanos = v; return this; }
    public SctpConfig rtoMinNanos(long v) { rtoMinNanos = v; return this; }
    public SctpConfig rtoMaxNanos(long v) { rtoMaxNanos = v; return this; }
    public SctpConfig maxRetransmissions(int v) { maxRetransmissions = v; return this; }
    public SctpConfig maxInitRetransmissions(int v) { maxInitRetransmissions = v; return this; }
    public SctpConfig heartbeatIntervalNanos(long v) { heartbeatIntervalNanos = v; return this; }
    public SctpConfig delayedAckNanos(long v) { delayedAckNanos = v; return this; }
    public SctpConfig cookieLifetimeNanos(long v) { cookieLifetimeNanos = v; return this; }
    public SctpConfig maxGapRanges(int v) { maxGapRanges = positive("maxGapRanges", v); return this; }
    public SctpConfig maxTsnWindow(int v) { maxTsnWindow = positive("maxTsnWindow", v); return this; }

    private static int positive(String name, int v) {
        return (int) positive(name, (long) v);
    }

    private static long positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " " + v);
        }
        return v;
    }

    public int mtu() { return mtu; }
    public int maxMessageSize() { return maxMessageSize; }

    /** What send() takes at most. */
    public int maxSendMessageSize() {
        return peerMaxMessageSize == 0 ? maxMessageSize : Math.min(maxMessageSize, peerMaxMessageSize);
    }
    public long maxSendQueueBytes() { return maxSendQueueBytes; }
    public int receiveBufferBytes() { return receiveBufferBytes; }
    public int localPort() { return localPort; }
    public int remotePort() { return remotePort; }
}
