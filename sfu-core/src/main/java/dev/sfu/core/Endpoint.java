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

    Endpoint(String id, String displayName, Conference conference, EndpointListener listener) {
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
        if (!closed) {
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

    // ---- Publisher.Host and Subscriber.Host: media thread ----

    @Override
    public Transport newTransport(TransportRole role, Transport.MediaHandler handler) {
        SfuContext context = conference.context();
        return new Transport(id + "/" + role.wireName(),
                context.mediaPort().createTransport(id + "-" + role.wireName()), context.certificate(),
                context.handshakeExecutor(), conference.thread(), handler, context.metrics().transports(),
                context.handshakeQuota(), conference.id());
    }

    @Override
    public void trackAdded(Track track) {
        conference.trackAdded(track);
    }

    @Override
    public void trackRemoved(Track track) {
        conference.trackRemoved(track);
    }

    @Override
    public void subscribeOffer(String sdp, List<SubscribeSlot> slots) {
        List<TrackMapping> mapping = new ArrayList<>();
        for (SubscribeSlot slot : slots) {
            SubscribeSlot.OfferedTrack t = slot.track();
            if (t != null) {
                mapping.add(new TrackMapping(slot.mid(), t.endpointId(), slot.kind(), t.trackId()));
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
            }
        }
    }

    @Override
    public void publishConnected() {
        conference.dataRelay().connect(id, conference.thread().clock().nanos());
    }

    @Override
    public void dataPacket(byte[] packet) {
        conference.dataRelay().receive(id, packet, conference.thread().clock().nanos());
    }

    @Override
    public void transportFailed(Transport transport, String reason) {
        LOG.info("{}: {} transport failed ({}): the endpoint leaves", id, transport.name(), reason);
        if (!left) {
            left = true;
            conference.remove(this);
            listener.closed("transport failed: " + reason);
        }
    }
}
