package dev.sfu.core;

import dev.sfu.core.data.DataRelay;
import dev.sfu.core.inbound.Publisher;
import dev.sfu.core.media.Track;
import dev.sfu.core.outbound.Subscriber;
import dev.sfu.core.sdp.DataChannelParameters;
import dev.sfu.core.sdp.SdpException;
import dev.sfu.core.sdp.SessionDescription;
import dev.sfu.core.sdp.SubscribeAnswer;
import dev.sfu.core.sdp.SubscribeSlot;
import dev.sfu.core.transport.Transport;
import dev.sfu.core.transport.TransportRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One participant: its membership of a conference, its {@link Publisher} (the publish transport and the
 * tracks it sends) and its {@link Subscriber} (the subscribe transport and what it receives). The
 * {@link EndpointHandle} methods may be called from any thread; they check what they can at once and post
 * the rest to the conference's media thread, where all state lives.
 */
final class Endpoint implements EndpointHandle, Publisher.Host, Subscriber.Host {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
    private static final int MAX_CANDIDATE_LENGTH = 512;

    private final String id;
    private final String displayName;
    private final Conference conference;
    private final EndpointListener listener;
    private final List<Participant> participantsAtJoin;
    private final Publisher publisher;
    private final Subscriber subscriber;
    /** Set once the endpoint leaves or is removed: any thread may read it. */
    private volatile boolean left;
    /** Set on the media thread when its transports are closed. */
    private boolean closed;
    private final JoinOptions options;
    /** Whether it receives the others' tracks (its grant; the admin API may change it). Media thread. */
    private boolean canSubscribe;
    /** Why it left, for webhooks: its own leave unless set before. */
    private volatile String leaveReason;
    /** The sources its latest publish offer named, by mid. Media thread. */
    private Map<String, String> offeredSources = Map.of();
    /** trackId to source of what it publishes now; written on the media thread, read by any. */
    private volatile Map<String, String> publishedSources = Map.of();
    /** When it joined (System.nanoTime), for the join-to-first-packet histogram. */
    private final long joinedNanos = System.nanoTime();

    Endpoint(String id, String displayName, Conference conference, EndpointListener listener) {
        this(id, displayName, conference, listener, JoinOptions.DEFAULT);
    }

    Endpoint(String id, String displayName, Conference conference, EndpointListener listener, JoinOptions options) {
        this.options = options;
        this.canSubscribe = options.canSubscribe();
        this.id = id;
        this.displayName = displayName;
        this.conference = conference;
        this.listener = listener;
        this.participantsAtJoin = conference.participants();
        this.publisher = new Publisher(id, this, conference.router(), conference.context().metrics(),
                conference.thread().clock(), conference.context().publishLimits(),
                conference.context().metrics().cacheBudget());
        MediaTuning tuning = conference.context().tuning();
        this.subscriber = new Subscriber(id, this, conference.router(), conference.context().metrics(),
                conference.thread().clock(), tuning.pacerCapacity(), tuning.pacerTick().toNanos(),
                tuning.keyframeRequestInterval().toNanos());
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

    @Override
    public List<Participant> participantsAtJoin() {
        return participantsAtJoin;
    }

    @Override
    public List<Participant> participants() {
        List<Participant> others = new ArrayList<>(conference.participants());
        others.removeIf(p -> p.endpointId().equals(id));
        return others;
    }

    @Override
    public void resendSubscribeOffer() throws SignalingException {
        checkJoined();
        onMediaThread(() -> {
            if (!closed) {
                subscriber.resendOffer();
            }
        });
    }

    @Override
    public CompletionStage<String> publishOffer(String sdp) {
        return publishOffer(sdp, Map.of());
    }

    @Override
    public CompletionStage<String> publishOffer(String sdp, Map<String, String> sourcesByMid) {
        Map<String, String> sources = Map.copyOf(sourcesByMid);
        CompletableFuture<String> answer = new CompletableFuture<>();
        if (left) {
            answer.completeExceptionally(notJoined());
            return answer;
        }
        // Parsed here, on the caller's (signaling) thread: an offer that cannot be read never costs the
        // media thread, which every endpoint of the conference shares, any time.
        SessionDescription offer;
        try {
            offer = SessionDescription.parse(sdp);
        } catch (SdpException e) {
            answer.completeExceptionally(new SignalingException(SignalingException.Code.SDP_REJECTED, e.getMessage()));
            return answer;
        }
        onMediaThread(() -> {
            try {
                if (closed) {
                    throw notJoined();
                }
                offeredSources = sources;
                answer.complete(publisher.handleOffer(offer));
            } catch (SignalingException e) {
                answer.completeExceptionally(e);
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
        checkJoined();
        List<SubscribeSlot> offered = subscriber.offeredSlots();
        if (offered.isEmpty()) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST, "no subscribe offer is outstanding");
        }
        SubscribeAnswer answer;
        try {
            answer = SubscribeAnswer.parse(sdp, offered);
        } catch (SdpException e) {
            throw new SignalingException(SignalingException.Code.SDP_REJECTED, e.getMessage());
        }
        onMediaThread(() -> {
            if (!closed) {
                subscriber.onAnswer(offered, answer);
            }
        });
    }

    @Override
    public void restartIce(TransportRole transport) throws SignalingException {
        checkJoined();
        if (transport == TransportRole.PUBLISH) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST,
                    "the publish transport restarts ICE by an offer with a new ice-ufrag and ice-pwd");
        }
        onMediaThread(() -> {
            if (!closed) {
                LOG.info("{}: ICE restart of the subscribe transport", id);
                subscriber.restartIce();
            }
        });
    }

    @Override
    public void remoteCandidate(TransportRole transport, String candidate, String sdpMid, Integer sdpMLineIndex)
            throws SignalingException {
        checkJoined();
        if (candidate == null || candidate.isBlank()) {
            return; // end of candidates: ICE goes on with what it has
        }
        if (candidate.length() > MAX_CANDIDATE_LENGTH) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST, "candidate too long");
        }
        onMediaThread(() -> {
            if (closed) {
                return;
            }
            if (transport == TransportRole.PUBLISH) {
                publisher.addRemoteCandidate(candidate);
            } else {
                subscriber.addRemoteCandidate(candidate);
            }
        });
    }

    @Override
    public void receiverConstraints(int defaultMaxHeight, Map<String, Integer> perEndpointMaxHeight) {
        Map<String, Integer> copy = Map.copyOf(perEndpointMaxHeight);
        onMediaThread(() -> subscriber.setConstraints(defaultMaxHeight, copy));
    }

    @Override
    public void leave(String reason) {
        if (leaveReason == null) {
            leaveReason = reason;
        }
        leave();
    }

    @Override
    public void setTrackMuted(String trackId, boolean muted, boolean byServer) throws SignalingException {
        checkJoined();
        if (!publishedSources.containsKey(trackId)) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST, "you publish no track with this trackId");
        }
        onMediaThread(() -> {
            for (Track track : publisher.tracks()) {
                if (track.trackId().equals(trackId) && !closed) {
                    conference.setMuted(this, track, muted, byServer);
                }
            }
        });
    }

    @Override
    public void setSourceMuted(String source, boolean muted) {
        onMediaThread(() -> {
            for (Track track : publisher.tracks()) {
                if (track.source().equals(source) && !closed) {
                    conference.setMuted(this, track, muted, true);
                }
            }
        });
    }

    @Override
    public void updatePermissions(boolean subscribe, boolean publishData) {
        onMediaThread(() -> {
            if (closed) {
                return;
            }
            conference.dataRelay().setMayPublish(id, publishData);
            if (subscribe != canSubscribe) {
                canSubscribe = subscribe;
                conference.subscriptionsChanged(this, subscribe);
            }
        });
    }

    @Override
    public Map<String, String> publishedSources() {
        return publishedSources;
    }

    JoinOptions options() {
        return options;
    }

    /** Why it left: {@code leave} unless a reason was given. */
    String leaveReason() {
        String r = leaveReason;
        return r != null ? r : "leave";
    }

    void setLeaveReasonIfUnset(String reason) {
        if (leaveReason == null) {
            leaveReason = reason;
        }
    }

    boolean canSubscribe() {
        return canSubscribe;
    }

    /** This endpoint as the admin API shows it. Media thread. */
    ConferenceDetail.EndpointDetail detail() {
        long now = conference.thread().clock().nanos();
        List<ConferenceDetail.TrackDetail> tracks = new ArrayList<>();
        for (Track t : publisher.tracks()) {
            List<ConferenceDetail.LayerDetail> layers = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < t.encodingCount(); i++) {
                total += t.bitrate(i);
                layers.add(new ConferenceDetail.LayerDetail(t.rids().isEmpty() ? null : t.rids().get(i), t.bitrate(i),
                        t.height(i), t.isActive(i, now)));
            }
            tracks.add(new ConferenceDetail.TrackDetail(t.trackId(), t.mid(), t.kind().wireName(), t.source(),
                    t.isMuted(), total, layers));
        }
        return new ConferenceDetail.EndpointDetail(id, displayName, options.identity(), options.hidden(), canSubscribe,
                !conference.dataRelay().isSilenced(id), options.metadata(), tracks, publisher.transportState(),
                subscriber.transportState());
    }

    @Override
    public void leave() {
        if (!left) {
            left = true;
            onMediaThread(() -> conference.remove(this));
        }
    }

    private void checkJoined() throws SignalingException {
        if (left) {
            throw notJoined();
        }
    }

    private static SignalingException notJoined() {
        return new SignalingException(SignalingException.Code.NOT_JOINED, "the endpoint has left");
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

    // ---- the conference's view: media thread ----

    String displayName() {
        return displayName;
    }

    EndpointListener listener() {
        return listener;
    }

    Publisher publisher() {
        return publisher;
    }

    Subscriber subscriber() {
        return subscriber;
    }

    List<Track> tracks() {
        return publisher.tracks();
    }

    /** Starts receiving another endpoint's track. */
    void subscribe(Track track) {
        if (!closed && canSubscribe) {
            subscriber.subscribe(track);
        }
    }

    /** Closes both transports; the conference has already let go of this endpoint and its tracks. */
    void close() {
        closed = true;
        left = true;
        conference.dataRelay().detach(id, conference.thread().clock().nanos());
        subscriber.close();
        publisher.close();
        conference.context().metrics().endpoints().decrementAndGet();
    }

    private void refreshPublishedSources() {
        Map<String, String> m = new java.util.HashMap<>();
        for (Track t : publisher.tracks()) {
            m.put(t.trackId(), t.source());
        }
        publishedSources = Map.copyOf(m);
    }

    // ---- Publisher.Host and Subscriber.Host: media thread ----

    @Override
    public Transport newTransport(TransportRole role, Transport.MediaHandler handler) {
        SfuContext context = conference.context();
        Transport transport = new Transport(id + "/" + role.wireName(),
                context.mediaPort().createTransport(id + "-" + role.wireName()), context.certificate(),
                context.handshakeExecutor(), conference.thread(), handler, context.metrics().transports(),
                context.handshakeQuota(), conference.id());
        if (role == TransportRole.SUBSCRIBE) {
            transport.measureFirstPacketFrom(joinedNanos);
        }
        return transport;
    }

    @Override
    public void trackAdded(Track track) {
        String source = offeredSources.get(track.mid());
        if (source != null) {
            track.setSource(source);
        }
        refreshPublishedSources();
        conference.trackAdded(track);
    }

    @Override
    public void trackRemoved(Track track) {
        conference.trackRemoved(track);
        refreshPublishedSources();
    }

    @Override
    public void subscribeOffer(String sdp, List<SubscribeSlot> slots) {
        List<TrackMapping> mapping = new ArrayList<>();
        for (SubscribeSlot slot : slots) {
            SubscribeSlot.OfferedTrack t = slot.track();
            if (t != null) {
                Track track = conference.track(t.endpointId(), t.trackId());
            mapping.add(new TrackMapping(slot.mid(), t.endpointId(), slot.kind(), t.trackId(),
                    track != null ? track.source() : null, track != null && track.isMuted()));
            }
        }
        listener.subscribeOffer(sdp, mapping);
    }

    @Override
    public void dataChannelsNegotiated(DataChannelParameters data, Transport transport) {
        DataRelay relay = conference.dataRelay();
        if (!relay.has(id)) {
            relay.attach(id, transport::sendApplicationData, data.remoteMaxMessageSize());
            if (transport.isConnected()) {
                relay.connect(id, conference.thread().clock().nanos());
                conference.dataActivity();
            }
        }
    }

    @Override
    public void publishConnected() {
        conference.dataRelay().connect(id, conference.thread().clock().nanos());
        conference.dataActivity(); // the handshake's timers
    }

    @Override
    public void dataPacket(byte[] packet) {
        conference.dataRelay().receive(id, packet, conference.thread().clock().nanos());
        conference.dataActivity(); // what it sent or answered arms SCTP timers
    }

    @Override
    public void pacerSlotsNeeded() {
        conference.pacerSlotsNeeded();
    }

    @Override
    public void rtpArrived() {
        conference.rtpArrived();
    }

    @Override
    public void transportFailed(Transport transport, String reason) {
        LOG.info("{}: {} transport failed ({}): the endpoint leaves", id, transport.name(), reason);
        if (!left) {
            left = true;
            setLeaveReasonIfUnset("transport-failed");
            conference.remove(this);
            listener.closed("transport failed: " + reason);
        }
    }
}
