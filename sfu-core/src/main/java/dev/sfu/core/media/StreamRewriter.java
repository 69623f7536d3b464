package dev.sfu.core.media;

import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.codec.Vp8Descriptor;

/**
 * Makes one clean outgoing stream out of the encodings a subscription forwards in turn: SSRC, sequence
 * numbers, timestamps and payload type (and VP8 picture numbering) continue across layer switches, as
 * mediasoup's {@code SeqManager} and {@code RtpStreamSend} do. Also writes the stream's RTX
 * retransmissions and padding. Media thread only.
 */
final class StreamRewriter {
    private static final long SECOND = 1_000_000_000L;

    private final int ssrc;
    private final int rtxSsrc;
    private final int payloadType;
    private final int rtxPayloadType;
    private final int clockRate;
    private final boolean vp8;
    private final int initialSequence;
    private final int initialTimestamp;

    // outgoing = incoming + delta (mod 2^16 / 2^32); re-anchored whenever the forwarded encoding changes
    private boolean anchored;
    private int sequenceDelta;
    private int timestampDelta;
    private int lastSequence;
    private int lastTimestamp;
    private long lastForwardNanos;
    /** First outgoing sequence number of the current anchoring: NACKs for older ones are not answered. */
    private int anchorSequence;
    private int rtxSequence;
    private int packetsSent;
    private int octetsSent;
    // VP8 picture id (15 bits) and TL0PICIDX (8 bits), kept continuous across layer switches (RFC 7741)
    private int pictureIdDelta;
    private int tl0Delta;
    private int lastPictureId = -1;
    private int lastTl0 = -1;
    private boolean vp8Anchored;

    StreamRewriter(MediaFormat format, int ssrc, int rtxSsrc, int initialSequence, int initialTimestamp) {
        this.ssrc = ssrc;
        this.rtxSsrc = rtxSsrc;
        this.payloadType = format.codec().payloadType();
        this.rtxPayloadType = format.codec().rtxPayloadType();
        this.clockRate = format.codec().clockRate();
        this.vp8 = format.codec() == Codec.VP8;
        this.initialSequence = initialSequence & 0xffff;
        this.initialTimestamp = initialTimestamp;
        this.rtxSequence = initialSequence * 7 & 0xffff;
    }

    int ssrc() {
        return ssrc;
    }

    int rtxSsrc() {
        return rtxSsrc;
    }

    boolean anchored() {
        return anchored;
    }

    /** The next packet starts another encoding: numbering continues from the last packet sent. */
    void reanchor() {
        anchored = false;
    }

    int packetsSent() {
        return packetsSent;
    }

    int octetsSent() {
        return octetsSent;
    }

    /** Rewrites a copy of the publisher's packet for this subscriber, in place. */
    void rewrite(RtpPacket packet, long nowNanos) {
        int sequence = packet.sequenceNumber();
        int timestamp = packet.timestamp();
        if (!anchored) {
            if (lastForwardNanos == 0) {
                sequenceDelta = initialSequence - sequence;
                timestampDelta = initialTimestamp - timestamp;
            } else {
                // A new encoding: continue right after the last packet sent, its timestamp moved on by the
                // time that passed, so the subscriber's decoder sees one stream.
                long elapsed = Math.max(1, (nowNanos - lastForwardNanos) * clockRate / SECOND);
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

    /** The highest outgoing sequence number sent (valid while anchored). */
    int lastOutgoingSequence() {
        return lastSequence;
    }

    /** A publisher RTP timestamp as the subscriber sees it (valid while anchored). */
    int outgoingTimestamp(int publisherTimestamp) {
        return publisherTimestamp + timestampDelta;
    }

    /**
     * The publisher sequence number behind an outgoing one the subscriber NACKed, or -1 when it was sent
     * before the current encoding started (another layer's numbering) or is not sent yet.
     */
    int incomingSequence(int outgoingSequence) {
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
    int rewriteAsRetransmission(RtpPacket packet, int outgoingSequence) {
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
        packet.setPayloadType(rtxPayloadType);
        packet.setSequenceNumber(rtxSequence);
        rtxSequence = (rtxSequence + 1) & 0xffff;
        return length + 2;
    }

    /**
     * Writes a padding-only RTX packet (RFC 3550 5.1 padding, RFC 4588 stream) for bandwidth probing: no
     * payload, so the receiver discards it after counting it for transport-cc. Carries a transport-cc
     * element (value written by the sender) under {@code transportCcId}.
     *
     * @return its length: 20 header bytes and {@code padding} (1..255) bytes
     */
    int writePadding(byte[] buf, int off, int padding, int transportCcId) {
        RtpPacket.writeHeader(buf, off, false, rtxPayloadType, rtxSequence, lastTimestamp, rtxSsrc);
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
