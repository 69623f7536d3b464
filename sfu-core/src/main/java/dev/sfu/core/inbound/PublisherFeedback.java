package dev.sfu.core.inbound;

import dev.sfu.core.bwe.RembEstimator;
import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.ReceptionStats;
import dev.sfu.core.media.TransportCcRecorder;
import dev.sfu.core.transport.RtpSender;
import dev.sfu.dtls.SrtpSession;
import dev.sfu.rtp.HeaderExtensions;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.Pli;
import dev.sfu.rtp.rtcp.ReceiverReport;
import dev.sfu.rtp.rtcp.Remb;
import dev.sfu.rtp.rtcp.ReportBlock;
import java.security.SecureRandom;
import java.util.List;

/**
 * The RTCP the server sends one publisher, as its receiver: transport-cc feedback (or REMB) for its
 * congestion control, NACKs for upstream loss, receiver reports, and keyframe requests (PLI). Each
 * {@code send*} method is one kind of feedback; {@code FeedbackSchedule} decides when each runs. Media
 * thread only; builds every packet in one buffer of its own and encrypts it there.
 */
public final class PublisherFeedback {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RtpSender out;
    private final StreamTable streams;
    private final byte[] rtcp = new byte[1500 + SrtpSession.MAX_OVERHEAD];
    /** Our SSRC as the sender of RTCP feedback to this publisher. */
    private final int ssrc = RANDOM.nextInt();
    private final TransportCcRecorder transportCc = new TransportCcRecorder();
    /** The uplink estimate when the publisher negotiated goog-remb and not transport-cc (else null). */
    private RembEstimator remb;
    private ExtensionIds ids = ExtensionIds.NONE;
    private int lastMediaSsrc;
    /** Sequence numbers to NACK, one stream at a time. */
    private final int[] lost = new int[64];
    private final int[] rembSsrcs = new int[ReportBlock.MAX_COUNT];
    private long nacksSent;

    PublisherFeedback(RtpSender out, StreamTable streams) {
        this.out = out;
        this.streams = streams;
    }

    /**
     * The publisher's (re-)negotiated extensions; REMB only when it cannot have transport-cc feedback:
     * two controllers would fight.
     */
    void configure(ExtensionIds ids, boolean rembNegotiated) {
        this.ids = ids;
        if (rembNegotiated && ids.transportCc() == 0 && remb == null) {
            remb = new RembEstimator();
        }
    }

    /** Records a packet's arrival for transport-cc feedback or the REMB estimate. Per packet. */
    void onPacketArrived(RtpPacket packet, long receivedNanos) {
        lastMediaSsrc = packet.ssrc();
        if (ids.transportCc() != 0) {
            long at = packet.findExtension(ids.transportCc());
            int sequence = at < 0 ? -1 : HeaderExtensions.transportSequence(packet.buffer(),
                    RtpPacket.elementOffset(at), RtpPacket.elementLength(at));
            if (sequence >= 0) {
                transportCc.record(sequence, receivedNanos / 1000);
            }
        } else if (remb != null) {
            int absSendTime = -1;
            if (ids.absSendTime() != 0) {
                long at = packet.findExtension(ids.absSendTime());
                absSendTime = at < 0 ? -1 : HeaderExtensions.absSendTime(packet.buffer(), RtpPacket.elementOffset(at),
                        RtpPacket.elementLength(at));
            }
            remb.onPacket(absSendTime, receivedNanos, packet.length());
        }
    }

    /** Transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01) for what arrived since the last. */
    public void sendTransportFeedback() {
        if (ids.transportCc() == 0 || !out.isConnected()) {
            return;
        }
        send(transportCc.writeFeedback(rtcp, 0, ssrc, lastMediaSsrc));
    }

    /** The uplink estimate as REMB (draft-alvestrand-rmcat-remb-03) for the publisher's video SSRCs. */
    public void sendRemb(long nowNanos) {
        if (remb == null || !out.isConnected()) {
            return;
        }
        long bps = remb.update(nowNanos);
        int count = 0;
        List<InboundStream> primaries = streams.primaries();
        for (int i = 0; i < primaries.size() && count < rembSsrcs.length; i++) {
            if (!primaries.get(i).track().isAudio()) {
                rembSsrcs[count++] = primaries.get(i).reception().ssrc();
            }
        }
        if (count > 0) {
            send(Remb.write(rtcp, 0, ssrc, bps, rembSsrcs, count));
        }
    }

    /**
     * NACKs (RFC 4585) what each video stream is missing, once per gap, so that the publisher repairs
     * its uplink loss with RTX before subscribers notice.
     */
    public void sendNacks() {
        if (!out.isConnected()) {
            return;
        }
        List<InboundStream> primaries = streams.primaries();
        for (int i = 0; i < primaries.size(); i++) {
            InboundStream s = primaries.get(i);
            if (s.track().isAudio() || s.track().format().codec().rtxPayloadType() < 0) {
                continue; // nothing the publisher could retransmit
            }
            int count = s.reception().takeNacks(lost);
            if (count > 0 && send(GenericNack.write(rtcp, 0, ssrc, s.reception().ssrc(), lost, count))) {
                nacksSent += count;
            }
        }
    }

    /**
     * A receiver report (RFC 3550 §6.4.2) with a block per stream (up to 31, the most recent), which the
     * publisher's browser reads for loss, jitter and round-trip time.
     */
    public void sendReceiverReport(long nowNanos) {
        List<InboundStream> primaries = streams.primaries();
        if (primaries.isEmpty() || !out.isConnected()) {
            return;
        }
        int length = ReceiverReport.write(rtcp, 0, ssrc);
        for (int i = Math.max(0, primaries.size() - ReportBlock.MAX_COUNT); i < primaries.size(); i++) {
            ReceptionStats r = primaries.get(i).reception();
            if (r.extendedHighestSequence() < 0) {
                continue; // nothing received yet
            }
            int n = ReportBlock.append(rtcp, 0, r.ssrc(), r.takeFractionLost(), (int) r.cumulativeLost(),
                    (int) r.extendedHighestSequence(), r.jitter(), r.lastSenderReport(),
                    r.delaySinceLastSenderReport(nowNanos));
            if (n > 0) {
                length = n;
            }
        }
        send(length);
    }

    /** A PLI (RFC 4585 §6.3.1) for one of the publisher's SSRCs. */
    public void requestKeyframe(int publisherSsrc) {
        if (out.isConnected()) {
            send(Pli.write(rtcp, 0, ssrc, publisherSsrc));
        }
    }

    /** Packets NACKed so far. */
    long nacksSent() {
        return nacksSent;
    }

    private boolean send(int length) {
        if (length <= 0) {
            return false;
        }
        out.sendRtcp(rtcp, 0, length);
        return true;
    }
}
