package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.ReceiverReport;
import dev.sfu.rtp.rtcp.ReportBlock;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.SenderReport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SFU sends each publisher receiver reports about the streams it receives from it (RFC 3550 §6.4.2),
 * as a browser expects from its peer: the highest sequence number seen, the loss it really had (here
 * every fifth packet never leaves the client), and the last sender report with the delay since it.
 */
class ReceiverReportTest {
    private static final int AUDIO_SSRC = 0x1111;
    private static final long NTP = 0x0102030405060708L;

    @Test
    @Timeout(60)
    void publishersGetReportBlocksWithSequenceLossAndLastSenderReport() throws Exception {
        Map<Integer, int[]> blocks = new ConcurrentHashMap<>(); // ssrc -> {fraction, cumulative, highest, lsr, dlsr}
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            InProcessCall.Joined publisher = call.join("rr", "publisher", new SfuClient.Listener() {
                @Override
                public void onPublisherRtcp(byte[] buffer, int offset, int length) {
                    RtcpCompoundIterator it = new RtcpCompoundIterator().reset(buffer, offset, length);
                    while (it.next()) {
                        if (ReceiverReport.is(it)) {
                            for (int i = 0; i < ReportBlock.count(buffer, it.packetOffset(), it.packetLength()); i++) {
                                int at = ReportBlock.offset(buffer, it.packetOffset(), it.packetLength(), i);
                                blocks.put(ReportBlock.ssrc(buffer, at), new int[] {ReportBlock.fractionLost(buffer, at),
                                    ReportBlock.cumulativeLost(buffer, at), ReportBlock.extendedHighestSequence(buffer, at),
                                    ReportBlock.lastSr(buffer, at), ReportBlock.delaySinceLastSr(buffer, at)});
                            }
                        }
                    }
                }
            });
            SfuClient c = publisher.client();
            c.publish(InProcessCall.audioAndVideo(AUDIO_SSRC, 0x2222)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            byte[] sr = new byte[64 + 32];
            int srLength = SenderReport.write(sr, 0, AUDIO_SSRC, NTP, 960, 1, 160);
            for (int seq = 0; seq < 100; seq++) {
                int s = seq;
                if (s == 50) {
                    // Midway, not first: publish() completes when the client's DTLS is up, a moment before the
                    // server's SRTP is, and an SRTCP packet in that moment is dropped (LSR 0 in the report).
                    c.execute(() -> c.sendPublisherRtcp(sr, 0, srLength));
                }
                if (s % 5 == 4) {
                    continue; // lost on the way: never sent
                }
                byte[] p = new byte[12 + 160 + 32];
                RtpPacket.writeHeader(p, 0, false, 111, 5000 + s, s * 960, AUDIO_SSRC);
                c.execute(() -> c.sendRtp(p, 0, 12 + 160));
                Thread.sleep(5);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && (!blocks.containsKey(AUDIO_SSRC) || blocks.get(AUDIO_SSRC)[2] != 5098)) {
                Thread.sleep(100);
            }
            int[] b = blocks.get(AUDIO_SSRC);
            assertTrue(b != null, "a report block about the audio SSRC");
            assertEquals(5098, b[2], "extended highest sequence number: the last one sent (5099 was lost)");
            assertEquals(19, b[1], "cumulative lost: every fifth of 5000..5098");
            assertEquals((int) (NTP >>> 16), b[3], "LSR: the middle 32 bits of the sender report's NTP time");
            assertTrue(b[4] > 0 && b[4] < 10 * 65536, "DLSR: seconds since that report, in 1/65536 s: " + b[4]);
            publisher.handle().leave();
        }
    }
}
