package dev.sfu.core.inbound;

import dev.sfu.core.media.CacheBudget;
import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.Router;
import dev.sfu.core.media.Track;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.core.sdp.DataChannelParameters;
import dev.sfu.core.sdp.DtlsSetup;
import dev.sfu.core.sdp.HeaderExtension;
import dev.sfu.core.sdp.PublishAnswer;
import dev.sfu.core.sdp.PublishLimits;
import dev.sfu.core.sdp.PublishNegotiator;
import dev.sfu.core.sdp.PublishedTrack;
import dev.sfu.core.sdp.SdpException;
import dev.sfu.core.sdp.SessionDescription;
import dev.sfu.core.time.Clock;
import dev.sfu.core.transport.Transport;
import dev.sfu.core.transport.TransportRole;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.SenderReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An endpoint's publish side: its publish transport (the client offers, we answer), the tracks it
 * publishes, their inbound RTP path and the RTCP between us and the publisher. Media thread only.
 */
public final class Publisher implements Transport.MediaHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    /** What a publisher needs from its endpoint and conference. */
    public interface Host {
        Transport newTransport(TransportRole role, Transport.MediaHandler handler);

        void trackAdded(Track track);

        void trackRemoved(Track track);

        /** The publish transport failed (and is closed): the endpoint leaves. */
        void transportFailed(Transport transport, String reason);

        /** The offer carried a data-channel section: the endpoint gets an association over {@code transport}. */
        void dataChannelsNegotiated(DataChannelParameters data, Transport transport);

        /** DTLS is up on the publish transport. */
        void publishConnected();

        /** An SCTP packet arrived on the publish transport. */
        void dataPacket(byte[] packet);

        /** An RTP packet arrived (the conference's feedback timers run while media does). Per packet. */
        void rtpArrived();
    }

    private final String endpointId;
    private final PublishLimits limits;
    private final CacheBudget cacheBudget;
    private final Host host;
    private final Clock clock;
    private final List<Track> tracks = new ArrayList<>();
    private final StreamTable streams = new StreamTable();
    private final InboundPipeline pipeline;
    private final SenderReportTranslator senderReports = new SenderReportTranslator();
    private final RtcpCompoundIterator rtcp = new RtcpCompoundIterator();
    private Transport transport;
    private PublisherFeedback feedback;
    private Map<HeaderExtension, Integer> extensionIds = Map.of();

    public Publisher(String endpointId, Host host, Router router, SfuMetrics metrics, Clock clock, PublishLimits limits,
            CacheBudget cacheBudget) {
        this.endpointId = endpointId;
        this.cacheBudget = cacheBudget;
        this.limits = limits;
        this.host = host;
        this.clock = clock;
        this.pipeline = new InboundPipeline(tracks, streams, router, metrics);
    }

    /**
     * Answers the client's (re-)offer: creates the transport on the first, restarts ICE when the offer
     * carries new credentials, and adds or removes the tracks it adds or drops.
     */
    public String handleOffer(SessionDescription offer) throws SdpException {
        boolean created = false;
        if (transport == null) {
            transport = host.newTransport(TransportRole.PUBLISH, this);
            created = true;
        }
        PublishAnswer result;
        try {
            result = PublishNegotiator.answer(offer, transport.localParameters(DtlsSetup.PASSIVE), endpointId, limits);
        } catch (SdpException e) {
            if (created) {
                transport.close();
                transport = null;
            }
            throw e;
        }
        if (transport.iceRestarted(result.remote())) {
            // A re-offer with new ICE credentials: restart ICE beneath DTLS-SRTP and answer with ours.
            LOG.info("{}: ICE restart of the publish transport", endpointId);
            transport.restartIce();
            result = PublishNegotiator.answer(offer, transport.localParameters(DtlsSetup.PASSIVE), endpointId, limits);
        }
        extensionIds = result.extensionIds();
        ExtensionIds ids = ExtensionIds.of(extensionIds);
        if (feedback == null) {
            feedback = new PublisherFeedback(transport, streams);
        }
        feedback.configure(ids, result.remb());
        pipeline.configure(ids, feedback);
        // The answer's a=setup (active when the offer said passive) is the one the transport must act on.
        transport.localParameters(result.localSetup());
        transport.start(result.remote());
        updateTracks(result.tracks());
        if (result.data() != null) {
            host.dataChannelsNegotiated(result.data(), transport);
        }
        return result.sdp();
    }

    /** Tracks that a (re-)offer adds or drops. */
    private void updateTracks(List<PublishedTrack> published) {
        for (Track track : new ArrayList<>(tracks)) {
            if (published.stream().noneMatch(p -> p.mid().equals(track.mid()))) {
                tracks.remove(track);
                streams.remove(track);
                host.trackRemoved(track);
            }
        }
        for (PublishedTrack p : published) {
            if (tracks.stream().noneMatch(t -> t.mid().equals(p.mid()))) {
                addTrack(p);
            }
        }
    }

    private void addTrack(PublishedTrack p) {
        // SSRC-based simulcast (ssrc-group SIM) has no rids: its layers get names of ours.
        List<String> layers = p.rids();
        if (layers.isEmpty() && !p.simulcastSsrcs().isEmpty()) {
            layers = new ArrayList<>();
            for (int e = 0; e < p.simulcastSsrcs().size(); e++) {
                layers.add("sim" + e);
            }
        }
        Track track = new Track(endpointId + "-" + p.mid(), endpointId, endpointId, p.kind(), p.mid(), p.format(),
                layers, this::requestKeyframe);
        track.setExtensionMap(subscriberExtensionMap(track.isAudio()));
        track.setCacheBudget(cacheBudget);
        tracks.add(track);
        List<Long> primaries = p.simulcastSsrcs().isEmpty() ? p.ssrcs() : p.simulcastSsrcs();
        for (int e = 0; e < primaries.size(); e++) {
            int encoding = p.simulcastSsrcs().isEmpty() ? 0 : e;
            int ssrc = primaries.get(e).intValue();
            streams.bind(ssrc, new InboundStream(track, encoding, false, ssrc));
            Long rtx = p.rtxSsrcs().get(primaries.get(e));
            if (rtx != null) {
                streams.bind(rtx.intValue(), new InboundStream(track, encoding, true, rtx.intValue()));
            }
        }
        LOG.info("{}: publishes {} track {} ({})", endpointId, p.kind(), track.trackId(), p.format().codec());
        host.trackAdded(track);
    }

    /**
     * How this publisher's extension ids become the ones in our subscribe offers: audio level and
     * abs-send-time are kept under our ids; transport-cc moves to our id and gets each subscribe
     * transport's own numbers as it is sent; mid and rid describe the publisher's own streams and are
     * removed.
     */
    private byte[] subscriberExtensionMap(boolean audio) {
        byte[] map = new byte[256];
        Integer audioLevel = extensionIds.get(HeaderExtension.AUDIO_LEVEL);
        if (audioLevel != null && audio) {
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

    private void requestKeyframe(int publisherSsrc) {
        if (feedback != null) {
            feedback.requestKeyframe(publisherSsrc);
        }
    }

    /** The transport's state for the admin API: {@code none} before it exists. */
    public String transportState() {
        return transport == null ? "none" : transport.state();
    }

    public List<Track> tracks() {
        return tracks;
    }

    /** The RTCP this publisher gets from us, or null before its first offer. */
    public PublisherFeedback feedback() {
        return feedback;
    }

    /** Its recent loudness, for dominant-speaker detection; decays while it sends no audio. */
    public double loudness() {
        return pipeline.audioLevel().read();
    }

    /** Measures the bitrate of each published encoding, which the subscribers' allocators read. */
    public void updateBitrates(long nowNanos) {
        for (int i = 0; i < tracks.size(); i++) {
            tracks.get(i).updateBitrates(nowNanos);
        }
    }

    public void addRemoteCandidate(String candidate) {
        if (transport != null) {
            transport.addRemoteCandidate(candidate);
        }
    }

    /** Closes the transport; the tracks are the conference's to remove first. */
    public void close() {
        if (transport != null) {
            transport.close();
        }
    }

    // ---- Transport.MediaHandler ----

    @Override
    public void onRtp(Transport from, byte[] buffer, int offset, int length, long receivedNanos) {
        host.rtpArrived();
        pipeline.onRtp(buffer, offset, length, receivedNanos, clock.nanos());
    }

    @Override
    public void onRtcp(Transport from, byte[] buffer, int offset, int length) {
        rtcp.reset(buffer, offset, length);
        while (rtcp.next()) {
            if (SenderReport.is(rtcp)) {
                senderReports.onSenderReport(buffer, rtcp.packetOffset(), streams, clock.nanos());
            }
        }
    }

    @Override
    public void onConnected(Transport from) {
        host.publishConnected();
    }

    @Override
    public void onApplicationData(Transport from, byte[] data) {
        host.dataPacket(data);
    }

    @Override
    public void onFailed(Transport from, String reason) {
        host.transportFailed(from, reason);
    }
}
