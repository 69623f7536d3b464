package dev.sfu.core.inbound;

import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.media.Track;
import dev.sfu.core.transport.RtpSender;
import dev.sfu.dtls.SrtpSession;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.SenderReport;

/**
 * Passes a publisher's sender reports (RFC 3550 §6.4.1) on to every subscriber of that stream, in the
 * subscriber's SSRC and timestamps: the NTP↔RTP mapping is what lets receivers play audio and video in
 * sync. Media thread only.
 */
final class SenderReportTranslator {
    private final byte[] out = new byte[SenderReport.LENGTH + SrtpSession.MAX_OVERHEAD];

    /** Handles the sender report at {@code at}; the stream's reception stats learn its time too. */
    void onSenderReport(byte[] buffer, int at, StreamTable streams, long nowNanos) {
        InboundStream stream = streams.get(RtcpCompoundIterator.readInt(buffer, at + 4));
        if (stream == null || stream.rtx()) {
            return;
        }
        long ntp = SenderReport.ntpTimestamp(buffer, at);
        int rtpTimestamp = SenderReport.rtpTimestamp(buffer, at);
        stream.reception().onSenderReport(ntp, nowNanos);
        Track track = stream.track();
        for (int i = 0, n = track.subscriberCount(); i < n; i++) {
            Subscription s = track.subscription(i);
            RtpSender transport = s.subscriberTransport();
            if (s.translates(stream.encoding()) && transport != null && transport.isConnected()) {
                int length = SenderReport.write(out, 0, s.ssrc(), ntp, s.outgoingTimestamp(rtpTimestamp),
                        s.packetsSent(), s.octetsSent());
                transport.sendRtcp(out, 0, length);
                s.senderReportSent(ntp, nowNanos);
            }
        }
    }
}
