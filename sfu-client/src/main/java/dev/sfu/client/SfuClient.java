package dev.sfu.client;

import dev.sfu.core.EndpointListener;
import dev.sfu.core.Participant;
import dev.sfu.core.TrackMapping;
import dev.sfu.core.sdp.DtlsSetup;
import dev.sfu.core.sdp.HeaderExtension;
import dev.sfu.core.sdp.MediaDescription;
import dev.sfu.core.sdp.SdpException;
import dev.sfu.core.sdp.SessionDescription;
import dev.sfu.core.sdp.TransportParameters;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.core.transport.Transport;
import dev.sfu.core.util.IntObjectMap;
import dev.sfu.ice.IceTransport;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.sctp.SctpConfig;
import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelListener;
import dev.sfu.sctp.dcep.DataChannelOptions;
import dev.sfu.sctp.dcep.DataChannels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebRTC client in process: it publishes and subscribes exactly as a browser does (controlling ICE,
 * DTLS client, SRTP) over real UDP. Tests use it to exercise the server end to end, and the load-test
 * harness runs hundreds of them. Its state lives on one {@link MediaThread}, which many clients may
 * share; {@link #sendRtp} must be called there (see {@link #execute}).
 *
 * <p>Why one class of about 500 lines: it is where a client's two transports, their offer/answer and the
 * emulated network between them and the server meet, and each of those needs the others' state. What
 * stands alone is a class of its own: {@link ClientSdp} (the SDP it writes), {@link LinkEmulator} (loss,
 * delay, a bandwidth cap), {@link DownlinkFeedback} (transport-cc feedback as a browser sends it).
 */
public final class SfuClient implements EndpointListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SfuClient.class);

    /** How the client reaches the server's signaling (in process, or over WebSocket). */
    public interface Signaling {
        /** Sends the publish offer; completes with the server's answer. */
        CompletionStage<String> publishOffer(String sdp);

        /** Sends the answer to the server's latest subscribe offer. */
        void subscribeAnswer(String sdp) throws Exception;

        /** Asks for an ICE restart of the {@code subscribe} transport (the {@code restartIce} message). */
        default void restartIce(String transport) throws Exception {
            throw new UnsupportedOperationException("this signaling cannot ask for an ICE restart");
        }
    }

    /** Receives what the client gets. Called on the client's media thread. */
    public interface Listener {
        /** A decrypted RTP packet of a remote track; the packet is valid only during the call. */
        default void onRtp(TrackMapping track, RtpPacket packet) {
        }

        /** A decrypted RTCP compound packet from the server on the subscribe transport; valid during the call. */
        default void onRtcp(byte[] buffer, int offset, int length) {
        }

        /**
         * A decrypted RTCP compound packet from the server on the publish transport (keyframe requests,
         * transport-cc feedback, receiver reports); valid during the call.
         */
        default void onPublisherRtcp(byte[] buffer, int offset, int length) {
        }

        default void onParticipantJoined(Participant participant) {
        }

        default void onParticipantLeft(String endpointId) {
        }

        default void onDominantSpeaker(String endpointId) {
        }

        default void onSubscribeOffer(List<TrackMapping> tracks) {
        }

        default void onClosed(String reason) {
        }
    }

    private final String name;
    private final ClientContext context;
    private final MediaThread thread;
    private final Listener listener;
    private Signaling signaling;
    private Transport publishTransport;
    private Transport subscribeTransport;
    /** The transports' ICE sessions, which the client owns: raw sends and vanishing go straight to them. */
    private IceTransport publishIce;
    private IceTransport subscribeIce;
    private final IntObjectMap<TrackMapping> tracksBySsrc = new IntObjectMap<>();
    private final RtpPacket received = new RtpPacket();
    private final DownlinkFeedback downlinkFeedback = new DownlinkFeedback();
    /** The data channels over the publish transport (null until {@link #enableDataChannels}); media thread. */
    private DataChannels dataChannels;
    private final CompletableFuture<Void> publishConnected = new CompletableFuture<>();
    private final CompletableFuture<Void> subscribeConnected = new CompletableFuture<>();
    private final List<TrackMapping> remoteTracks = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** Emulated network toward the server and back (null until {@link #emulateLink}); media thread. */
    private LinkEmulator uplink;
    private LinkEmulator downlink;
    private static final int PUBLISH_RTP = 0;
    private static final int PUBLISH_RTCP = 1;
    private static final int SUBSCRIBE_RTP = 2;
    private static final int SUBSCRIBE_RTCP = 3;

    public SfuClient(String name, ClientContext context, MediaThread thread, Listener listener) {
        this.name = name;
        this.context = context;
        this.thread = thread;
        this.listener = listener;
    }

    /** Connects the client to its signaling channel; call before {@link #publish}. */
    public void attach(Signaling signaling) {
        this.signaling = signaling;
    }

    /**
     * Gives the client an SCTP association for data channels over its publish transport, as a browser
     * does when a page creates an RTCDataChannel; publish a {@link ClientSdp.PublishSpec#data} section
     * with it. The client is the DTLS client, so its channels take even stream ids. Any thread, before
     * {@link #publish}.
     */
    public void enableDataChannels(DataChannelListener listener) {
        thread.execute(() -> {
            if (dataChannels == null) {
                dataChannels = new DataChannels(SctpConfig.defaults(), false, packet -> {
                    Transport t = publishTransport;
                    if (t != null) {
                        t.sendApplicationData(packet);
                    }
                }, listener);
                thread.every(10_000_000L, () -> {
                    long now = System.nanoTime();
                    if (now - dataChannels.nextTimeoutNanos() >= 0) {
                        dataChannels.handleTimeout(now);
                    }
                });
            }
        });
    }

    /** Opens a data channel (DCEP); it waits in the association's queue until SCTP is up. Any thread. */
    public CompletionStage<DataChannel> openDataChannel(String label, DataChannelOptions options) {
        CompletableFuture<DataChannel> opened = new CompletableFuture<>();
        thread.execute(() -> {
            DataChannel channel = dataChannels == null ? null : dataChannels.open(label, options, System.nanoTime());
            if (channel == null) {
                opened.completeExceptionally(new IllegalStateException("no data channels: call enableDataChannels"));
            } else {
                opened.complete(channel);
            }
        });
        return opened;
    }

    /** Runs a task on this client's media thread. */
    public void execute(Runnable task) {
        thread.execute(task);
    }

    /**
     * Offers the given tracks on a new publish transport and connects it. Completes once DTLS-SRTP is up.
     */
    public CompletionStage<Void> publish(List<ClientSdp.PublishSpec> tracks) {
        CompletableFuture<String> offer = new CompletableFuture<>();
        thread.execute(() -> {
            publishTransport = newTransport("publish");
            offer.complete(ClientSdp.publishOffer(tracks, publishTransport.localParameters(DtlsSetup.ACTPASS), name));
        });
        return offer.thenCompose(signaling::publishOffer).thenAccept(answer -> thread.execute(() -> {
            try {
                SessionDescription sdp = SessionDescription.parse(answer);
                publishTransport.start(TransportParameters.of(sdp));
            } catch (SdpException e) {
                publishConnected.completeExceptionally(e);
            }
        })).thenCompose(v -> publishConnected);
    }

    /**
     * ICE restart of the publish transport: new local credentials and a re-offer of the same tracks; the
     * server restarts too and answers with its new ones. Completes when the answer is applied.
     */
    public CompletionStage<Void> restartPublishIce(List<ClientSdp.PublishSpec> tracks) {
        CompletableFuture<String> offer = new CompletableFuture<>();
        thread.execute(() -> {
            publishTransport.restartIce();
            offer.complete(ClientSdp.publishOffer(tracks, publishTransport.localParameters(DtlsSetup.ACTPASS), name));
        });
        CompletableFuture<Void> applied = new CompletableFuture<>();
        offer.thenCompose(signaling::publishOffer).whenComplete((answer, error) -> thread.execute(() -> {
            try {
                if (error != null) {
                    throw error;
                }
                publishTransport.start(TransportParameters.of(SessionDescription.parse(answer)));
                applied.complete(null);
            } catch (Throwable e) {
                applied.completeExceptionally(e);
            }
        }));
        return applied;
    }

    /** Asks the server to restart the subscribe transport's ICE; its new subscribe offer does the rest. */
    public void restartSubscribeIce() throws Exception {
        signaling.restartIce("subscribe");
    }

    /** Completes when the subscribe transport is up (after the first subscribe offer). */
    public CompletionStage<Void> subscribed() {
        return subscribeConnected;
    }

    /** The track a remote SSRC of the latest subscribe offer carries, or null. Media thread only. */
    public TrackMapping trackOf(int ssrc) {
        return tracksBySsrc.get(ssrc);
    }

    /** Remote tracks of the latest subscribe offer. */
    public List<TrackMapping> remoteTracks() {
        return remoteTracks;
    }

    /**
     * Encrypts and sends an RTP packet on the publish transport. Media thread only; buffer needs SRTP room.
     *
     * @return the SRTP packet's length (left in the buffer), or -1 when it was not sent
     */
    public int sendRtp(byte[] buffer, int offset, int length) {
        Transport t = publishTransport;
        if (t == null || !t.isConnected()) {
            return -1;
        }
        if (uplink != null) {
            uplink.offer(PUBLISH_RTP, buffer, offset, length, System.nanoTime());
            return length;
        }
        return t.sendRtp(buffer, offset, length);
    }

    /**
     * Puts an emulated network between this client and the server, one link each way (seeded, so a run
     * loses the same packets every time); later calls change the conditions. RTP and RTCP of both
     * transports cross it in the clear: a packet is encrypted as it leaves the uplink and was decrypted
     * before it entered the downlink, whose exit is its arrival time for transport-cc, so the server's
     * bandwidth estimate sees the emulated delays. Any thread.
     */
    public void emulateLink(LinkEmulator.Conditions up, LinkEmulator.Conditions down, long seed) {
        thread.execute(() -> {
            if (uplink == null) {
                uplink = new LinkEmulator(seed);
                downlink = new LinkEmulator(seed * 31 + 7);
                thread.every(1_000_000L, this::pollLinks);
            }
            uplink.setConditions(up);
            downlink.setConditions(down);
        });
    }

    /** The emulated links (null before {@link #emulateLink}); read their counters on the media thread. */
    public LinkEmulator uplink() {
        return uplink;
    }

    public LinkEmulator downlink() {
        return downlink;
    }

    private void pollLinks() {
        long now = System.nanoTime();
        uplink.poll(now, this::leaveUplink);
        downlink.poll(now, this::leaveDownlink);
    }

    private void leaveUplink(int tag, byte[] buffer, int offset, int length, long nowNanos) {
        Transport t = tag == PUBLISH_RTP || tag == PUBLISH_RTCP ? publishTransport : subscribeTransport;
        if (t == null || !t.isConnected()) {
            return;
        }
        if (tag == PUBLISH_RTP) {
            t.sendRtp(buffer, offset, length);
        } else {
            t.sendRtcp(buffer, offset, length);
        }
    }

    private void leaveDownlink(int tag, byte[] buffer, int offset, int length, long nowNanos) {
        switch (tag) {
            case SUBSCRIBE_RTP -> receiveRtp(buffer, offset, length, nowNanos);
            case SUBSCRIBE_RTCP -> listener.onRtcp(buffer, offset, length);
            default -> listener.onPublisherRtcp(buffer, offset, length);
        }
    }

    /**
     * Sends transport-cc feedback on the subscribe transport every {@code periodMillis}, as a browser
     * does. Any thread.
     */
    public void sendTransportFeedbackEvery(long periodMillis) {
        thread.every(periodMillis * 1_000_000L, this::sendTransportFeedback);
    }

    /**
     * Sends bytes unprotected on the publish transport, as a misbehaving client would (hostile-peer
     * tests: replayed SRTP, garbage from a connected address). Media thread only.
     */
    public void sendRawOnPublishTransport(byte[] buffer, int offset, int length) {
        IceTransport ice = publishIce;
        if (ice != null && !closed) {
            ice.send(buffer, offset, length);
        }
    }

    /**
     * Drops both transports without telling the server (no DTLS close_notify, no leave), as when the
     * client's network disappears; the server finds out by consent freshness.
     */
    public void vanish() {
        closed = true;
        thread.execute(() -> {
            // ICE goes without a word; DTLS is never closed, so no close_notify leaves either.
            if (publishIce != null) {
                publishIce.close();
            }
            if (subscribeIce != null) {
                subscribeIce.close();
            }
        });
    }

    /**
     * Sends transport-cc feedback for what arrived on the subscribe transport since the last call, as a
     * browser does every 50–100 ms when the offer negotiated it. Media thread only.
     *
     * @return whether a feedback packet went out
     */
    public boolean sendTransportFeedback() {
        Transport t = subscribeTransport;
        if (t == null || !t.isConnected() || !downlinkFeedback.negotiated()) {
            return false;
        }
        int length = downlinkFeedback.write();
        if (length <= 0) {
            return false;
        }
        sendSubscriberRtcp(downlinkFeedback.buffer(), 0, length);
        return true;
    }

    /** Transport-cc feedback packets sent so far (read from any thread, roughly). */
    public long transportFeedbackSent() {
        return downlinkFeedback.sent();
    }

    /** Sends an RTCP packet (e.g. a sender report) on the publish transport. Media thread only. */
    public void sendPublisherRtcp(byte[] buffer, int offset, int length) {
        sendRtcp(publishTransport, PUBLISH_RTCP, buffer, offset, length);
    }

    /** Sends an RTCP packet (e.g. a PLI or a NACK) on the subscribe transport. Media thread only. */
    public void sendSubscriberRtcp(byte[] buffer, int offset, int length) {
        sendRtcp(subscribeTransport, SUBSCRIBE_RTCP, buffer, offset, length);
    }

    private void sendRtcp(Transport t, int tag, byte[] buffer, int offset, int length) {
        if (t != null && t.isConnected()) {
            if (uplink != null) {
                uplink.offer(tag, buffer, offset, length, System.nanoTime());
            } else {
                t.sendRtcp(buffer, offset, length);
            }
        }
    }

    /** A decrypted packet of the subscribe transport, as it leaves the (emulated) network. */
    private void receiveRtp(byte[] buffer, int offset, int length, long receivedNanos) {
        if (!received.wrap(buffer, offset, length)) {
            return;
        }
        downlinkFeedback.onPacket(received, receivedNanos);
        if (received.payloadLength() == 0) {
            return; // padding only: the server probing the bandwidth
        }
        TrackMapping track = tracksBySsrc.get(received.ssrc());
        if (track != null) {
            listener.onRtp(track, received);
        }
    }

    private Transport newTransport(String role) {
        IceTransport ice = context.newIceTransport(name + "-" + role);
        if (role.equals("publish")) {
            publishIce = ice;
        } else {
            subscribeIce = ice;
        }
        return new Transport(name + "/" + role, ice, context.certificate(), context.handshakeExecutor(), thread,
                new Handler(), context.counters());
    }

    // ---- EndpointListener: what the server says ----

    @Override
    public void subscribeOffer(String sdp, List<TrackMapping> tracks) {
        thread.execute(() -> handleSubscribeOffer(sdp, tracks));
    }

    private void handleSubscribeOffer(String sdp, List<TrackMapping> tracks) {
        if (closed) {
            return;
        }
        try {
            SessionDescription offer = SessionDescription.parse(sdp);
            if (subscribeTransport == null) {
                subscribeTransport = newTransport("subscribe");
            }
            tracksBySsrc.clear();
            int transportCcId = 0;
            for (MediaDescription m : offer.media()) {
                for (String extmap : m.attributes("extmap")) {
                    String[] f = extmap.split(" ");
                    if (f.length >= 2 && f[1].equals(HeaderExtension.TRANSPORT_CC.uri())) {
                        transportCcId = Integer.parseInt(f[0].split("/")[0]);
                    }
                }
                for (TrackMapping t : tracks) {
                    if (t.mid().equals(m.mid())) {
                        for (String line : m.attributes("ssrc")) {
                            tracksBySsrc.put((int) Long.parseLong(line.substring(0, line.indexOf(' '))), t);
                        }
                    }
                }
            }
            downlinkFeedback.setExtensionId(transportCcId);
            remoteTracks.clear();
            remoteTracks.addAll(tracks);
            if (subscribeTransport.iceRestarted(TransportParameters.of(offer))) {
                subscribeTransport.restartIce(); // the server restarted ICE: so do we, before answering
            }
            String answer = ClientSdp.subscribeAnswer(sdp, subscribeTransport.localParameters(DtlsSetup.ACTIVE));
            signaling.subscribeAnswer(answer);
            subscribeTransport.start(TransportParameters.of(offer));
            listener.onSubscribeOffer(List.copyOf(tracks));
        } catch (Exception e) {
            LOG.warn("{}: cannot answer the subscribe offer: {}", name, e.toString());
        }
    }

    @Override
    public void candidate(String transport, String candidate, String sdpMid, int sdpMLineIndex) {
        thread.execute(() -> {
            Transport t = "publish".equals(transport) ? publishTransport : subscribeTransport;
            if (t != null) {
                t.addRemoteCandidate(candidate);
            }
        });
    }

    @Override
    public void participantJoined(Participant participant) {
        listener.onParticipantJoined(participant);
    }

    @Override
    public void participantLeft(String endpointId) {
        listener.onParticipantLeft(endpointId);
    }

    @Override
    public void dominantSpeaker(String endpointId) {
        listener.onDominantSpeaker(endpointId);
    }

    @Override
    public void closed(String reason) {
        listener.onClosed(reason);
        close();
    }

    /** Closes both transports. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.execute(() -> {
            if (publishTransport != null) {
                publishTransport.close();
            }
            if (subscribeTransport != null) {
                subscribeTransport.close();
            }
        });
    }

    /** Receives on the client's media thread. */
    private final class Handler implements Transport.MediaHandler {
        @Override
        public void onRtp(Transport transport, byte[] buffer, int offset, int length, long receivedNanos) {
            if (transport != subscribeTransport) {
                return;
            }
            if (downlink != null) {
                downlink.offer(SUBSCRIBE_RTP, buffer, offset, length, receivedNanos);
            } else {
                receiveRtp(buffer, offset, length, receivedNanos);
            }
        }

        @Override
        public void onRtcp(Transport transport, byte[] buffer, int offset, int length) {
            int tag = transport == subscribeTransport ? SUBSCRIBE_RTCP : PUBLISH_RTCP;
            if (downlink != null) {
                downlink.offer(tag, buffer, offset, length, System.nanoTime());
            } else {
                leaveDownlink(tag, buffer, offset, length, System.nanoTime());
            }
        }

        @Override
        public void onConnected(Transport transport) {
            if (transport == publishTransport && dataChannels != null) {
                dataChannels.connect(System.nanoTime());
            }
            (transport == publishTransport ? publishConnected : subscribeConnected).complete(null);
        }

        @Override
        public void onApplicationData(Transport transport, byte[] data) {
            if (transport == publishTransport && dataChannels != null) {
                dataChannels.receive(data, 0, data.length, System.nanoTime());
            }
        }

        @Override
        public void onFailed(Transport transport, String reason) {
            (transport == publishTransport ? publishConnected : subscribeConnected)
                    .completeExceptionally(new IllegalStateException(name + ": " + reason));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
