package dev.sfu.load;

import dev.sfu.client.WebSocketSignaling;
import dev.sfu.core.TrackMapping;
import dev.sfu.client.ClientContext;
import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.media.ReceptionStats;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.Fir;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.ReceiverReport;
import dev.sfu.rtp.rtcp.ReportBlock;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.RtcpPacketType;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One simulated participant: real signaling over WebSocket and real ICE, DTLS and SRTP through an
 * in-process {@link SfuClient}, behaving as a browser does on the wire.
 * <ul>
 * <li>As a publisher it sends Opus-sized audio every 20 ms and VP8 video, by default as three simulcast
 * layers (rids q, h, f; each packet carries the mid and rid header extensions, keyframes carry VP8's
 * dimensions), and answers PLI and FIR with a keyframe of the layer asked for.</li>
 * <li>As a subscriber it checks every packet (integrity, publisher, layer, order), measures loss and
 * latency, NACKs gaps in the RTP sequence (and counts what RTX fills), and sends a receiver report with a
 * block per source every second.</li>
 * </ul>
 * State is touched on the peer's media thread only, apart from the counters read after the run.
 */
final class SimulatedPeer {
    static final int AUDIO = 0;
    static final int VIDEO = 1;
    static final int AUDIO_PAYLOAD = 160;
    /**
     * Every video payload starts with a 1-byte VP8 payload descriptor and VP8's 10-byte keyframe header
     * (frame tag, start code, width, height; zeros after the frame tag on interframes), so every packet's
     * own data starts at the same offset.
     */
    static final int VP8_PREFIX = 11;
    static final List<String> RIDS = List.of("q", "h", "f");
    private static final int[] WIDTHS = {320, 640, 1280};
    private static final int[] HEIGHTS = {180, 360, 720};
    private static final byte[] MID_AUDIO = "0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MID_VIDEO = "1".getBytes(StandardCharsets.US_ASCII);

    final int index;
    final String conference;
    final SfuClient client;
    /** The current signaling connection: replaced when the harness drops it and the peer resumes. */
    volatile WebSocketSignaling signaling;
    /** The joined message's secret for resuming this session; null when the server offers none. */
    volatile String resumeToken;
    final String endpointId;
    final long joinNanos;
    volatile long firstPacketNanos;
    final Map<String, StreamStats> streams = new ConcurrentHashMap<>();
    /** Per publisher, the simulcast layer the last (non-RTX) video packet came from; media thread only. */
    private final Map<String, Integer> forwardedLayer = new java.util.HashMap<>();
    private final int layers;
    private final byte[] packet = new byte[1500];
    private final byte[] rtcp = new byte[1500];
    private final int[] lostSequences = new int[64];
    private int audioSequence;
    private final int[] videoSequence = new int[3];
    private int rtpSequenceAudio;
    private int transportWideSequence;
    private final int[] rtpSequenceVideo = new int[3];
    private final boolean[] keyframeRequested = new boolean[3];
    private final Map<Integer, ReceptionStats> reception = new ConcurrentHashMap<>();
    volatile long packetsSent;
    volatile long keyframeRequestsReceived;
    volatile long nacksSent;
    volatile long retransmissionsReceived;
    volatile long gapsFilled;
    volatile long receiverReportsSent;
    /** Fraction of this publisher's packets its (emulated) uplink loses: sent, counted, never delivered. */
    volatile double uplinkLoss;
    /** How many of the next video packets to send twice, the copy as the same SRTP bytes (a replay). */
    volatile int replaysPending;
    volatile long replaysSent;
    private final java.util.Random random = new java.util.Random(7);

    private SimulatedPeer(int index, String conference, SfuClient client, WebSocketSignaling signaling, String endpointId,
            long joinNanos, int layers) {
        this.index = index;
        this.conference = conference;
        this.client = client;
        this.signaling = signaling;
        this.endpointId = endpointId;
        this.joinNanos = joinNanos;
        this.layers = layers;
    }

    static SimulatedPeer join(URI server, HttpClient http, ClientContext context, MediaThread thread, String conference,
            int index, int layers) throws Exception {
        return join(server, http, context, thread, conference, index, layers, JoinTokens.NONE);
    }

    static SimulatedPeer join(URI server, HttpClient http, ClientContext context, MediaThread thread, String conference,
            int index, int layers, JoinTokens tokens) throws Exception {
        String token = tokens.forPeer(conference, index);
        Listener listener = new Listener();
        SfuClient client = new SfuClient("peer" + index, context, thread, listener);
        long start = System.nanoTime();
        URI target = WebSocketSignaling.withConference(server, conference);
        for (int redirects = 0; ; redirects++) {
            WebSocketSignaling signaling = WebSocketSignaling.connect(target, http, client);
            client.attach(signaling);
            com.fasterxml.jackson.databind.JsonNode reply = signaling.join(conference, "peer" + index, token)
                    .get(10, TimeUnit.SECONDS);
            if ("redirect".equals(reply.path("type").asText())) {
                // The conference is on another node (a cluster behind a balancer): join there, at most 3 hops.
                signaling.markRedirected();
                signaling.close();
                if (redirects == MAX_REDIRECTS) {
                    throw new java.io.IOException("more than " + MAX_REDIRECTS + " redirects in a row");
                }
                target = URI.create(reply.path("url").asText());
                continue;
            }
            SimulatedPeer peer = new SimulatedPeer(index, conference, client, signaling, reply.path("endpointId").asText(),
                    start, layers);
            peer.node = target;
            peer.resumeToken = reply.hasNonNull("resumeToken") ? reply.path("resumeToken").asText() : null;
            listener.peer = peer;
            return peer;
        }
    }

    /** Redirects a client follows in a row (docs/signaling-protocol.md, "Clusters"). */
    static final int MAX_REDIRECTS = 3;
    /** The node's URL this peer joined at (after redirects). */
    volatile URI node;

    /** Forwards the client's callbacks to the peer created after the join. */
    private static final class Listener implements SfuClient.Listener {
        volatile SimulatedPeer peer;

        @Override
        public void onRtp(TrackMapping track, RtpPacket rtp) {
            SimulatedPeer p = peer;
            if (p != null) {
                p.onRtp(track, rtp);
            }
        }

        @Override
        public void onPublisherRtcp(byte[] buffer, int offset, int length) {
            SimulatedPeer p = peer;
            if (p != null) {
                p.onPublisherRtcp(buffer, offset, length);
            }
        }
    }

    CompletionStage<Void> publish() {
        List<String> rids = layers > 1 ? RIDS.subList(0, layers) : List.of();
        return client.publish(List.of(new ClientSdp.PublishSpec("0", "audio", audioSsrc()),
                new ClientSdp.PublishSpec("1", "video", videoSsrc(0), rids)));
    }

    private int audioSsrc() {
        return 10_000 + index;
    }

    private int videoSsrc(int layer) {
        return 100_000 + index * 4 + layer;
    }

    /**
     * One 20 ms tick of a publisher: an audio packet and, per layer, that many video packets (a keyframe
     * of at least eight when {@code keyframe} or when the server asked for one). Media thread.
     */
    void sendTick(int[] videoPacketsPerLayer, int videoPayload, boolean keyframe) {
        long now = System.nanoTime();
        send(AUDIO, 0, Codec.OPUS.payloadType(), audioSsrc(), rtpSequenceAudio++, audioSequence++, AUDIO_PAYLOAD, now,
                (int) (now / 20_833), false, false);
        for (int layer = 0; layer < layers; layer++) {
            boolean key = keyframe || keyframeRequested[layer];
            keyframeRequested[layer] = false;
            int packets = key ? Math.max(videoPacketsPerLayer[layer], 8) : videoPacketsPerLayer[layer];
            for (int i = 0; i < packets; i++) {
                send(VIDEO, layer, Codec.VP8.payloadType(), videoSsrc(layer), rtpSequenceVideo[layer]++,
                        videoSequence[layer]++, key ? 1100 : videoPayload, now, (int) (now / 11_111), key, i == 0);
            }
        }
    }

    private void send(int kind, int layer, int payloadType, int ssrc, int rtpSequence, int sequence, int payloadLength,
            long now, int timestamp, boolean keyframe, boolean startOfFrame) {
        RtpPacket.writeHeader(packet, 0, false, payloadType, rtpSequence, timestamp, ssrc);
        int at = writeExtensions(kind == AUDIO ? MID_AUDIO : MID_VIDEO, kind == VIDEO && layers > 1 ? layer : -1);
        if (kind == VIDEO) {
            at = writeVp8Prefix(at, layer, keyframe, startOfFrame);
        }
        MediaPayload.write(packet, at, payloadLength, index, stream(kind, layer), sequence, now);
        packetsSent++;
        if (uplinkLoss > 0 && random.nextDouble() < uplinkLoss) {
            return;
        }
        int sent = client.sendRtp(packet, 0, at + payloadLength);
        if (kind == VIDEO && sent > 0 && replaysPending > 0) {
            replaysPending--;
            client.sendRawOnPublishTransport(packet, 0, sent);
            replaysSent++;
        }
    }

    /**
     * A one-byte-header extension block (RFC 8285) with the mid, for a simulcast layer the rid, and the
     * transport-wide sequence number.
     */
    private int writeExtensions(byte[] mid, int layer) {
        packet[0] |= 0x10; // X
        int at = 16;
        packet[at++] = (byte) (ClientSdp.MID_EXTENSION_ID << 4 | (mid.length - 1));
        System.arraycopy(mid, 0, packet, at, mid.length);
        at += mid.length;
        if (layer >= 0) {
            packet[at++] = (byte) (ClientSdp.RID_EXTENSION_ID << 4);
            packet[at++] = (byte) RIDS.get(layer).charAt(0);
        }
        // transport-wide sequence number (transport-cc), one counter across all of this peer's packets
        packet[at++] = (byte) (ClientSdp.TRANSPORT_CC_EXTENSION_ID << 4 | 1);
        packet[at++] = (byte) (transportWideSequence >> 8);
        packet[at++] = (byte) transportWideSequence++;
        while ((at - 16) % 4 != 0) {
            packet[at++] = 0;
        }
        int words = (at - 16) / 4;
        packet[12] = (byte) 0xBE;
        packet[13] = (byte) 0xDE;
        packet[14] = (byte) (words >> 8);
        packet[15] = (byte) words;
        return at;
    }

    /** RFC 7741 descriptor (S on a frame's first packet) and VP8's keyframe header (RFC 6386 §9.1). */
    private int writeVp8Prefix(int at, int layer, boolean keyframe, boolean startOfFrame) {
        packet[at] = (byte) (startOfFrame ? 0x10 : 0x00);
        java.util.Arrays.fill(packet, at + 1, at + VP8_PREFIX, (byte) 0);
        packet[at + 1] = (byte) (keyframe ? 0x10 : 0x11); // frame tag: show_frame, P = 0 on keyframes
        if (keyframe) {
            packet[at + 4] = (byte) 0x9d;
            packet[at + 5] = 0x01;
            packet[at + 6] = 0x2a;
            packet[at + 7] = (byte) WIDTHS[layer];
            packet[at + 8] = (byte) (WIDTHS[layer] >> 8);
            packet[at + 9] = (byte) HEIGHTS[layer];
            packet[at + 10] = (byte) (HEIGHTS[layer] >> 8);
        }
        return at + VP8_PREFIX;
    }

    static int stream(int kind, int layer) {
        return kind * 16 + layer;
    }

    /** PLI and FIR from the server: the next tick sends a keyframe of that layer, as an encoder would. */
    private void onPublisherRtcp(byte[] buf, int off, int len) {
        RtcpCompoundIterator it = new RtcpCompoundIterator().reset(buf, off, len);
        while (it.next()) {
            if (it.packetType() != RtcpPacketType.PSFB) {
                continue;
            }
            if (it.countOrFormat() == 1 && it.packetLength() >= 12) { // PLI: the media SSRC
                requestKeyframe(RtcpCompoundIterator.readInt(buf, it.packetOffset() + 8));
            } else if (Fir.is(it)) {
                for (int i = 0; i < Fir.entries(buf, it.packetOffset(), it.packetLength()); i++) {
                    requestKeyframe(Fir.ssrc(buf, it.packetOffset(), i));
                }
            }
        }
    }

    private void requestKeyframe(int ssrc) {
        int layer = ssrc - videoSsrc(0);
        if (layer >= 0 && layer < layers) {
            keyframeRequested[layer] = true;
            keyframeRequestsReceived++;
        }
    }

    private void onRtp(TrackMapping track, RtpPacket rtp) {
        long now = System.nanoTime();
        if (firstPacketNanos == 0) {
            firstPacketNanos = now;
        }
        boolean video = track.kind() == MediaKind.VIDEO;
        Codec codec = video ? Codec.VP8 : Codec.OPUS;
        ReceptionStats r = reception.computeIfAbsent(rtp.ssrc(), s -> new ReceptionStats(s, codec.clockRate()));
        byte[] buf = rtp.buffer();
        int off = rtp.payloadOffset();
        int len = rtp.payloadLength();
        if (video && rtp.payloadType() == codec.rtxPayloadType()) {
            // RFC 4588: the original sequence number leads the payload.
            if (len < 2) {
                return;
            }
            retransmissionsReceived++;
            if (r.onRetransmission((buf[off] & 0xff) << 8 | (buf[off + 1] & 0xff))) {
                gapsFilled++;
            }
            off += 2;
            len -= 2;
        } else if (r.onPacket(rtp.sequenceNumber(), rtp.timestamp(), now)) {
            gapsFilled++;
        }
        int skip = video ? VP8_PREFIX : 0;
        off += skip;
        len -= skip;
        boolean intact = MediaPayload.verify(buf, off, len);
        int stream = intact ? MediaPayload.stream(buf, off) : -1;
        String key = track.endpointId() + "/" + track.kind().wireName() + (video && intact ? "/" + RIDS.get(stream & 15) : "");
        StreamStats stats = streams.computeIfAbsent(key, k -> new StreamStats());
        if (video && intact && rtp.payloadType() != codec.rtxPayloadType()) {
            Integer previous = forwardedLayer.put(track.endpointId(), stream & 15);
            if (previous != null && previous != (stream & 15)) {
                stats.startStint(); // a layer switch: what this layer sent while we were on another is not loss
            }
        }
        stats.record(intact ? MediaPayload.sequence(buf, off) : -1, len,
                intact ? now - MediaPayload.sentNanos(buf, off) : 0, intact);
    }

    /** Each received source's interarrival jitter (RFC 3550 A.8) in milliseconds. */
    List<Double> jitterMillis() {
        List<Double> jitters = new ArrayList<>();
        for (ReceptionStats r : reception.values()) {
            jitters.add(r.jitterMillis());
        }
        return jitters;
    }

    /** NACKs what is missing and not yet asked for, per source (RFC 4585 generic NACK). Media thread. */
    void sendNacks() {
        for (ReceptionStats r : reception.values()) {
            int count = r.takeNacks(lostSequences);
            if (count > 0) {
                int n = GenericNack.write(rtcp, 0, receiverSsrc(), r.ssrc(), lostSequences, count);
                if (n > 0) {
                    client.sendSubscriberRtcp(rtcp, 0, n);
                    nacksSent += count;
                }
            }
        }
    }

    /**
     * A hostile receiver: NACKs every one of the last {@code window} packets of every source it receives,
     * whether lost or not (one generic NACK per source, full bitmasks). Media thread. Allocates: a test tool.
     */
    void nackEverything(int window) {
        int[] all = new int[window];
        byte[] out = new byte[1500];
        for (ReceptionStats r : reception.values()) {
            long highest = r.extendedHighestSequence();
            if (highest < window) {
                continue;
            }
            for (int i = 0; i < window; i++) {
                all[i] = (int) (highest - window + 1 + i) & 0xffff;
            }
            int n = GenericNack.write(out, 0, receiverSsrc(), r.ssrc(), all, window);
            if (n > 0) {
                client.sendSubscriberRtcp(out, 0, n);
            }
        }
    }

    /** A receiver report with a block per source (RFC 3550 §6.4.2), as browsers send about once a second. */
    void sendReceiverReport() {
        if (reception.isEmpty()) {
            return;
        }
        List<ReceptionStats> sources = new ArrayList<>(reception.values());
        int length = ReceiverReport.write(rtcp, 0, receiverSsrc());
        for (int i = 0; i < sources.size() && i < ReportBlock.MAX_COUNT; i++) {
            ReceptionStats r = sources.get(i);
            int n = ReportBlock.append(rtcp, 0, r.ssrc(), r.takeFractionLost(), (int) r.cumulativeLost(),
                    (int) r.extendedHighestSequence(), r.jitter(), 0, 0);
            if (n < 0) {
                break;
            }
            length = n;
        }
        client.sendSubscriberRtcp(rtcp, 0, length);
        receiverReportsSent++;
    }

    private int receiverSsrc() {
        return 50_000 + index;
    }

    /**
     * Drops this peer's WebSocket without a close frame and resumes the session on a new one at the same
     * node, as a client whose network changed does; media goes on meanwhile.
     *
     * @return milliseconds from the drop to {@code resumed}
     * @throws Exception when the server refuses (the peer is then gone) or cannot be reached
     */
    double dropAndResume(HttpClient http) throws Exception {
        long start = System.nanoTime();
        WebSocketSignaling old = signaling;
        old.drop();
        WebSocketSignaling next = WebSocketSignaling.connect(node, http, client);
        client.attach(next);
        signaling = next;
        next.resume(endpointId, resumeToken).get(10, TimeUnit.SECONDS);
        return (System.nanoTime() - start) / 1e6;
    }

    void leave() {
        try {
            signaling.leave();
        } catch (RuntimeException ignored) {
            // the socket may be gone already
        }
        client.close();
        signaling.close();
    }
}
