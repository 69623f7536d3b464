package dev.sfu.core.media;

import dev.sfu.core.transport.Transport;
import dev.sfu.rtp.RtpPacket;

/**
 * One track delivered to one endpoint: which encoding it forwards and how it rewrites SSRC, sequence
 * numbers, timestamps and payload type so that the subscriber sees one clean stream. Owned by the
 * conference's media thread.
 */
public final class Subscription {
    private final Track track;
    private final String subscriberId;
    private final Transport subscriberTransport;
    private final int ssrc;
    private final int rtxSsrc;
    private final int payloadType;
    private boolean accepted;
    private int encoding;

    // Rewriting state: outgoing = incoming + delta (mod 2^16 / 2^32), fixed from the first packet forwarded.
    private boolean started;
    private int sequenceDelta;
    private int timestampDelta;
    private int lastSequence;
    private final int initialSequence;
    private final int initialTimestamp;

    public Subscription(Track track, String subscriberId, Transport subscriberTransport, int ssrc, int rtxSsrc, int initialSequence,
            int initialTimestamp) {
        this.track = track;
        this.subscriberId = subscriberId;
        this.subscriberTransport = subscriberTransport;
        this.ssrc = ssrc;
        this.rtxSsrc = rtxSsrc;
        this.payloadType = track.format().codec().payloadType();
        this.initialSequence = initialSequence & 0xffff;
        this.initialTimestamp = initialTimestamp;
        // Until layer selection is built, a simulcast track is forwarded from its lowest encoding, which
        // every publisher keeps sending whatever its bandwidth.
        this.encoding = 0;
    }

    public Track track() {
        return track;
    }

    public String subscriberId() {
        return subscriberId;
    }

    /** The subscriber's subscribe transport, where this subscription's packets go. */
    public Transport subscriberTransport() {
        return subscriberTransport;
    }

    /** The SSRC the subscriber sees (in the subscribe offer's a=ssrc). */
    public int ssrc() {
        return ssrc;
    }

    public int rtxSsrc() {
        return rtxSsrc;
    }

    public int encoding() {
        return encoding;
    }

    public boolean accepted() {
        return accepted;
    }

    /** The subscriber's answer accepted (or, with false, rejected) this subscription's m-line. */
    public void setAccepted(boolean accepted) {
        this.accepted = accepted;
    }

    /** Whether a packet of this publisher encoding goes to this subscriber. */
    public boolean wants(int packetEncoding) {
        return accepted && packetEncoding == encoding;
    }

    /** Rewrites a copy of the publisher's packet for this subscriber, in place. */
    public void rewrite(RtpPacket packet) {
        int sequence = packet.sequenceNumber();
        int timestamp = packet.timestamp();
        if (!started) {
            started = true;
            sequenceDelta = initialSequence - sequence;
            timestampDelta = initialTimestamp - timestamp;
        }
        int outSequence = (sequence + sequenceDelta) & 0xffff;
        lastSequence = outSequence;
        packet.setSequenceNumber(outSequence);
        packet.setTimestamp(timestamp + timestampDelta);
        packet.setSsrc(ssrc);
        packet.setPayloadType(payloadType);
    }

    /** The last sequence number sent to the subscriber. */
    public int lastSequence() {
        return lastSequence;
    }
}
