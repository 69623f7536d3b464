package dev.sfu.core.media;

import dev.sfu.core.bwe.PacketBuffers;
import dev.sfu.core.transport.RtpSender;
import dev.sfu.dtls.SrtpSession;
import dev.sfu.rtp.RtpPacket;
import java.util.ArrayList;

/**
 * A conference's fan-out table (each track → the subscriptions it feeds) and its forwarding loop. Only
 * the router adds and removes subscriptions; each {@link Subscription} then does the per-subscriber
 * work (layer choice, rewrite, pacing, send). Runs on the conference's media thread only: no locks, no
 * allocation. Each subscriber's copy is made into one scratch buffer (video: into a slot of the
 * subscriber transport's pacer, whose buffer comes from the conference's {@link #packetBuffers()}) and
 * sent before the next copy is made.
 */
public final class Router {
    /** Largest packet we forward plus SRTP's growth. */
    private static final int SCRATCH_SIZE = 1500 + SrtpSession.MAX_OVERHEAD + 64;

    private final byte[] scratch = new byte[SCRATCH_SIZE];
    private final RtpPacket copy = new RtpPacket();
    private final PacketBuffers packetBuffers = new PacketBuffers();

    /** The buffers the conference's pacers queue their packets in. */
    public PacketBuffers packetBuffers() {
        return packetBuffers;
    }

    /** Starts forwarding the subscription's track to it (the subscriber accepted its m-line). */
    public void subscribe(Subscription subscription) {
        ArrayList<Subscription> fanOut = subscription.track().subscriptions();
        if (!fanOut.contains(subscription)) {
            fanOut.add(subscription);
        }
    }

    /** Stops forwarding to the subscription; harmless when it was not forwarded. */
    public void unsubscribe(Subscription subscription) {
        subscription.track().subscriptions().remove(subscription);
    }

    /** Forwards one decrypted publisher packet to every subscription of its track that wants it. */
    public void forward(InboundStream stream, RtpPacket packet, boolean keyframe, long nowNanos) {
        if (packet.length() + SrtpSession.MAX_OVERHEAD > SCRATCH_SIZE) {
            return;
        }
        Track track = stream.track();
        if (track.isMuted()) {
            return; // a muted track's media reaches nobody (its owner or the server muted it)
        }
        ArrayList<Subscription> fanOut = track.subscriptions();
        int encoding = stream.encoding();
        for (int i = 0, n = fanOut.size(); i < n; i++) {
            fanOut.get(i).send(packet, encoding, keyframe, nowNanos, scratch, copy);
        }
    }

    /**
     * Answers a subscriber's NACK from the packet cache with an RTX retransmission.
     *
     * @return the bytes sent, or -1 when the packet was not found or not sent
     */
    public int retransmit(Subscription subscription, int outgoingSequence, long nowNanos) {
        return subscription.retransmit(outgoingSequence, nowNanos, scratch, copy);
    }

    /**
     * Sends padding-only packets (about {@code bytes} in all) on a subscription's RTX stream to probe the
     * subscriber's downlink.
     *
     * @return the bytes sent
     */
    public int sendPadding(Subscription subscription, int bytes, long nowNanos) {
        return subscription.sendPadding(bytes, nowNanos, scratch, copy);
    }

    /** Sends an RTCP packet built in a buffer of ours (keyframe requests, reports): encrypted in a copy. */
    public void sendRtcp(RtpSender transport, byte[] packet, int length) {
        if (length <= 0 || length + SrtpSession.MAX_OVERHEAD > SCRATCH_SIZE) {
            return;
        }
        System.arraycopy(packet, 0, scratch, 0, length);
        transport.sendRtcp(scratch, 0, length);
    }
}
