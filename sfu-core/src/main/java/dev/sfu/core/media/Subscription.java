package dev.sfu.core.media;

import dev.sfu.core.bwe.DownlinkEstimator;
import dev.sfu.core.bwe.Pacer;
import dev.sfu.core.sdp.HeaderExtension;
import dev.sfu.core.transport.RtpSender;
import dev.sfu.dtls.SrtpSession;
import dev.sfu.rtp.RtpPacket;

/**
 * One track delivered to one endpoint as one stream, and the sender of that stream (as mediasoup's
 * {@code Consumer}): its {@link LayerSelector} decides which publisher packets go, its
 * {@link StreamRewriter} makes them one clean stream, and {@link #send} copies, rewrites, stamps and
 * sends (video through the subscribe transport's pacer). Owned by the conference's media thread.
 */
public final class Subscription {
    /** The recent packets a bandwidth probe may resend as RTX. */
    static final int PROBE_HISTORY = 16;
    /** What is left of a probe below which padding fills in rather than a copy. */
    private static final int MIN_PROBE_COPY = 300;

    private final Track track;
    private final String subscriberId;
    private final RtpSender out;
    private final DownlinkEstimator downlink;
    private final Pacer pacer;
    private final LayerSelector layers;
    private final StreamRewriter rewriter;
    private final boolean video;
    private boolean accepted;
    /** LSR of the last sender report sent on this subscription and when (RFC 3550 §6.4.1), for the RTT. */
    private int lastSenderReport;
    private long lastSenderReportNanos;

    /**
     * @param out the subscriber's subscribe transport (null in unit tests that only rewrite)
     * @param downlink the subscribe transport's estimator, told of every packet sent (null: none)
     * @param pacer the subscribe transport's pacer for video (null: video is sent at once)
     */
    public Subscription(Track track, String subscriberId, RtpSender out, DownlinkEstimator downlink, Pacer pacer,
            int ssrc, int rtxSsrc, int initialSequence, int initialTimestamp) {
        this.track = track;
        this.subscriberId = subscriberId;
        this.out = out;
        this.downlink = downlink;
        this.pacer = pacer;
        this.video = !track.isAudio();
        this.layers = new LayerSelector(track);
        this.rewriter = new StreamRewriter(track.format(), ssrc, rtxSsrc, initialSequence, initialTimestamp);
    }

    /** Without pacing or estimation: for tests of layer choice and rewriting. */
    public Subscription(Track track, String subscriberId, RtpSender out, int ssrc, int rtxSsrc, int initialSequence,
            int initialTimestamp) {
        this(track, subscriberId, out, null, null, ssrc, rtxSsrc, initialSequence, initialTimestamp);
    }

    // ---- sending: per packet, no allocation ----

    /**
     * Sends one publisher packet of {@code encoding} to this subscriber, if its layer choice wants it:
     * copies it (the one copy) into {@code scratch} or a pacer slot, remaps its header extensions,
     * rewrites it, stamps the subscribe transport's transport-wide sequence number and sends or queues it.
     */
    void send(RtpPacket packet, int encoding, boolean keyframe, long nowNanos, byte[] scratch, RtpPacket copy) {
        if (!accept(encoding, keyframe) || out == null || !out.isConnected()) {
            return;
        }
        Pacer p = video ? pacer : null;
        byte[] target = p != null ? p.claim() : scratch;
        if (target == null) {
            return; // pacer queue full: dropped and counted there
        }
        int length = packet.length();
        System.arraycopy(packet.buffer(), packet.offset(), target, 0, length);
        if (!copy.wrap(target, 0, length)) {
            return;
        }
        copy.remapExtensionIds(track.extensionMap());
        rewriter.rewrite(copy, nowNanos);
        int sequence = stampTransportWideSequence(copy);
        if (p != null) {
            p.commit(copy.length(), sequence);
            p.drain(nowNanos);
        } else {
            recordSent(sequence, out.sendRtp(target, 0, copy.length()), nowNanos);
        }
    }

    /**
     * Resends outgoing packet {@code outgoingSequence} from the track's cache as RTX, using
     * {@code scratch} for the copy.
     *
     * @return the bytes sent, or -1 when it was not found or not sent
     */
    int retransmit(int outgoingSequence, long nowNanos, byte[] scratch, RtpPacket copy) {
        return retransmit(outgoingSequence, Integer.MAX_VALUE, nowNanos, scratch, copy);
    }

    /** As {@link #retransmit(int, long, byte[], RtpPacket)}, but sends nothing (returns 0) above {@code maxBytes}. */
    private int retransmit(int outgoingSequence, int maxBytes, long nowNanos, byte[] scratch, RtpPacket copy) {
        int incoming = rewriter.incomingSequence(outgoingSequence);
        PacketCache cache = track.cache(layers.current());
        if (incoming < 0 || cache == null || out == null || !out.isConnected()
                || track.format().codec().rtxPayloadType() < 0) {
            return -1;
        }
        int cached = cache.length(incoming, nowNanos);
        if (cached >= 0 && cached + 2 > maxBytes) {
            return 0; // with its original sequence number (RTX), more than the caller may send
        }
        int length = cache.copy(incoming, nowNanos, scratch, 0);
        if (length < 0 || length + 2 + SrtpSession.MAX_OVERHEAD > scratch.length || !copy.wrap(scratch, 0, length)) {
            return -1;
        }
        copy.remapExtensionIds(track.extensionMap());
        length = rewriter.rewriteAsRetransmission(copy, outgoingSequence);
        int sequence = stampTransportWideSequence(copy);
        int wire = out.sendRtp(scratch, 0, length);
        recordSent(sequence, wire, nowNanos);
        return wire;
    }

    /**
     * Sends a bandwidth probe's {@code bytes} (about) on this subscription's RTX stream: first as RTX copies
     * of the packets just sent ({@link #sendProbeCopies}), then padding-only packets for what is left.
     *
     * @return the bytes sent
     */
    int sendPadding(int bytes, long nowNanos, byte[] scratch, RtpPacket copy) {
        if (out == null || !out.isConnected() || !canPad()) {
            return 0;
        }
        int sent = sendProbeCopies(bytes, nowNanos, scratch, copy);
        while (sent < bytes) {
            int length = rewriter.writePadding(scratch, 0, 255, HeaderExtension.SUBSCRIBER_TRANSPORT_CC_ID);
            if (!copy.wrap(scratch, 0, length)) {
                return sent;
            }
            int sequence = stampTransportWideSequence(copy);
            int wire = out.sendRtp(scratch, 0, length);
            if (wire < 0) {
                return sent;
            }
            recordSent(sequence, wire, nowNanos);
            sent += wire;
        }
        return sent;
    }

    /**
     * RTX copies of the last {@value #PROBE_HISTORY} packets sent, newest first, each only if it fits in
     * what is left of the probe (libwebrtc's payload padding does the same). The probe's bytes then carry
     * media that the subscriber may have lost, in about a quarter as many packets as 255-byte padding would
     * take (less work here and at the receiver); padding fills in what no copy fits.
     */
    private int sendProbeCopies(int bytes, long nowNanos, byte[] scratch, RtpPacket copy) {
        int newest = rewriter.lastOutgoingSequence();
        int sent = 0;
        for (int k = 0; k < PROBE_HISTORY && bytes - sent >= MIN_PROBE_COPY; k++) {
            int wire = retransmit((newest - k) & 0xffff, bytes - sent, nowNanos, scratch, copy);
            if (wire > 0) {
                sent += wire;
            }
        }
        return sent;
    }

    /** Tells the estimator what went out (a packet without transport-cc cannot count). */
    private void recordSent(int sequence, int wireLength, long nowNanos) {
        if (downlink != null && sequence >= 0 && wireLength > 0) {
            downlink.onPacketSent(sequence, wireLength, nowNanos);
        }
    }

    /**
     * Writes the subscribe transport's own transport-wide sequence number, where the packet has one.
     *
     * @return the number written, or -1
     */
    private int stampTransportWideSequence(RtpPacket packet) {
        long at = packet.findExtension(HeaderExtension.SUBSCRIBER_TRANSPORT_CC_ID);
        if (at >= 0 && RtpPacket.elementLength(at) == 2) {
            int sequence = out.nextTransportWideSequence();
            int offset = RtpPacket.elementOffset(at);
            packet.buffer()[offset] = (byte) (sequence >> 8);
            packet.buffer()[offset + 1] = (byte) sequence;
            return sequence;
        }
        return -1;
    }

    // ---- layer choice ----

    /**
     * Whether a packet of a publisher encoding goes to this subscriber; switches to the target encoding
     * at its keyframe. Per packet.
     */
    public boolean accept(int packetEncoding, boolean keyframe) {
        if (!accepted) {
            return false;
        }
        int verdict = layers.accept(packetEncoding, keyframe);
        if (verdict == LayerSelector.SWITCHED) {
            rewriter.reanchor();
        }
        return verdict != LayerSelector.DROP;
    }

    /** See {@link LayerSelector#chooseTarget}: the encoding whose keyframe is still needed, or -1. */
    public int chooseTarget(long nowNanos) {
        return layers.chooseTarget(nowNanos);
    }

    public int highestAllowed(long nowNanos) {
        return layers.highestAllowed(nowNanos);
    }

    public int lowestActive(long nowNanos) {
        return layers.lowestActive(nowNanos);
    }

    /** The subscriber's {@code receiverConstraints} for this track's sender (0 = no video). */
    public void setMaxHeight(int maxHeight) {
        layers.setMaxHeight(maxHeight);
    }

    /** Whether last-N lets this sender's video through (audio always goes). */
    public void setForwarded(boolean forwarded) {
        layers.setForwarded(forwarded);
    }

    /** Limits the encoding to the subscriber's share of the downlink estimate (MAX_VALUE: no limit). */
    public void setBandwidthLimit(int highestEncoding) {
        layers.setBandwidthLimit(highestEncoding);
    }

    public int bandwidthLimit() {
        return layers.bandwidthLimit();
    }

    /** The encoding forwarded now, or -1 before the first keyframe. */
    public int encoding() {
        return layers.current();
    }

    /** The encoding this subscription moves to at its next keyframe (-1: no video wanted). */
    public int targetEncoding() {
        return layers.target();
    }

    /** The encoding whose keyframe this subscriber needs: the one forwarded, else the one wanted. */
    public int keyframeEncoding() {
        return layers.current() >= 0 ? layers.current() : layers.target();
    }

    /** Encoding switches so far (the first choice not counted). */
    public int switches() {
        return layers.switches();
    }

    // ---- the outgoing stream ----

    /** Rewrites a copy of the publisher's packet for this subscriber, in place (what {@link #send} does). */
    public void rewrite(RtpPacket packet, long nowNanos) {
        rewriter.rewrite(packet, nowNanos);
    }

    /**
     * Whether a sender report of this publisher encoding can be translated for the subscriber: its
     * packets are the ones being forwarded, so their timestamp offset is known.
     */
    public boolean translates(int encoding) {
        return rewriter.anchored() && encoding == layers.current();
    }

    /** A publisher RTP timestamp as the subscriber sees it (valid when {@link #translates}). */
    public int outgoingTimestamp(int publisherTimestamp) {
        return rewriter.outgoingTimestamp(publisherTimestamp);
    }

    /** Whether padding can go on this subscription's RTX stream: negotiated and anchored to a sent stream. */
    public boolean canPad() {
        return video && rewriter.anchored() && accepted && track.format().codec().rtxPayloadType() >= 0;
    }

    public int packetsSent() {
        return rewriter.packetsSent();
    }

    public int octetsSent() {
        return rewriter.octetsSent();
    }

    public Track track() {
        return track;
    }

    public String subscriberId() {
        return subscriberId;
    }

    /** The subscriber's subscribe transport, where this subscription's packets go. */
    public RtpSender subscriberTransport() {
        return out;
    }

    /** The SSRC the subscriber sees (in the subscribe offer's a=ssrc). */
    public int ssrc() {
        return rewriter.ssrc();
    }

    public int rtxSsrc() {
        return rewriter.rtxSsrc();
    }

    public boolean isVideo() {
        return video;
    }

    public boolean accepted() {
        return accepted;
    }

    /** The subscriber's answer accepted (or, with false, rejected) this subscription's m-line. */
    public void setAccepted(boolean accepted) {
        this.accepted = accepted;
    }

    /** A sender report with this NTP timestamp went to the subscriber now. */
    public void senderReportSent(long ntpTimestamp, long nowNanos) {
        lastSenderReport = (int) (ntpTimestamp >>> 16);
        lastSenderReportNanos = nowNanos;
    }

    /**
     * The round trip to the subscriber from a report block about this stream (RFC 3550 §6.4.1: arrival
     * minus LSR minus DLSR), timed by our own clock from when we sent that sender report; -1 when the block
     * refers to no sender report of ours or to an older one (its LSR is not the last we sent).
     */
    public long roundTripNanos(int lsr, int dlsr, long nowNanos) {
        if (lsr == 0 || lsr != lastSenderReport) {
            return -1;
        }
        long rtt = nowNanos - lastSenderReportNanos - (dlsr & 0xffffffffL) * 1_000_000_000L / 65536;
        return rtt >= 0 ? rtt : -1;
    }
}
