package dev.sfu.core;

import dev.sfu.core.bwe.Pacer;
import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.PacketCache;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.sdp.HeaderExtension;
import dev.sfu.core.transport.RtpSender;
import dev.sfu.dtls.SrtpSession;
import dev.sfu.rtp.RtpPacket;
import java.util.ArrayList;

/**
 * A conference's table of tracks → subscriptions, and the per-packet forwarding loop. Runs on the
 * conference's media thread only: no locks, no allocation. Each subscriber's copy is written into one
 * scratch buffer (video: into a slot of the subscriber transport's pacer), rewritten, encrypted in place
 * and sent (video: when the pacer's budget allows) before the next copy is made.
 */
public final class Router {
    /** Largest packet we forward plus SRTP's growth. */
    private static final int SCRATCH_SIZE = 1500 + SrtpSession.MAX_OVERHEAD + 64;

    private final byte[] scratch = new byte[SCRATCH_SIZE];
    private final RtpPacket copy = new RtpPacket();

    /** Forwards one decrypted publisher packet to every subscription of its track that wants it. */
    public void forward(InboundStream stream, RtpPacket packet, boolean keyframe, long nowNanos) {
        ArrayList<Subscription> subscriptions = stream.track().subscriptions();
        int length = packet.length();
        if (length + SrtpSession.MAX_OVERHEAD > SCRATCH_SIZE) {
            return;
        }
        for (int i = 0, n = subscriptions.size(); i < n; i++) {
            Subscription subscription = subscriptions.get(i);
            if (!subscription.accept(stream.encoding(), keyframe)) {
                continue;
            }
            RtpSender out = subscription.subscriberTransport();
            if (out == null || !out.isConnected()) {
                continue;
            }
            // Video goes through the subscriber transport's pacer: the copy is made into its queue.
            Pacer pacer = subscription.isVideo() ? subscription.pacer() : null;
            byte[] target = pacer != null ? pacer.claim() : scratch;
            if (target == null) {
                continue; // pacer queue full: dropped and counted there
            }
            System.arraycopy(packet.buffer(), packet.offset(), target, 0, length);
            if (!copy.wrap(target, 0, length)) {
                return;
            }
            copy.remapExtensionIds(stream.track().extensionMap());
            subscription.rewrite(copy, nowNanos);
            int sequence = stampTransportWideSequence(out);
            if (pacer != null) {
                pacer.commit(copy.length(), sequence);
                pacer.drain(nowNanos);
            } else {
                recordSent(subscription, sequence, out.sendRtp(scratch, 0, length), nowNanos);
            }
        }
    }

    /**
     * Answers a subscriber's NACK from the packet cache with an RTX retransmission.
     *
     * @return whether the packet was found and sent
     */
    boolean retransmit(Subscription subscription, int outgoingSequence, long nowNanos) {
        int incoming = subscription.incomingSequence(outgoingSequence);
        PacketCache cache = subscription.track().cache(subscription.encoding());
        RtpSender out = subscription.subscriberTransport();
        if (incoming < 0 || cache == null || out == null || !out.isConnected()
                || subscription.track().format().codec().rtxPayloadType() < 0) {
            return false;
        }
        int length = cache.copy(incoming, nowNanos, scratch, 0);
        if (length < 0 || length + 2 + SrtpSession.MAX_OVERHEAD > SCRATCH_SIZE || !copy.wrap(scratch, 0, length)) {
            return false;
        }
        copy.remapExtensionIds(subscription.track().extensionMap());
        length = subscription.rewriteAsRetransmission(copy, outgoingSequence);
        int sequence = stampTransportWideSequence(out);
        recordSent(subscription, sequence, out.sendRtp(scratch, 0, length), nowNanos);
        return true;
    }

    /**
     * Sends padding-only packets (about {@code bytes} in all) on a subscription's RTX stream to probe the
     * subscriber's downlink.
     *
     * @return the bytes sent
     */
    int sendPadding(Subscription subscription, int bytes, long nowNanos) {
        RtpSender out = subscription.subscriberTransport();
        if (out == null || !out.isConnected() || !subscription.canPad()) {
            return 0;
        }
        int sent = 0;
        while (sent < bytes) {
            int length = subscription.writePadding(scratch, 0, 255, HeaderExtension.SUBSCRIBER_TRANSPORT_CC_ID);
            if (!copy.wrap(scratch, 0, length)) {
                return sent;
            }
            int sequence = stampTransportWideSequence(out);
            int wire = out.sendRtp(scratch, 0, length);
            if (wire < 0) {
                return sent;
            }
            recordSent(subscription, sequence, wire, nowNanos);
            sent += wire;
        }
        return sent;
    }

    /** Tells the subscriber transport's estimator what went out (a packet without transport-cc cannot count). */
    private static void recordSent(Subscription subscription, int sequence, int wireLength, long nowNanos) {
        dev.sfu.core.bwe.DownlinkEstimator downlink = subscription.downlink();
        if (downlink != null && sequence >= 0 && wireLength > 0) {
            downlink.onPacketSent(sequence, wireLength, nowNanos);
        }
    }

    /**
     * Writes the subscriber transport's own transport-wide sequence number, where the packet has one.
     *
     * @return the number written, or -1
     */
    private int stampTransportWideSequence(RtpSender out) {
        long at = copy.findExtension(HeaderExtension.SUBSCRIBER_TRANSPORT_CC_ID);
        if (at >= 0 && RtpPacket.elementLength(at) == 2) {
            int sequence = out.nextTransportWideSequence();
            int offset = RtpPacket.elementOffset(at);
            copy.buffer()[offset] = (byte) (sequence >> 8);
            copy.buffer()[offset + 1] = (byte) sequence;
            return sequence;
        }
        return -1;
    }

    /** Sends an RTCP packet built in a buffer of ours (keyframe requests, reports). */
    void sendRtcp(RtpSender transport, byte[] packet, int length) {
        System.arraycopy(packet, 0, scratch, 0, length);
        transport.sendRtcp(scratch, 0, length);
    }
}
