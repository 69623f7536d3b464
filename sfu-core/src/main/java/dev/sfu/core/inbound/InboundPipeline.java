package dev.sfu.core.inbound;

import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.Router;
import dev.sfu.core.media.Track;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.rtp.RtpPacket;
import java.util.List;

/**
 * One publisher's inbound RTP path after SRTP, in order (as jitsi-media-transform's
 * {@code RtpReceiverImpl}): parse → uplink feedback input → stream lookup (SSRC, else MID/RID) → RTX
 * repair → reception stats → audio level → loss, keyframe and cache → {@link Router#forward}. Each step
 * is a class of its own with its own counts. Media thread, per packet: no allocation once a stream is
 * known.
 */
final class InboundPipeline {
    private final RtpPacket packet = new RtpPacket();
    private final List<Track> tracks;
    private final StreamTable streams;
    private final RtxRepair rtxRepair = new RtxRepair();
    private final AudioLevelMeter audioLevel = new AudioLevelMeter();
    private final Router router;
    private final SfuMetrics metrics;
    private PublisherFeedback feedback;
    private ExtensionIds ids = ExtensionIds.NONE;

    InboundPipeline(List<Track> tracks, StreamTable streams, Router router, SfuMetrics metrics) {
        this.tracks = tracks;
        this.streams = streams;
        this.router = router;
        this.metrics = metrics;
    }

    void configure(ExtensionIds ids, PublisherFeedback feedback) {
        this.ids = ids;
        this.feedback = feedback;
    }

    /** A decrypted RTP packet from the publisher; the buffer is valid only during the call. */
    void onRtp(byte[] buffer, int offset, int length, long receivedNanos, long nowNanos) {
        if (!packet.wrap(buffer, offset, length)) {
            metrics.transports().packetsDropped().increment();
            return;
        }
        if (feedback != null) {
            feedback.onPacketArrived(packet, receivedNanos);
        }
        InboundStream stream = streams.lookup(packet, tracks, ids, nowNanos);
        if (stream == null) {
            metrics.packetsUnroutable().increment();
            return;
        }
        if (stream.rtx()) {
            stream = rtxRepair.repair(stream, packet, streams);
            if (stream == null) {
                return;
            }
            metrics.packetsRecovered().increment();
        } else {
            stream.reception().onPacket(packet.sequenceNumber(), packet.timestamp(), receivedNanos);
        }
        Track track = stream.track();
        if (track.isAudio()) {
            audioLevel.onAudioPacket(packet, ids.audioLevel());
        }
        int lost = track.lostBefore(stream.encoding(), packet.sequenceNumber());
        if (lost > 0) {
            metrics.packetsLost().increment(lost);
        }
        boolean keyframe = track.onPacket(stream.encoding(), nowNanos, buffer, packet.payloadOffset(),
                packet.payloadLength());
        if (track.format().codec().rtxPayloadType() >= 0) {
            track.cache(stream.encoding(), buffer, packet.offset(), packet.length(), packet.sequenceNumber(), nowNanos);
        }
        router.forward(stream, packet, keyframe, nowNanos);
    }

    AudioLevelMeter audioLevel() {
        return audioLevel;
    }
}
