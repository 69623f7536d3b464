package dev.sfu.sctp;

/** A user message on its way out: what is left to fragment, and its partial-reliability limits. */
final class OutboundMessage {
    final int streamId;
    final int ppid;
    final byte[] data;
    final boolean unordered;
    final int maxRetransmits;
    /** Absolute deadline on the caller's clock, or Long.MAX_VALUE. */
    final long expiresAt;
    int ssn;
    boolean ssnAssigned;
    /** Bytes already cut into DATA chunks. */
    int offset;
    /** Set when any fragment is abandoned (RFC 3758): the rest is not sent. */
    boolean abandoned;

    OutboundMessage(int streamId, int ppid, byte[] data, SendOptions opts, long now) {
        this.streamId = streamId;
        this.ppid = ppid;
        this.data = data;
        this.unordered = opts.unordered();
        this.maxRetransmits = opts.maxRetransmits();
        this.expiresAt = opts.maxLifetimeNanos() >= 0 ? now + opts.maxLifetimeNanos() : Long.MAX_VALUE;
    }

    int remaining() {
        return data.length - offset;
    }

    boolean expired(long now) {
        return now >= expiresAt;
    }
}
