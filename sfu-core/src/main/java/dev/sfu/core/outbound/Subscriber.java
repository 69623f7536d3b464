package dev.sfu.core.outbound;

import dev.sfu.core.media.Router;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.media.Track;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.core.sdp.DtlsSetup;
import dev.sfu.core.sdp.SubscribeAnswer;
import dev.sfu.core.sdp.SubscribeOfferWriter;
import dev.sfu.core.sdp.SubscribeSlot;
import dev.sfu.core.time.Clock;
import dev.sfu.core.transport.Transport;
import dev.sfu.core.transport.TransportRole;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.RtcpPacketType;
import dev.sfu.rtp.rtcp.TransportCcFeedback;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An endpoint's subscribe side: its subscribe transport (we offer, the client answers), its
 * subscriptions to the other endpoints' tracks and their negotiation, the receiver's wishes (maximum
 * heights, last-N), its downlink controller, and the RTCP the subscriber sends (NACK, PLI/FIR,
 * transport-cc). Media thread, except {@link #offeredSlots}.
 */
public final class Subscriber implements Transport.MediaHandler {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a subscriber needs from its endpoint and conference. */
    public interface Host {
        Transport newTransport(TransportRole role, Transport.MediaHandler handler);

        /** A new subscribe offer for the client, with the slots it describes. */
        void subscribeOffer(String sdp, List<SubscribeSlot> slots);

        /** The subscribe transport failed (and is closed): the endpoint leaves. */
        void transportFailed(Transport transport, String reason);

        /** The pacer slot is needed again (it pauses while no subscriber needs it). */
        void pacerSlotsNeeded();
    }

    private final String endpointId;
    private final Host host;
    private final Router router;
    private final SfuMetrics metrics;
    private final Clock clock;
    private final int pacerCapacity;
    private final long pacerSlotNanos;
    /** A track's keyframe requests are at least this far apart, however many subscribers ask. */
    private final long keyframeIntervalNanos;
    private final SubscribeNegotiator negotiator = new SubscribeNegotiator(this::writeOffer);
    private final NackResponder nacks;
    private final KeyframeBudget keyframeBudget = new KeyframeBudget();
    private final RtcpCompoundIterator rtcp = new RtcpCompoundIterator();
    private Transport transport;
    private DownlinkController downlink;
    private int defaultMaxHeight = Integer.MAX_VALUE;
    private Map<String, Integer> maxHeightByEndpoint = Map.of();
    /** Under last-N, the endpoints whose video this one gets (null: every video). */
    private Set<String> lastN;

    /**
     * @param pacerCapacity packets the subscribe transport's pacer queues at most (a power of two)
     * @param pacerSlotNanos how often the conference drains the pacer
     * @param keyframeIntervalNanos a track's keyframe requests are at least this far apart
     */
    public Subscriber(String endpointId, Host host, Router router, SfuMetrics metrics, Clock clock, int pacerCapacity,
            long pacerSlotNanos, long keyframeIntervalNanos) {
        this.endpointId = endpointId;
        this.pacerCapacity = pacerCapacity;
        this.pacerSlotNanos = pacerSlotNanos;
        this.keyframeIntervalNanos = keyframeIntervalNanos;
        this.host = host;
        this.router = router;
        this.metrics = metrics;
        this.clock = clock;
        this.nacks = new NackResponder(router, metrics);
    }

    /** Gives this endpoint a subscription to another endpoint's track, in a reused or new m-line. */
    public void subscribe(Track track) {
        if (transport == null) {
            transport = host.newTransport(TransportRole.SUBSCRIBE, this);
            downlink = new DownlinkController(transport, metrics, router.packetBuffers(), host::pacerSlotsNeeded,
                    pacerCapacity, pacerSlotNanos);
        }
        Subscription s = new Subscription(track, endpointId, transport, downlink.estimator(), downlink.pacer(),
                RANDOM.nextInt(), RANDOM.nextInt(), RANDOM.nextInt(), RANDOM.nextInt());
        applyConstraints(s);
        negotiator.add(s);
    }

    /** The track left: its m-line turns inactive in the next offer. */
    public void unsubscribe(Track track) {
        Subscription removed = negotiator.remove(track);
        if (removed != null) {
            router.unsubscribe(removed);
            // Its SSRCs never come back (a new subscription draws new ones): their SRTP states can go.
            transport.removeSendingSsrc(removed.ssrc());
            transport.removeSendingSsrc(removed.rtxSsrc());
        }
    }

    /** The transport's state for the admin API: {@code none} before it exists. */
    public String transportState() {
        return transport == null ? "none" : transport.state();
    }

    /** The slots of the latest offer, to parse an answer against; any thread. */
    public List<SubscribeSlot> offeredSlots() {
        return negotiator.offeredSlots();
    }

    /** The client's answer to the offer whose slots were {@code offered}; stale answers are ignored. */
    public void onAnswer(List<SubscribeSlot> offered, SubscribeAnswer answer) {
        if (transport == null || !negotiator.isCurrent(offered)) {
            return;
        }
        transport.start(answer.remote());
        long now = clock.nanos();
        for (Subscription s : negotiator.onAnswer(answer.acceptedMids())) {
            router.subscribe(s);
            s.chooseTarget(now);
            requestKeyframe(s, s.keyframeEncoding(), now);
        }
    }

    /** Offers the current slots again, replacing an outstanding offer the client may never have seen. */
    public void resendOffer() {
        if (transport != null) {
            negotiator.reoffer();
        }
    }

    /** ICE restart of the subscribe transport: new credentials, carried by the next offer. */
    public void restartIce() {
        if (transport == null) {
            return; // nothing to restart yet: the first subscribe offer will carry fresh credentials
        }
        transport.restartIce();
        negotiator.renegotiate();
    }

    public void addRemoteCandidate(String candidate) {
        if (transport != null) {
            transport.addRemoteCandidate(candidate);
        }
    }

    /** The client's {@code receiverConstraints}: maximum heights per sender endpoint, 0 = no video. */
    public void setConstraints(int defaultMaxHeight, Map<String, Integer> perEndpoint) {
        this.defaultMaxHeight = defaultMaxHeight;
        this.maxHeightByEndpoint = perEndpoint;
        negotiator.subscriptions().forEach(this::applyConstraints);
        updateLayers(clock.nanos());
    }

    /** Under last-N, the endpoints whose video this one gets (null: every video). */
    public void setLastN(Set<String> forwarded) {
        this.lastN = forwarded;
        negotiator.subscriptions().forEach(this::applyConstraints);
    }

    private void applyConstraints(Subscription s) {
        String sender = s.track().endpointId();
        s.setMaxHeight(maxHeightByEndpoint.getOrDefault(sender, defaultMaxHeight));
        s.setForwarded(lastN == null || lastN.contains(sender));
    }

    /**
     * Shares the downlink among the subscriptions and re-chooses each one's simulcast layer: the highest
     * active layer that fits; a change asks the publisher for a keyframe of the new layer, where the
     * switch happens. A few times a second.
     */
    public void updateLayers(long nowNanos) {
        if (downlink == null) {
            return;
        }
        ArrayList<Subscription> subscriptions = negotiator.subscriptions();
        downlink.allocate(subscriptions, nowNanos);
        for (int i = 0; i < subscriptions.size(); i++) {
            Subscription s = subscriptions.get(i);
            if (s.accepted()) {
                requestKeyframe(s, s.chooseTarget(nowNanos), nowNanos);
            }
        }
    }

    /** The pacer slot: sends what the pacer holds and a probe's padding; returns whether the next is needed. */
    public boolean onPacerTick(long nowNanos) {
        if (downlink == null) {
            return false;
        }
        downlink.drainPacer(nowNanos);
        if (transport.isConnected()) {
            downlink.probe(negotiator.subscriptions(), router, nowNanos);
        }
        return downlink.needsSlots(nowNanos);
    }

    /** Stops every subscription and closes the transport. */
    public void close() {
        for (Subscription s : negotiator.clear()) {
            router.unsubscribe(s);
        }
        if (transport != null) {
            transport.close();
        }
    }

    /** Payload bytes forwarded on the subscriptions in slots now: what earns the retransmission budget. */
    private long forwardedBytes() {
        long total = 0;
        ArrayList<Subscription> subscriptions = negotiator.subscriptions();
        for (int i = 0; i < subscriptions.size(); i++) {
            total += Integer.toUnsignedLong(subscriptions.get(i).octetsSent());
        }
        return total;
    }

    private void requestKeyframe(Subscription s, int encoding, long nowNanos) {
        if (encoding >= 0 && s.track().requestKeyframe(encoding, nowNanos, keyframeIntervalNanos)) {
            metrics.keyframeRequests().increment();
        }
    }

    private void writeOffer(List<SubscribeSlot> slots) {
        host.subscribeOffer(SubscribeOfferWriter.write(slots, transport.localParameters(DtlsSetup.ACTPASS)), slots);
    }

    // ---- Transport.MediaHandler ----

    @Override
    public void onRtp(Transport from, byte[] buffer, int offset, int length, long receivedNanos) {
        metrics.transports().packetsDropped().increment(); // a subscriber sends no media on this transport
    }

    @Override
    public void onRtcp(Transport from, byte[] buffer, int offset, int length) {
        long now = clock.nanos();
        rtcp.reset(buffer, offset, length);
        while (rtcp.next()) {
            if (rtcp.packetType() == RtcpPacketType.RTPFB && rtcp.countOrFormat() == TransportCcFeedback.FMT) {
                downlink.onTransportFeedback(buffer, rtcp.packetOffset(), rtcp.packetLength(), now);
            } else if (GenericNack.is(rtcp)) {
                Subscription s = negotiator.bySsrc(rtcp.mediaSsrc());
                if (s != null) {
                    nacks.earn(forwardedBytes());
                    nacks.onNack(s, buffer, rtcp.packetOffset(), rtcp.packetLength(), now);
                }
            } else if (rtcp.isKeyframeRequest()) {
                Subscription s = negotiator.bySsrc(rtcp.keyframeSsrc());
                if (s == null) {
                    continue;
                }
                if (keyframeBudget.take(now)) {
                    requestKeyframe(s, s.keyframeEncoding(), now);
                } else {
                    metrics.keyframeRequestsRefused().increment();
                }
            } else {
                recordReportBlocks(buffer, rtcp.packetOffset(), rtcp.packetLength(), now);
            }
        }
    }

    /**
     * The jitter and loss a subscriber reports (RR/SR report blocks, about once a second per stream) on the
     * streams we send it, and the round trip they time from our sender reports: what users on bad downlinks
     * experience, for the dashboard.
     */
    private void recordReportBlocks(byte[] buffer, int packetOffset, int packetLength, long now) {
        int count = dev.sfu.rtp.rtcp.ReportBlock.count(buffer, packetOffset, packetLength);
        for (int i = 0; i < count; i++) {
            int block = dev.sfu.rtp.rtcp.ReportBlock.offset(buffer, packetOffset, packetLength, i);
            Subscription s = negotiator.bySsrc(dev.sfu.rtp.rtcp.ReportBlock.ssrc(buffer, block));
            if (s != null) {
                int clockRate = s.track().format().codec().clockRate();
                long jitter = dev.sfu.rtp.rtcp.ReportBlock.jitter(buffer, block) & 0xffffffffL;
                metrics.receiverJitter().record((double) jitter / clockRate);
                metrics.receiverFractionLost().record(dev.sfu.rtp.rtcp.ReportBlock.fractionLost(buffer, block) / 256.0);
                long rtt = s.roundTripNanos(dev.sfu.rtp.rtcp.ReportBlock.lastSr(buffer, block),
                        dev.sfu.rtp.rtcp.ReportBlock.delaySinceLastSr(buffer, block), now);
                if (rtt >= 0) {
                    metrics.receiverRoundTrip().record(rtt / 1e9);
                }
            }
        }
    }

    @Override
    public void onConnected(Transport from) {
        long now = clock.nanos();
        ArrayList<Subscription> subscriptions = negotiator.subscriptions();
        for (int i = 0; i < subscriptions.size(); i++) {
            if (subscriptions.get(i).accepted()) {
                requestKeyframe(subscriptions.get(i), subscriptions.get(i).keyframeEncoding(), now);
            }
        }
    }

    @Override
    public void onFailed(Transport from, String reason) {
        host.transportFailed(from, reason);
    }
}
