package dev.sfu.core;

import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.media.Track;
import dev.sfu.core.media.TransportCcRecorder;
import dev.sfu.core.sdp.HeaderExtension;
import dev.sfu.core.sdp.PublishAnswer;
import dev.sfu.core.sdp.PublishNegotiator;
import dev.sfu.core.sdp.PublishedTrack;
import dev.sfu.core.sdp.SdpException;
import dev.sfu.core.sdp.SubscribeAnswer;
import dev.sfu.core.sdp.SubscribeOfferWriter;
import dev.sfu.core.sdp.SubscribeSlot;
import dev.sfu.core.transport.RtpSender;
import dev.sfu.core.transport.Transport;
import dev.sfu.core.util.IntObjectMap;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.SenderReport;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One participant: its publish transport and the tracks it publishes, its subscribe transport and the
 * m-lines (slots) through which it receives other endpoints' tracks. The {@link EndpointHandle} methods
 * may be called from any thread and post their work to the conference's media thread, where all state
 * lives.
 */
final class Endpoint implements EndpointHandle, Transport.MediaHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
    private static final long KEYFRAME_REQUEST_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final String displayName;
    private final Conference conference;
    private final EndpointListener listener;
    private final List<Participant> participantsAtJoin;

    // ---- media thread state ----
    private Transport publishTransport;
    private Transport subscribeTransport;
    private final List<Track> tracks = new ArrayList<>();
    private final IntObjectMap<InboundStream> inbound = new IntObjectMap<>();
    private Map<HeaderExtension, Integer> extensionIds = Map.of();
    private final List<Slot> slots = new ArrayList<>();
    private int defaultMaxHeight = Integer.MAX_VALUE;
    private java.util.Set<String> lastN;
    private Map<String, Integer> maxHeightByEndpoint = Map.of();
    private boolean offerOutstanding;
    private boolean offerPending;
    private boolean closed;
    private final RtpPacket packet = new RtpPacket();
    private final byte[] rtcpOut = new byte[1500];
    /** Our SSRC as the sender of RTCP feedback (PLI, transport-cc) to this endpoint. */
    private final int rtcpSsrc = RANDOM.nextInt();
    private final TransportCcRecorder transportCc = new TransportCcRecorder();
    /** This endpoint's published streams, in the order they appeared, for its receiver reports. */
    private final List<InboundStream> reported = new ArrayList<>();
    /** Sequence numbers to NACK upstream, one stream at a time. */
    private final int[] upstreamLost = new int[64];
    private int transportCcExtensionId;
    private int audioLevelExtensionId;
    /** Loudness (127 - level in -dBov, RFC 6464) smoothed over recent audio packets; 0 = silent. */
    private double loudness;
    private boolean audioSinceTick;
    private int lastPublisherSsrc;
    /** The subscribe transport's bandwidth estimate and how it is shared among the subscriptions. */
    private final dev.sfu.core.bwe.DownlinkEstimator downlink = new dev.sfu.core.bwe.DownlinkEstimator();
    private final dev.sfu.core.media.LayerAllocator allocator = new dev.sfu.core.media.LayerAllocator();
    private final ArrayList<Subscription> allocated = new ArrayList<>();
    private long desiredBps;
    private long switchesCounted;
    private long probesCounted;
    private dev.sfu.core.bwe.Pacer pacer;
    private long pacerDropsCounted;
    /** The publisher's uplink estimate when it negotiated goog-remb and not transport-cc (else null). */
    private dev.sfu.core.bwe.RembEstimator remb;
    private int absSendTimeExtensionId;
    private int rembTicks;
    private final int[] rembSsrcs = new int[dev.sfu.rtp.rtcp.ReportBlock.MAX_COUNT];

    /** The offered slots of the outstanding subscribe offer; read by any thread to check an answer. */
    private volatile List<SubscribeSlot> offeredSlots = List.of();
    private volatile boolean left;

    /** One m-line of the subscribe transport. */
    private static final class Slot {
        final String mid;
        final String kind;
        Subscription subscription;

        Slot(String mid, String kind) {
            this.mid = mid;
            this.kind = kind;
        }
    }

    Endpoint(String id, String displayName, Conference conference, EndpointListener listener) {
        this.id = id;
        this.displayName = displayName;
        this.conference = conference;
        this.listener = listener;
        this.participantsAtJoin = conference.participants();
    }

    // ---- EndpointHandle: any thread ----

    @Override
    public String endpointId() {
        return id;
    }

    @Override
    public String conferenceId() {
        return conference.id();
    }

    String displayName() {
        return displayName;
    }

    EndpointListener listener() {
        return listener;
    }

    @Override
    public List<Participant> participantsAtJoin() {
        return participantsAtJoin;
    }

    @Override
    public CompletionStage<String> publishOffer(String sdp) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        if (left) {
            answer.completeExceptionally(notJoined());
            return answer;
        }
        onMediaThread(() -> {
            try {
                answer.complete(handlePublishOffer(sdp));
            } catch (SdpException e) {
                answer.completeExceptionally(new SignalingException(SignalingException.Code.SDP_REJECTED, e.getMessage()));
            } catch (RuntimeException e) {
                LOG.error("{}: publish offer failed", id, e);
                answer.completeExceptionally(new SignalingException(SignalingException.Code.INTERNAL,
                        "the server could not handle the offer"));
            }
        });
        return answer;
    }

    @Override
    public void subscribeAnswer(String sdp) throws SignalingException {
        if (left) {
            throw notJoined();
        }
        List<SubscribeSlot> offered = offeredSlots;
        if (offered.isEmpty()) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST, "no subscribe offer is outstanding");
        }
        SubscribeAnswer answer;
        try {
            answer = SubscribeAnswer.parse(sdp, offered);
        } catch (SdpException e) {
            throw new SignalingException(SignalingException.Code.SDP_REJECTED, e.getMessage());
        }
        onMediaThread(() -> handleSubscribeAnswer(offered, answer));
    }

    @Override
    public void restartIce(String transport) throws SignalingException {
        if (left) {
            throw notJoined();
        }
        if ("publish".equals(transport)) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST,
                    "the publish transport restarts ICE by an offer with a new ice-ufrag and ice-pwd");
        }
        if (!"subscribe".equals(transport)) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST, "transport must be \"subscribe\"");
        }
        onMediaThread(() -> {
            if (closed || subscribeTransport == null) {
                return; // nothing to restart yet: the first subscribe offer will carry fresh credentials
            }
            LOG.info("{}: ICE restart of the subscribe transport", id);
            subscribeTransport.restartIce();
            if (offerOutstanding) {
                offerPending = true; // the answer to the current offer comes first, then ours with new credentials
            } else {
                sendOffer();
            }
        });
    }

    @Override
    public void remoteCandidate(String transport, String candidate, String sdpMid, Integer sdpMLineIndex)
            throws SignalingException {
        if (left) {
            throw notJoined();
        }
        boolean publish = "publish".equals(transport);
        if (!publish && !"subscribe".equals(transport)) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST,
                    "transport must be \"publish\" or \"subscribe\"");
        }
        if (candidate == null || candidate.isBlank()) {
            return; // end of candidates: ICE goes on with what it has
        }
        if (candidate.length() > 512) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST, "candidate too long");
        }
        onMediaThread(() -> {
            Transport t = publish ? publishTransport : subscribeTransport;
            if (t != null) {
                t.addRemoteCandidate(candidate);
            }
        });
    }

    @Override
    public void receiverConstraints(int defaultMaxHeight, Map<String, Integer> perEndpointMaxHeight) {
        Map<String, Integer> copy = Map.copyOf(perEndpointMaxHeight);
        onMediaThread(() -> {
            this.defaultMaxHeight = defaultMaxHeight;
            this.maxHeightByEndpoint = copy;
            for (Slot slot : slots) {
                if (slot.subscription != null) {
                    applyConstraints(slot.subscription);
                }
            }
            updateLayers(System.nanoTime());
        });
    }

    private void applyConstraints(Subscription s) {
        s.setMaxHeight(maxHeightByEndpoint.getOrDefault(s.track().endpointId(), defaultMaxHeight));
        s.setForwarded(lastN == null || lastN.contains(s.track().endpointId()));
    }

    /** Under last-N, the endpoints whose video this one gets (null: every video). Media thread. */
    void setLastN(java.util.Set<String> forwarded) {
        this.lastN = forwarded;
        for (Slot slot : slots) {
            if (slot.subscription != null) {
                applyConstraints(slot.subscription);
            }
        }
    }

    @Override
    public void leave() {
        if (!left) {
            left = true;
            onMediaThread(() -> conference.remove(this));
        }
    }

    /**
     * Runs a control task on the conference's media thread with this endpoint's conference and endpoint
     * ids in the logging context (MDC), so that every line it logs names them.
     */
    private void onMediaThread(Runnable task) {
        conference.thread().execute(() -> {
            MDC.put("conference", conference.id());
            MDC.put("endpoint", id);
            try {
                task.run();
            } finally {
                MDC.remove("conference");
                MDC.remove("endpoint");
            }
        });
    }

    private static SignalingException notJoined() {
        return new SignalingException(SignalingException.Code.NOT_JOINED, "the endpoint has left");
    }

    // ---- media thread ----

    List<Track> tracks() {
        return tracks;
    }

    private String handlePublishOffer(String sdp) throws SdpException {
        if (closed) {
            throw new SdpException("the endpoint has left");
        }
        boolean created = false;
        if (publishTransport == null) {
            publishTransport = newTransport("publish");
            created = true;
        }
        PublishAnswer result;
        try {
            result = PublishNegotiator.answer(sdp, publishTransport.localParameters("passive"), id);
        } catch (SdpException e) {
            if (created) {
                publishTransport.close();
                publishTransport = null;
            }
            throw e;
        }
        if (publishTransport.iceRestarted(result.remote())) {
            // A re-offer with new ICE credentials: restart ICE beneath DTLS-SRTP and answer with ours.
            LOG.info("{}: ICE restart of the publish transport", id);
            publishTransport.restartIce();
            result = PublishNegotiator.answer(sdp, publishTransport.localParameters("passive"), id);
        }
        extensionIds = result.extensionIds();
        transportCcExtensionId = extensionIds.getOrDefault(HeaderExtension.TRANSPORT_CC, 0);
        audioLevelExtensionId = extensionIds.getOrDefault(HeaderExtension.AUDIO_LEVEL, 0);
        // REMB only for a publisher that cannot have transport-cc feedback: two controllers would fight.
        absSendTimeExtensionId = result.remb() && transportCcExtensionId == 0
                ? extensionIds.getOrDefault(HeaderExtension.ABS_SEND_TIME, 0) : 0;
        if (result.remb() && transportCcExtensionId == 0 && remb == null) {
            remb = new dev.sfu.core.bwe.RembEstimator();
        }
        // The answer's a=setup (active when the offer said passive) is the one the transport must act on.
        publishTransport.localParameters(result.localSetup());
        publishTransport.start(result.remote());
        updateTracks(result.tracks());
        return result.sdp();
    }

    private Transport newTransport(String role) {
        SfuContext context = conference.context();
        return new Transport(id + "/" + role, context.mediaPort().createTransport(id + "-" + role),
                context.certificate(), context.handshakeExecutor(), conference.thread(), this,
                context.metrics().transports());
    }

    /** Tracks that a (re-)offer adds or drops. */
    private void updateTracks(List<PublishedTrack> published) {
        for (Track track : new ArrayList<>(tracks)) {
            boolean kept = published.stream().anyMatch(p -> p.mid().equals(track.mid()));
            if (!kept) {
                tracks.remove(track);
                inbound.removeIf(stream -> stream.track() == track);
                reported.removeIf(stream -> stream.track() == track);
                conference.trackRemoved(track);
            }
        }
        for (PublishedTrack p : published) {
            if (tracks.stream().anyMatch(t -> t.mid().equals(p.mid()))) {
                continue;
            }
            // SSRC-based simulcast (ssrc-group SIM) has no rids: its layers get names of ours.
            List<String> layers = p.rids();
            if (layers.isEmpty() && !p.simulcastSsrcs().isEmpty()) {
                layers = new ArrayList<>();
                for (int e = 0; e < p.simulcastSsrcs().size(); e++) {
                    layers.add("sim" + e);
                }
            }
            Track track = new Track(id + "-" + p.mid(), id, id, p.kind(), p.mid(), p.format(), layers,
                    this::requestKeyframe);
            track.setExtensionMap(subscriberExtensionMap(p.kind()));
            tracks.add(track);
            List<Long> primaries = p.simulcastSsrcs().isEmpty() ? p.ssrcs() : p.simulcastSsrcs();
            for (int e = 0; e < primaries.size(); e++) {
                int encoding = p.simulcastSsrcs().isEmpty() ? 0 : e;
                Long ssrc = primaries.get(e);
                bind(ssrc.intValue(), new InboundStream(track, encoding, false, ssrc.intValue()));
                Long rtx = p.rtxSsrcs().get(ssrc);
                if (rtx != null) {
                    bind(rtx.intValue(), new InboundStream(track, encoding, true, rtx.intValue()));
                }
            }
            LOG.info("{}: publishes {} track {} ({})", id, p.kind(), track.trackId(), p.format().codec());
            conference.trackAdded(track);
        }
    }

    /**
     * How this publisher's extension ids become the ones in our subscribe offers: audio level and
     * abs-send-time are kept under our ids; transport-cc moves to our id and gets each subscriber
     * transport's own numbers as it is sent; mid and rid describe the publisher's own streams and are
     * removed.
     */
    private byte[] subscriberExtensionMap(String kind) {
        byte[] map = new byte[256];
        Integer audioLevel = extensionIds.get(HeaderExtension.AUDIO_LEVEL);
        if (audioLevel != null && kind.equals("audio")) {
            map[audioLevel] = HeaderExtension.SUBSCRIBER_AUDIO_LEVEL_ID;
        }
        Integer absSendTime = extensionIds.get(HeaderExtension.ABS_SEND_TIME);
        if (absSendTime != null) {
            map[absSendTime] = HeaderExtension.SUBSCRIBER_ABS_SEND_TIME_ID;
        }
        Integer transportWide = extensionIds.get(HeaderExtension.TRANSPORT_CC);
        if (transportWide != null) {
            map[transportWide] = HeaderExtension.SUBSCRIBER_TRANSPORT_CC_ID;
        }
        return map;
    }

    private void bind(int ssrc, InboundStream stream) {
        inbound.put(ssrc, stream);
        if (!stream.rtx()) {
            stream.track().learnEncodingSsrc(stream.encoding(), ssrc);
            reported.add(stream);
        }
    }

    /** Gives this endpoint a subscription to another endpoint's track, in a reused or new m-line. */
    void subscribe(Track track) {
        if (closed) {
            return;
        }
        if (subscribeTransport == null) {
            subscribeTransport = newTransport("subscribe");
            pacer = new dev.sfu.core.bwe.Pacer(subscribeTransport, downlink);
        }
        Slot slot = null;
        for (Slot s : slots) {
            if (s.subscription == null && s.kind.equals(track.kind()) && !isOffered(s.mid)) {
                slot = s;
                break;
            }
        }
        if (slot == null) {
            slot = new Slot(Integer.toString(slots.size()), track.kind());
            slots.add(slot);
        }
        slot.subscription = new Subscription(track, id, subscribeTransport, RANDOM.nextInt(), RANDOM.nextInt(),
                RANDOM.nextInt(), RANDOM.nextInt());
        slot.subscription.setDownlink(downlink);
        slot.subscription.setPacer(pacer);
        applyConstraints(slot.subscription);
        scheduleOffer();
    }

    /** True while the outstanding offer still shows this mid carrying a track: it cannot be reused yet. */
    private boolean isOffered(String mid) {
        for (SubscribeSlot s : offeredSlots) {
            if (s.mid().equals(mid) && s.track() != null) {
                return offerOutstanding;
            }
        }
        return false;
    }

    void unsubscribe(Track track) {
        for (Slot slot : slots) {
            if (slot.subscription != null && slot.subscription.track() == track) {
                track.subscriptions().remove(slot.subscription);
                slot.subscription = null;
                scheduleOffer();
            }
        }
    }

    private void scheduleOffer() {
        if (offerOutstanding) {
            offerPending = true;
        } else {
            sendOffer();
        }
    }

    private void sendOffer() {
        List<SubscribeSlot> snapshot = new ArrayList<>();
        List<TrackMapping> mapping = new ArrayList<>();
        for (Slot slot : slots) {
            Subscription s = slot.subscription;
            if (s == null) {
                snapshot.add(new SubscribeSlot(slot.mid, slot.kind, null));
                continue;
            }
            Track t = s.track();
            MediaFormat format = MediaFormat.canonical(t.format().codec(), t.format().fmtp());
            snapshot.add(new SubscribeSlot(slot.mid, slot.kind, new SubscribeSlot.OfferedTrack(t.endpointId(),
                    t.streamId(), t.trackId(), format, Integer.toUnsignedLong(s.ssrc()),
                    format.rtxPayloadType() >= 0 ? Integer.toUnsignedLong(s.rtxSsrc()) : -1)));
            mapping.add(new TrackMapping(slot.mid, t.endpointId(), t.kind(), t.trackId()));
        }
        offeredSlots = List.copyOf(snapshot);
        offerOutstanding = true;
        offerPending = false;
        String sdp = SubscribeOfferWriter.write(snapshot, subscribeTransport.localParameters("actpass"));
        listener.subscribeOffer(sdp, mapping);
    }

    private void handleSubscribeAnswer(List<SubscribeSlot> offered, SubscribeAnswer answer) {
        if (closed || offered != offeredSlots || !offerOutstanding) {
            return; // an answer to an offer that is no longer current
        }
        offerOutstanding = false;
        subscribeTransport.start(answer.remote());
        for (SubscribeSlot o : offered) {
            if (o.track() == null) {
                continue;
            }
            for (Slot slot : slots) {
                Subscription s = slot.subscription;
                if (slot.mid.equals(o.mid()) && s != null && s.track().trackId().equals(o.track().trackId())) {
                    boolean accepted = answer.acceptedMids().contains(o.mid());
                    if (accepted && !s.accepted()) {
                        s.setAccepted(true);
                        s.track().subscriptions().add(s);
                        s.chooseTarget(System.nanoTime());
                        requestKeyframeFor(s);
                    }
                }
            }
        }
        if (offerPending) {
            sendOffer();
        }
    }

    private void requestKeyframeFor(Subscription s) {
        requestKeyframe(s, s.encoding() >= 0 ? s.encoding() : s.targetEncoding());
    }

    private void requestKeyframe(Subscription s, int encoding) {
        if (encoding >= 0 && s.track().requestKeyframe(encoding, System.nanoTime(), KEYFRAME_REQUEST_INTERVAL_NANOS)) {
            conference.context().metrics().keyframeRequests().increment();
        }
    }

    /**
     * Re-chooses the simulcast layer of every subscription (the conference calls it a few times a
     * second): the highest active layer that fits the receiver's constraints; a change asks the publisher
     * for a keyframe of the new layer, where the switch happens.
     */
    void updateLayers(long nowNanos) {
        allocateDownlink(nowNanos);
        for (Slot slot : slots) {
            Subscription s = slot.subscription;
            if (s != null && s.accepted()) {
                requestKeyframe(s, s.chooseTarget(nowNanos));
            }
        }
    }

    /**
     * Shares the downlink estimate among the accepted subscriptions (no limits while the subscriber sends
     * no transport-cc feedback) and reports the estimate and the layer switches since the last call.
     */
    private void allocateDownlink(long nowNanos) {
        allocated.clear();
        long switches = 0;
        for (Slot slot : slots) {
            Subscription s = slot.subscription;
            if (s != null && s.accepted()) {
                allocated.add(s);
                switches += s.switches();
            }
        }
        SfuMetrics metrics = conference.context().metrics();
        if (pacer != null) {
            pacer.setEstimate(downlink.hasEstimate() ? downlink.estimateBps() : 0);
            if (pacer.dropped() > pacerDropsCounted) {
                metrics.pacerDropped().increment(pacer.dropped() - pacerDropsCounted);
                pacerDropsCounted = pacer.dropped();
            }
        }
        if (downlink.hasEstimate()) {
            desiredBps = allocator.allocate(allocated, downlink.estimateBps(), nowNanos);
            metrics.downlinkEstimate().record(downlink.estimateBps());
        } else {
            dev.sfu.core.media.LayerAllocator.unlimited(allocated);
        }
        if (switches > switchesCounted) {
            metrics.layerSwitches().increment(switches - switchesCounted);
        }
        switchesCounted = switches; // subscriptions that went away take their counts with them
    }

    /**
     * Sends the padding of a bandwidth probe, when one is due, on the first video subscription that can
     * carry it. The conference calls it every 5 ms (with the pacers), so a probe's padding is spread over
     * its cluster instead of leaving in bursts.
     */
    void probeDownlink(long nowNanos, long tickNanos) {
        Transport t = subscribeTransport;
        if (t == null || !t.isConnected()) {
            return;
        }
        int bytes = downlink.probePaddingBytes(desiredBps, nowNanos, tickNanos);
        if (downlink.probes() > probesCounted) {
            conference.context().metrics().downlinkProbes().increment(downlink.probes() - probesCounted);
            probesCounted = downlink.probes();
        }
        for (int i = 0; bytes > 0 && i < slots.size(); i++) {
            Subscription s = slots.get(i).subscription;
            if (s != null && s.canPad()) {
                conference.router().sendPadding(s, bytes, nowNanos);
                return;
            }
        }
    }

    /** Sends the video the pacer holds as far as its budget allows (the conference calls it every 5 ms). */
    void drainPacer(long nowNanos) {
        if (pacer != null) {
            pacer.drain(nowNanos);
        }
    }

    /** Measures the bitrate of each published encoding, which the subscribers' allocators read. */
    void updateBitrates(long nowNanos) {
        for (int i = 0; i < tracks.size(); i++) {
            tracks.get(i).updateBitrates(nowNanos);
        }
    }

    /** Sends a PLI (RFC 4585 §6.3.1) for a publisher SSRC of ours on the publish transport. */
    private void requestKeyframe(int publisherSsrc) {
        Transport t = publishTransport;
        if (t == null || !t.isConnected()) {
            return;
        }
        int length = dev.sfu.rtp.rtcp.Pli.write(rtcpOut, 0, rtcpSsrc, publisherSsrc);
        conference.router().sendRtcp(t, rtcpOut, length);
    }

    /** This endpoint's recent loudness for dominant-speaker detection; decays while it sends no audio. */
    double loudness() {
        if (!audioSinceTick) {
            loudness *= 0.5;
        }
        audioSinceTick = false;
        return loudness;
    }

    /**
     * Sends a receiver report (RFC 3550 §6.4.2) with a block per SSRC this endpoint publishes (up to 31,
     * the most recent streams), which the publisher's browser reads for loss, jitter and round-trip time.
     * The conference calls it about once a second.
     */
    void sendReceiverReport(long nowNanos) {
        Transport t = publishTransport;
        if (t == null || reported.isEmpty() || !t.isConnected()) {
            return;
        }
        int length = dev.sfu.rtp.rtcp.ReceiverReport.write(rtcpOut, 0, rtcpSsrc);
        for (int i = Math.max(0, reported.size() - dev.sfu.rtp.rtcp.ReportBlock.MAX_COUNT); i < reported.size(); i++) {
            dev.sfu.core.media.ReceptionStats r = reported.get(i).reception();
            if (r.extendedHighestSequence() < 0) {
                continue; // nothing received yet
            }
            int n = dev.sfu.rtp.rtcp.ReportBlock.append(rtcpOut, 0, r.ssrc(), r.takeFractionLost(),
                    (int) r.cumulativeLost(), (int) r.extendedHighestSequence(), r.jitter(), r.lastSenderReport(),
                    r.delaySinceLastSenderReport(nowNanos));
            if (n > 0) {
                length = n;
            }
        }
        conference.router().sendRtcp(t, rtcpOut, length);
    }

    /**
     * Sends the publisher's uplink estimate as REMB (draft-alvestrand-rmcat-remb-03) for its video SSRCs,
     * every 250 ms, when it negotiated goog-remb and not transport-cc.
     */
    private void sendRemb() {
        Transport t = publishTransport;
        if (remb == null || t == null || !t.isConnected() || ++rembTicks % 5 != 0) {
            return;
        }
        long bps = remb.update(System.nanoTime());
        int count = 0;
        for (int i = 0; i < reported.size() && count < rembSsrcs.length; i++) {
            if (!reported.get(i).track().isAudio()) {
                rembSsrcs[count++] = reported.get(i).reception().ssrc();
            }
        }
        int length = dev.sfu.rtp.rtcp.Remb.write(rtcpOut, 0, rtcpSsrc, bps, rembSsrcs, count);
        if (count > 0 && length > 0) {
            conference.router().sendRtcp(t, rtcpOut, length);
        }
    }

    /** Sends transport-cc feedback for what arrived since the last call (the conference calls it every 50 ms). */
    void sendTransportFeedback() {
        sendRemb();
        Transport t = publishTransport;
        if (t == null || transportCcExtensionId == 0 || !t.isConnected()) {
            return;
        }
        int length = transportCc.writeFeedback(rtcpOut, 0, rtcpSsrc, lastPublisherSsrc);
        if (length > 0) {
            conference.router().sendRtcp(t, rtcpOut, length);
        }
    }

    // ---- Transport.MediaHandler: media thread ----

    @Override
    public void onRtp(Transport transport, byte[] buffer, int offset, int length, long receivedNanos) {
        if (transport != publishTransport || !packet.wrap(buffer, offset, length)) {
            conference.context().metrics().transports().packetsDropped().increment();
            return;
        }
        if (transportCcExtensionId != 0) {
            long at = packet.findExtension(transportCcExtensionId);
            if (at >= 0 && RtpPacket.elementLength(at) == 2) {
                int value = RtpPacket.elementOffset(at);
                transportCc.record(((buffer[value] & 0xff) << 8) | (buffer[value + 1] & 0xff), receivedNanos / 1000);
            }
        }
        lastPublisherSsrc = packet.ssrc();
        if (remb != null) {
            int absSendTime = -1;
            if (absSendTimeExtensionId != 0) {
                long at = packet.findExtension(absSendTimeExtensionId);
                if (at >= 0 && RtpPacket.elementLength(at) == 3) {
                    int v = RtpPacket.elementOffset(at);
                    absSendTime = (buffer[v] & 0xff) << 16 | (buffer[v + 1] & 0xff) << 8 | (buffer[v + 2] & 0xff);
                }
            }
            remb.onPacket(absSendTime, receivedNanos, length);
        }
        InboundStream stream = inbound.get(packet.ssrc());
        if (stream == null) {
            stream = resolve(packet);
            if (stream == null) {
                conference.context().metrics().packetsUnroutable().increment();
                return;
            }
        }
        if (stream.rtx()) {
            stream = repair(stream, buffer, offset);
            if (stream == null) {
                return;
            }
        } else {
            stream.reception().onPacket(packet.sequenceNumber(), packet.timestamp(), receivedNanos);
        }
        if (audioLevelExtensionId != 0 && stream.track().isAudio()) {
            long at = packet.findExtension(audioLevelExtensionId);
            if (at >= 0) {
                int level = buffer[RtpPacket.elementOffset(at)] & 0x7f;
                loudness = 0.9 * loudness + 0.1 * (127 - level);
                audioSinceTick = true;
            }
        }
        long now = System.nanoTime();
        Track track = stream.track();
        int lost = track.lostBefore(stream.encoding(), packet.sequenceNumber());
        if (lost > 0) {
            conference.context().metrics().packetsLost().increment(lost);
        }
        boolean keyframe = track.onPacket(stream.encoding(), now, buffer, packet.payloadOffset(),
                packet.payloadLength());
        if (track.format().codec().rtxPayloadType() >= 0) {
            track.cache(stream.encoding(), buffer, offset, length, packet.sequenceNumber(), now);
        }
        conference.router().forward(stream, packet, keyframe, now);
    }

    /**
     * An RTX packet (RFC 4588) the publisher sent for one we NACKed: rebuilds the original in place (its
     * sequence number from the payload's first two bytes, the original SSRC and payload type, the payload
     * moved back over them) so that it goes on as the late original it is. Padding-only packets (the
     * publisher probing bandwidth) and repairs of gaps we did not have are dropped.
     *
     * @return the original's stream, with {@link #packet} now the original; null to drop
     */
    private InboundStream repair(InboundStream rtx, byte[] buffer, int offset) {
        int at = packet.payloadOffset();
        int payload = packet.payloadLength();
        if (payload <= 2) {
            return null;
        }
        InboundStream original = inbound.get(rtx.track().encodingSsrc(rtx.encoding()));
        int originalSequence = (buffer[at] & 0xff) << 8 | (buffer[at + 1] & 0xff);
        if (original == null || original.rtx() || !original.reception().onRetransmission(originalSequence)) {
            return null;
        }
        System.arraycopy(buffer, at + 2, buffer, at, payload - 2);
        buffer[offset] &= ~0x20; // the padding, if any, is gone with the shift
        int length = at - offset + payload - 2;
        packet.wrap(buffer, offset, length);
        packet.setPayloadType(original.track().format().codec().payloadType());
        packet.setSequenceNumber(originalSequence);
        packet.setSsrc(original.reception().ssrc());
        conference.context().metrics().packetsRecovered().increment();
        return original;
    }

    /**
     * NACKs (RFC 4585) what each video stream of this publisher is missing, once per gap, so that the
     * publisher repairs its uplink loss with RTX before subscribers notice. The conference calls it every
     * 50 ms.
     */
    void sendUpstreamNacks() {
        Transport t = publishTransport;
        if (t == null || reported.isEmpty() || !t.isConnected()) {
            return;
        }
        for (int i = 0; i < reported.size(); i++) {
            InboundStream s = reported.get(i);
            if (s.track().isAudio() || s.track().format().codec().rtxPayloadType() < 0) {
                continue; // nothing the publisher could retransmit
            }
            int count = s.reception().takeNacks(upstreamLost);
            if (count > 0) {
                int length = GenericNack.write(rtcpOut, 0, rtcpSsrc, s.reception().ssrc(), upstreamLost, count);
                if (length > 0) {
                    conference.router().sendRtcp(t, rtcpOut, length);
                    conference.context().metrics().nacksSent().increment(count);
                }
            }
        }
    }

    /**
     * An SSRC not signalled in SDP: find its track by the mid header extension and its simulcast layer
     * by the rid (or repaired-rid) extension (RFC 8852). Allocates: it runs once per new SSRC.
     */
    private InboundStream resolve(RtpPacket p) {
        String mid = extensionString(p, HeaderExtension.MID);
        if (mid == null) {
            return null;
        }
        Track track = null;
        for (Track t : tracks) {
            if (t.mid().equals(mid)) {
                track = t;
            }
        }
        if (track == null) {
            return null;
        }
        String repaired = extensionString(p, HeaderExtension.REPAIRED_RID);
        String rid = repaired != null ? repaired : extensionString(p, HeaderExtension.RID);
        int encoding = 0;
        if (!track.rids().isEmpty()) {
            encoding = rid == null ? -1 : track.rids().indexOf(rid);
            if (encoding < 0) {
                return null;
            }
        }
        InboundStream stream = new InboundStream(track, encoding, repaired != null, p.ssrc());
        bind(p.ssrc(), stream);
        if (!stream.rtx() && !track.subscriptions().isEmpty()) {
            track.requestKeyframe(encoding, System.nanoTime(), 0);
        }
        return stream;
    }

    private String extensionString(RtpPacket p, HeaderExtension extension) {
        Integer extensionId = extensionIds.get(extension);
        if (extensionId == null) {
            return null;
        }
        return dev.sfu.rtp.SdesItemExtension.read(p, extensionId);
    }

    @Override
    public void onRtcp(Transport transport, byte[] buffer, int offset, int length) {
        dev.sfu.rtp.rtcp.RtcpCompoundIterator it = rtcpIterator;
        it.reset(buffer, offset, length);
        if (transport == publishTransport) {
            while (it.next()) {
                if (SenderReport.is(it)) {
                    translateSenderReport(buffer, it.packetOffset());
                }
            }
            return;
        }
        while (it.next()) {
            if (isTransportCcFeedback(it)) {
                countDownlinkFeedback(buffer, it.packetOffset(), it.packetLength());
            } else if (GenericNack.is(it)) {
                answerNack(buffer, it.packetOffset(), it.packetLength(), it.mediaSsrc());
            } else if (it.isKeyframeRequest()) {
                int mediaSsrc = it.keyframeSsrc();
                for (Slot slot : slots) {
                    Subscription s = slot.subscription;
                    if (s != null && s.ssrc() == mediaSsrc) {
                        requestKeyframeFor(s);
                    }
                }
            }
        }
    }

    private static boolean isTransportCcFeedback(dev.sfu.rtp.rtcp.RtcpCompoundIterator it) {
        return it.packetType() == dev.sfu.rtp.rtcp.RtcpPacketType.RTPFB
                && it.countOrFormat() == dev.sfu.rtp.rtcp.TransportCcFeedback.FMT;
    }

    /**
     * A subscriber's transport-cc feedback on what we sent it: the input of its downlink estimate, and
     * counted (packets it reports received and lost).
     */
    private void countDownlinkFeedback(byte[] buffer, int at, int length) {
        long[] feedbackArrivals = conference.feedbackScratch();
        int count = dev.sfu.rtp.rtcp.TransportCcFeedback.parse(buffer, at, length, feedbackArrivals);
        if (count <= 0) {
            return;
        }
        int lost = 0;
        for (int i = 0; i < count; i++) {
            if (feedbackArrivals[i] == dev.sfu.rtp.rtcp.TransportCcFeedback.NOT_RECEIVED) {
                lost++;
            }
        }
        int base = (buffer[at + 12] & 0xff) << 8 | (buffer[at + 13] & 0xff);
        downlink.onFeedback(base, feedbackArrivals, count, System.nanoTime());
        SfuMetrics metrics = conference.context().metrics();
        metrics.downlinkFeedbackReceived().increment(count - lost);
        metrics.downlinkFeedbackLost().increment(lost);
    }

    /**
     * Passes a publisher's sender report on to every subscriber of that stream, in the subscriber's SSRC
     * and timestamps: the NTP↔RTP mapping is what lets receivers play audio and video in sync.
     */
    private void translateSenderReport(byte[] buffer, int at) {
        InboundStream stream = inbound.get(dev.sfu.rtp.rtcp.RtcpCompoundIterator.readInt(buffer, at + 4));
        if (stream == null || stream.rtx()) {
            return;
        }
        long ntp = SenderReport.ntpTimestamp(buffer, at);
        int rtpTimestamp = SenderReport.rtpTimestamp(buffer, at);
        stream.reception().onSenderReport(ntp, System.nanoTime());
        ArrayList<Subscription> subscriptions = stream.track().subscriptions();
        for (int i = 0, n = subscriptions.size(); i < n; i++) {
            Subscription s = subscriptions.get(i);
            RtpSender out = s.subscriberTransport();
            if (s.translates(stream.encoding()) && out != null && out.isConnected()) {
                int len = SenderReport.write(srOut, 0, s.ssrc(), ntp, s.outgoingTimestamp(rtpTimestamp), s.packetsSent(),
                        s.octetsSent());
                conference.router().sendRtcp(out, srOut, len);
            }
        }
    }

    private final byte[] srOut = new byte[SenderReport.LENGTH];

    /** A subscriber lost packets: resend them from the cache (never asks the publisher when cached). */
    private void answerNack(byte[] buffer, int at, int length, int mediaSsrc) {
        Subscription s = null;
        for (Slot slot : slots) {
            if (slot.subscription != null && slot.subscription.ssrc() == mediaSsrc) {
                s = slot.subscription;
            }
        }
        if (s == null) {
            return;
        }
        long now = System.nanoTime();
        SfuMetrics metrics = conference.context().metrics();
        for (int e = 0, n = GenericNack.entries(length); e < n; e++) {
            int pid = GenericNack.pid(buffer, at, e);
            int blp = GenericNack.blp(buffer, at, e);
            for (int bit = -1; bit < 16; bit++) {
                if (bit >= 0 && (blp & (1 << bit)) == 0) {
                    continue;
                }
                metrics.nacksReceived().increment();
                if (conference.router().retransmit(s, (pid + bit + 1) & 0xffff, now)) {
                    metrics.retransmissions().increment();
                }
            }
        }
    }

    private final dev.sfu.rtp.rtcp.RtcpCompoundIterator rtcpIterator = new dev.sfu.rtp.rtcp.RtcpCompoundIterator();

    @Override
    public void onConnected(Transport transport) {
        if (transport == subscribeTransport) {
            for (Slot slot : slots) {
                if (slot.subscription != null && slot.subscription.accepted()) {
                    requestKeyframeFor(slot.subscription);
                }
            }
        }
    }

    @Override
    public void onFailed(Transport transport, String reason) {
        LOG.info("{}: {} transport failed ({}): the endpoint leaves", id, transport.name(), reason);
        if (!left) {
            left = true;
            conference.remove(this);
            listener.closed("transport failed: " + reason);
        }
    }

    /** Closes both transports; the conference has already let go of this endpoint. */
    void close() {
        closed = true;
        left = true;
        for (Slot slot : slots) {
            if (slot.subscription != null) {
                slot.subscription.track().subscriptions().remove(slot.subscription);
                slot.subscription = null;
            }
        }
        if (publishTransport != null) {
            publishTransport.close();
        }
        if (subscribeTransport != null) {
            subscribeTransport.close();
        }
        conference.context().metrics().endpoints().decrementAndGet();
    }
}
