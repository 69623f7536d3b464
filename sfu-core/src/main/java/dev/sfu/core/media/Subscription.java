package dev.sfu.core.media;

import dev.sfu.core.transport.RtpSender;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.codec.Vp8Descriptor;

/**
 * One track delivered to one endpoint as one stream: which encoding (simulcast layer) it forwards, which
 * it is moving to, and how it rewrites SSRC, sequence numbers, timestamps and payload type so that the
 * subscriber sees one clean stream across layer switches. Owned by the conference's media thread.
 */
public final class Subscription {
    private static final long SECOND = 1_000_000_000L;

    private final Track track;
    private final String subscriberId;
    private final RtpSender subscriberTransport;
    private final int ssrc;
    private final int rtxSsrc;
    private final int payloadType;
    private final boolean video;
    private boolean accepted;
    /** Encoding now forwarded (-1 = none yet), and the one wanted; they differ until its keyframe. */
    private int current = -1;
    private int target;
    private int maxHeight = Integer.MAX_VALUE;
    /** False while last-N leaves this sender out: no video, as with a maximum height of 0. */
    private boolean forwarded = true;

    // outgoing = incoming + delta (mod 2^16 / 2^32); re-anchored whenever the forwarded encoding changes
    private boolean anchored;
    private int sequenceDelta;
    private int timestampDelta;
    private int lastSequence;
    private int lastTimestamp;
    private long lastForwardNanos;
    private final int initialSequence;
    private final int initialTimestamp;
    private int packetsSent;
    // VP8 picture id (15 bits) and TL0PICIDX (8 bits), kept continuous across layer switches (RFC 7741)
    private final boolean vp8;
    private int pictureIdDelta;
    private int tl0Delta;
    private int lastPictureId = -1;
    private int lastTl0 = -1;
    private boolean vp8Anchored;
    /** First outgoing sequence number of the current anchoring: NACKs for older ones are not answered. */
    private int anchorSequence;
    private int rtxSequence;
    private int octetsSent;
    /** Highest encoding the subscriber's share of its downlink estimate allows (set by the LayerAllocator). */
    private int bandwidthLimit = Integer.MAX_VALUE;
    /** Switches from one encoding to another, for sfu_layer_switches_total. */
    private int switches;
    /** The subscribe transport's estimator, told of every packet sent (null: none). */
    private dev.sfu.core.bwe.DownlinkEstimator downlink;
    /** The subscribe transport's pacer for video (null: sent at once). */
    private dev.sfu.core.bwe.Pacer pacer;

    public Subscription(Track track, String subscriberId, RtpSender subscriberTransport, int ssrc, int rtxSsrc,
            int initialSequence, int initialTimestamp) {
        this.track = track;
        this.subscriberId = subscriberId;
        this.subscriberTransport = subscriberTransport;
        this.ssrc = ssrc;
        this.rtxSsrc = rtxSsrc;
        this.payloadType = track.format().codec().payloadType();
        this.video = track.kind().equals("video");
        this.vp8 = track.format().codec() == Codec.VP8;
        this.initialSequence = initialSequence & 0xffff;
        this.initialTimestamp = initialTimestamp;
        this.target = track.encodingCount() - 1;
        this.rtxSequence = initialSequence * 7 & 0xffff;
    }

    public Track track() {
        return track;
    }

    public String subscriberId() {
        return subscriberId;
    }

    /** The subscriber's subscribe transport, where this subscription's packets go. */
    public RtpSender subscriberTransport() {
        return subscriberTransport;
    }

    /** The SSRC the subscriber sees (in the subscribe offer's a=ssrc). */
    public int ssrc() {
        return ssrc;
    }

    public int rtxSsrc() {
        return rtxSsrc;
    }

    /** The encoding forwarded now, or -1 before the first keyframe. */
    public int encoding() {
        return current;
    }

    /** The encoding this subscription moves to at its next keyframe (-1: no video wanted). */
    public int targetEncoding() {
        return target;
    }

    public boolean accepted() {
        return accepted;
    }

    /** The subscriber's answer accepted (or, with false, rejected) this subscription's m-line. */
    public void setAccepted(boolean accepted) {
        this.accepted = accepted;
    }

    /** The subscriber's {@code receiverConstraints} for this track's sender (0 = no video). */
    public void setMaxHeight(int maxHeight) {
        this.maxHeight = maxHeight;
    }

    /**
     * Whether a packet of a publisher encoding goes to this subscriber; switches to the target encoding
     * at its keyframe. Media thread, per packet.
     */
    public boolean accept(int packetEncoding, boolean keyframe) {
        if (!accepted) {
            return false;
        }
        if (packetEncoding == current && current == target) {
            return true;
        }
        if (packetEncoding == target && keyframe) {
            if (current >= 0) {
                switches++;
            }
            current = target;
            anchored = false;
            return true;
        }
        return packetEncoding == current;
    }

    /**
     * Picks the encoding to forward: the highest that is active, fits the subscriber's maximum height and
     * its share of the downlink estimate, else the lowest active one. Returns the encoding whose keyframe
     * is still needed (asked again on every call until it arrives; the track throttles the requests), or
     * -1.
     */
    public int chooseTarget(long nowNanos) {
        int maxHeight = forwarded ? this.maxHeight : 0;
        int chosen = -1;
        if (!video) {
            chosen = 0;
        } else if (maxHeight > 0) {
            int allowed = Math.min(highestAllowed(nowNanos), bandwidthLimit);
            for (int e = 0; e <= allowed && e < track.encodingCount(); e++) {
                if (track.isActive(e, nowNanos)) {
                    chosen = e;
                }
            }
            if (chosen < 0) {
                chosen = lowestActive(nowNanos);
            }
        }
        if (chosen < 0 && maxHeight > 0) {
            if (maxHeight != Integer.MAX_VALUE && current < 0) {
                target = 0; // nothing seen yet, but a constrained subscriber must not start on a big layer
            }
            return -1; // nothing active: keep what we have
        }
        target = chosen;
        if (target < 0) {
            current = -1;
        }
        return target >= 0 && target != current ? target : -1;
    }

    /**
     * The highest active encoding the receiver's constraints allow (the lowest active one when none fits),
     * -1 when the subscriber wants no video or nothing is active.
     */
    public int highestAllowed(long nowNanos) {
        int maxHeight = forwarded ? this.maxHeight : 0;
        if (!video) {
            return 0;
        }
        if (maxHeight <= 0) {
            return -1;
        }
        int chosen = -1;
        for (int e = 0; e < track.encodingCount(); e++) {
            if (!track.isActive(e, nowNanos)) {
                continue;
            }
            int h = track.height(e);
            boolean fits = maxHeight == Integer.MAX_VALUE || (h > 0 ? h <= maxHeight : e == 0);
            if (fits) {
                chosen = e;
            }
        }
        return chosen >= 0 ? chosen : lowestActive(nowNanos);
    }

    /** The lowest encoding the publisher is sending, or -1. */
    public int lowestActive(long nowNanos) {
        for (int e = 0; e < track.encodingCount(); e++) {
            if (track.isActive(e, nowNanos)) {
                return e;
            }
        }
        return -1;
    }

    /** Whether last-N lets this sender's video through (audio always goes). */
    public void setForwarded(boolean forwarded) {
        this.forwarded = forwarded;
    }

    /** Limits the encoding to the subscriber's share of the downlink estimate (MAX_VALUE: no limit). */
    public void setBandwidthLimit(int highestEncoding) {
        this.bandwidthLimit = highestEncoding;
    }

    public int bandwidthLimit() {
        return bandwidthLimit;
    }

    public boolean isVideo() {
        return video;
    }

    /** Encoding switches so far (the first choice not counted). */
    public int switches() {
        return switches;
    }

    public dev.sfu.core.bwe.DownlinkEstimator downlink() {
        return downlink;
    }

    public void setDownlink(dev.sfu.core.bwe.DownlinkEstimator downlink) {
        this.downlink = downlink;
    }

    public dev.sfu.core.bwe.Pacer pacer() {
        return pacer;
    }

    public void setPacer(dev.sfu.core.bwe.Pacer pacer) {
        this.pacer = pacer;
    }

    /**
     * Writes a padding-only RTX packet (RFC 3550 5.1 padding, RFC 4588 stream) for bandwidth probing: no
     * payload, so the receiver discards it after counting it for transport-cc. Carries a transport-cc
     * element (value written by the router) under {@code transportCcId}.
     *
     * @return its length: 20 header bytes and {@code padding} (1..255) bytes
     */
    public int writePadding(byte[] buf, int off, int padding, int transportCcId) {
        RtpPacket.writeHeader(buf, off, false, track.format().codec().rtxPayloadType(), rtxSequence, lastTimestamp,
                rtxSsrc);
        rtxSequence = (rtxSequence + 1) & 0xffff;
        buf[off] |= 0x30; // padding and extension bits
        buf[off + 12] = (byte) 0xBE;
        buf[off + 13] = (byte) 0xDE;
        buf[off + 14] = 0;
        buf[off + 15] = 1; // one 32-bit word of elements
        buf[off + 16] = (byte) (transportCcId << 4 | 1);
        buf[off + 17] = 0;
        buf[off + 18] = 0;
        buf[off + 19] = 0;
        java.util.Arrays.fill(buf, off + 20, off + 20 + padding - 1, (byte) 0);
        buf[off + 20 + padding - 1] = (byte) padding;
        return 20 + padding;
    }

    /** Whether padding can go on this subscription's RTX stream: negotiated and anchored to a sent stream. */
    public boolean canPad() {
        return video && anchored && accepted && track.format().codec().rtxPayloadType() >= 0;
    }

    /** Rewrites a copy of the publisher's packet for this subscriber, in place. */
    public void rewrite(RtpPacket packet, long nowNanos) {
        int sequence = packet.sequenceNumber();
        int timestamp = packet.timestamp();
        if (!anchored) {
            if (lastForwardNanos == 0) {
                sequenceDelta = initialSequence - sequence;
                timestampDelta = initialTimestamp - timestamp;
            } else {
                // A new encoding: continue right after the last packet sent, its timestamp moved on by the
                // time that passed, so the subscriber's decoder sees one stream.
                long elapsed = Math.max(1, (nowNanos - lastForwardNanos) * track.format().codec().clockRate() / SECOND);
                sequenceDelta = (lastSequence + 1) - sequence;
                timestampDelta = (int) (lastTimestamp + elapsed) - timestamp;
            }
            anchored = true;
            anchorSequence = (sequence + sequenceDelta) & 0xffff;
            vp8Anchored = false;
        }
        if (vp8) {
            rewriteVp8(packet);
        }
        int outSequence = (sequence + sequenceDelta) & 0xffff;
        int outTimestamp = timestamp + timestampDelta;
        if (((outSequence - lastSequence) & 0x8000) == 0 || lastForwardNanos == 0) {
            lastSequence = outSequence;
            lastTimestamp = outTimestamp;
        }
        lastForwardNanos = nowNanos;
        packetsSent++;
        octetsSent += packet.payloadLength();
        packet.setSequenceNumber(outSequence);
        packet.setTimestamp(outTimestamp);
        packet.setSsrc(ssrc);
        packet.setPayloadType(payloadType);
    }

    /**
     * Whether a sender report of this publisher encoding can be translated for the subscriber: its
     * packets are the ones being forwarded, so their timestamp offset is known.
     */
    public boolean translates(int encoding) {
        return anchored && encoding == current;
    }

    /** A publisher RTP timestamp as the subscriber sees it (valid when {@link #translates}). */
    public int outgoingTimestamp(int publisherTimestamp) {
        return publisherTimestamp + timestampDelta;
    }

    public int packetsSent() {
        return packetsSent;
    }

    public int octetsSent() {
        return octetsSent;
    }

    /**
     * The publisher sequence number behind an outgoing one the subscriber NACKed, or -1 when it was sent
     * before the current encoding started (another layer's numbering) or is not sent yet.
     */
    public int incomingSequence(int outgoingSequence) {
        if (!anchored || ((outgoingSequence - anchorSequence) & 0x8000) != 0
                || ((lastSequence - outgoingSequence) & 0x8000) != 0) {
            return -1;
        }
        return (outgoingSequence - sequenceDelta) & 0xffff;
    }

    /**
     * Rewrites a cached publisher packet as the RTX retransmission (RFC 4588) of outgoing sequence number
     * {@code outgoingSequence}: RTX payload type and SSRC, its own sequence, and the original sequence
     * number (OSN) in front of the payload. The buffer needs two spare bytes after the packet.
     *
     * @return the new length
     */
    public int rewriteAsRetransmission(RtpPacket packet, int outgoingSequence) {
        if (vp8) {
            // The same picture numbering as when the packet was first sent.
            byte[] payload = packet.buffer();
            int at = packet.payloadOffset();
            int len = packet.payloadLength();
            int pictureId = Vp8Descriptor.pictureId(payload, at, len);
            int tl0 = Vp8Descriptor.tl0PicIdx(payload, at, len);
            if (pictureId >= 0) {
                Vp8Descriptor.setPictureId(payload, at, len, (pictureId + pictureIdDelta) & 0x7fff);
            }
            if (tl0 >= 0) {
                Vp8Descriptor.setTl0PicIdx(payload, at, len, (tl0 + tl0Delta) & 0xff);
            }
        }
        int header = packet.headerLength();
        int length = packet.length();
        byte[] buf = packet.buffer();
        int off = packet.offset();
        System.arraycopy(buf, off + header, buf, off + header + 2, length - header);
        buf[off + header] = (byte) (outgoingSequence >> 8);
        buf[off + header + 1] = (byte) outgoingSequence;
        packet.setTimestamp(packet.timestamp() + timestampDelta);
        packet.setSsrc(rtxSsrc);
        packet.setPayloadType(track.format().codec().rtxPayloadType());
        packet.setSequenceNumber(rtxSequence);
        rtxSequence = (rtxSequence + 1) & 0xffff;
        return length + 2;
    }

    /**
     * Each simulcast layer numbers its VP8 pictures on its own: after a switch the subscriber must see
     * the numbering go on from where it was, or its decoder takes the jump for lost frames.
     */
    private void rewriteVp8(RtpPacket packet) {
        byte[] buf = packet.buffer();
        int off = packet.payloadOffset();
        int len = packet.payloadLength();
        int pictureId = Vp8Descriptor.pictureId(buf, off, len);
        int tl0 = Vp8Descriptor.tl0PicIdx(buf, off, len);
        if (!vp8Anchored) {
            vp8Anchored = true;
            pictureIdDelta = pictureId < 0 || lastPictureId < 0 ? 0 : (lastPictureId + 1 - pictureId);
            tl0Delta = tl0 < 0 || lastTl0 < 0 ? 0 : (lastTl0 + 1 - tl0);
        }
        if (pictureId >= 0) {
            lastPictureId = (pictureId + pictureIdDelta) & 0x7fff;
            Vp8Descriptor.setPictureId(buf, off, len, lastPictureId);
        }
        if (tl0 >= 0) {
            lastTl0 = (tl0 + tl0Delta) & 0xff;
            Vp8Descriptor.setTl0PicIdx(buf, off, len, lastTl0);
        }
    }

}
