package dev.sfu.load;

import dev.sfu.core.TrackMapping;
import dev.sfu.core.client.ClientContext;
import dev.sfu.core.client.ClientSdp;
import dev.sfu.core.client.SfuClient;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.rtp.RtpPacket;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One simulated participant: real signaling over WebSocket and real ICE, DTLS and SRTP through an
 * in-process {@link SfuClient}. A publisher sends Opus-sized audio every 20 ms and VP8-sized video; every
 * peer checks each packet it receives (integrity, publisher, order) and measures loss and latency.
 */
final class SimulatedPeer implements SfuClient.Listener {
    static final int AUDIO = 0;
    static final int VIDEO = 1;
    static final int AUDIO_PAYLOAD = 160;
    /** Video payloads start with a 1-byte VP8 descriptor and a frame-tag byte, as real VP8 does. */
    static final int VP8_PREFIX = 2;

    final int index;
    final String conference;
    final SfuClient client;
    final WebSocketSignaling signaling;
    final String endpointId;
    final long joinNanos;
    volatile long firstPacketNanos;
    final Map<String, StreamStats> streams = new ConcurrentHashMap<>();
    private final byte[] packet = new byte[1500];
    private int audioSequence;
    private int videoSequence;
    private int rtpSequenceAudio;
    private int rtpSequenceVideo;
    long packetsSent;

    private SimulatedPeer(int index, String conference, SfuClient client, WebSocketSignaling signaling, String endpointId,
            long joinNanos) {
        this.index = index;
        this.conference = conference;
        this.client = client;
        this.signaling = signaling;
        this.endpointId = endpointId;
        this.joinNanos = joinNanos;
    }

    static SimulatedPeer join(URI server, HttpClient http, ClientContext context, MediaThread thread, String conference,
            int index) throws Exception {
        Listener listener = new Listener();
        SfuClient client = new SfuClient("peer" + index, context, thread, listener);
        long start = System.nanoTime();
        WebSocketSignaling signaling = WebSocketSignaling.connect(server, http, client);
        client.attach(signaling);
        String endpointId = signaling.join(conference, "peer" + index).get(10, TimeUnit.SECONDS).path("endpointId").asText();
        SimulatedPeer peer = new SimulatedPeer(index, conference, client, signaling, endpointId, start);
        listener.peer = peer;
        return peer;
    }

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
    }

    CompletionStage<Void> publish() {
        return client.publish(List.of(new ClientSdp.PublishSpec("0", "audio", 10_000L + index),
                new ClientSdp.PublishSpec("1", "video", 20_000L + index)));
    }

    /** One 20 ms tick of a publisher: an audio packet and {@code videoPackets} video packets. Media thread. */
    void sendTick(int videoPackets, int videoPayload, boolean keyframe) {
        long now = System.nanoTime();
        send(AUDIO, 111, 10_000 + index, rtpSequenceAudio++, audioSequence++, AUDIO_PAYLOAD, now, (int) (now / 20_833),
                false);
        for (int i = 0; i < videoPackets; i++) {
            send(VIDEO, 96, 20_000 + index, rtpSequenceVideo++, videoSequence++, keyframe ? 1100 : videoPayload, now,
                    (int) (now / 11_111), keyframe && i == 0);
        }
    }

    private void send(int stream, int payloadType, int ssrc, int rtpSequence, int sequence, int payloadLength,
            long now, int timestamp, boolean keyframeStart) {
        RtpPacket.writeHeader(packet, 0, false, payloadType, rtpSequence, timestamp, ssrc);
        int at = 12;
        if (stream == VIDEO) {
            // VP8 payload descriptor (S bit on a keyframe's first packet) and frame tag (P=0 on keyframes).
            packet[at++] = (byte) (keyframeStart ? 0x10 : 0x00);
            packet[at++] = (byte) (keyframeStart ? 0x00 : 0x01);
        }
        MediaPayload.write(packet, at, payloadLength, index, stream, sequence, now);
        client.sendRtp(packet, 0, at + payloadLength);
        packetsSent++;
    }

    @Override
    public void onRtp(TrackMapping track, RtpPacket rtp) {
        long now = System.nanoTime();
        if (firstPacketNanos == 0) {
            firstPacketNanos = now;
        }
        byte[] buf = rtp.buffer();
        int skip = track.kind().equals("video") ? VP8_PREFIX : 0;
        int off = rtp.payloadOffset() + skip;
        int len = rtp.payloadLength() - skip;
        boolean intact = MediaPayload.verify(buf, off, len);
        String key = track.endpointId() + "/" + track.kind();
        StreamStats stats = streams.computeIfAbsent(key, k -> new StreamStats());
        stats.record(intact ? MediaPayload.sequence(buf, off) : -1, len,
                intact ? now - MediaPayload.sentNanos(buf, off) : 0, intact);
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
