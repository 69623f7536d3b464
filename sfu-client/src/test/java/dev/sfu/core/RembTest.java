package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.core.sdp.HeaderExtension;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.Remb;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A publisher that offers goog-remb and abs-send-time but no transport-cc gets its uplink estimate as
 * REMB for its video SSRC; a publisher with transport-cc gets none.
 */
@Tag("long")
class RembTest {
    private static final int REMB_SSRC = 0x7001;
    private static final int TCC_SSRC = 0x7002;

    @Test
    @Timeout(60)
    void onlyAPublisherWithoutTransportCcGetsRemb() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            List<long[]> rembs = new CopyOnWriteArrayList<>(); // {ssrc, bitrate}
            List<long[]> rembsToTcc = new CopyOnWriteArrayList<>();
            SfuClient rembPublisher = new SfuClient("remb", call.context, call.clientThread, rembListener(rembs));
            EndpointHandle handle = call.sfu.join("remb", "remb", rembPublisher);
            rembPublisher.attach(new SfuClient.Signaling() {
                @Override
                public CompletionStage<String> publishOffer(String sdp) {
                    // An older client: abs-send-time and goog-remb instead of transport-cc.
                    String offer = sdp.replace(HeaderExtension.TRANSPORT_CC.uri(), HeaderExtension.ABS_SEND_TIME.uri())
                            .replace("a=rtcp-fb:96 nack\r\n", "a=rtcp-fb:96 nack\r\na=rtcp-fb:96 goog-remb\r\n");
                    return handle.publishOffer(offer);
                }

                @Override
                public void subscribeAnswer(String sdp) throws Exception {
                    handle.subscribeAnswer(sdp);
                }
            });
            SfuClient tccPublisher = call.join("remb", "tcc", rembListener(rembsToTcc)).client();
            rembPublisher.publish(List.of(new ClientSdp.PublishSpec("1", "video", REMB_SSRC))).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            tccPublisher.publish(List.of(new ClientSdp.PublishSpec("1", "video", TCC_SSRC))).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (int i = 0; System.nanoTime() < end; i++) {
                byte[] p = packet(REMB_SSRC, i, true);
                byte[] q = packet(TCC_SSRC, i, false);
                rembPublisher.execute(() -> rembPublisher.sendRtp(p, 0, 12 + 4 + 1000));
                tccPublisher.execute(() -> tccPublisher.sendRtp(q, 0, 12 + 4 + 1000));
                Thread.sleep(16); // about 500 kbps each
            }
            Thread.sleep(300);
            assertTrue(rembs.size() >= 5, "REMB about every 250 ms: " + rembs.size());
            for (long[] r : rembs) {
                assertEquals(REMB_SSRC, (int) r[0], "for the publisher's video SSRC");
            }
            long last = rembs.get(rembs.size() - 1)[1];
            System.out.printf("RembTest: %d REMBs in 3 s to the goog-remb publisher (sending ~500 kbps), last %d bps;"
                    + " %d to the transport-cc publisher%n", rembs.size(), last, rembsToTcc.size());
            assertTrue(last >= 100_000 && last <= 5_000_000, "a plausible estimate: " + last);
            assertEquals(0, rembsToTcc.size(), "a publisher with transport-cc gets no REMB");
        }
    }

    private static SfuClient.Listener rembListener(List<long[]> rembs) {
        RtcpCompoundIterator it = new RtcpCompoundIterator();
        return new SfuClient.Listener() {
            @Override
            public void onPublisherRtcp(byte[] buffer, int offset, int length) {
                it.reset(buffer, offset, length);
                while (it.next()) {
                    if (Remb.is(it) && Remb.ssrcCount(buffer, it.packetOffset(), it.packetLength()) > 0) {
                        rembs.add(new long[] {Remb.ssrc(buffer, it.packetOffset(), 0),
                            Remb.bitrate(buffer, it.packetOffset(), it.packetLength())});
                    }
                }
            }
        };
    }

    /** A VP8 packet (keyframe every 30) with a 4-byte extension block: abs-send-time (id 5) or nothing. */
    private static byte[] packet(int ssrc, int sequence, boolean absSendTime) {
        byte[] p = new byte[12 + 4 + 1000 + 64];
        RtpPacket.writeHeader(p, 0, true, 96, sequence, sequence * 1500, ssrc);
        p[0] |= 0x10;
        p[12] = (byte) 0xBE;
        p[13] = (byte) 0xDE;
        p[15] = 1;
        if (absSendTime) {
            long t = (System.nanoTime() / 1000) * (1 << 18) / 1_000_000; // 6.18 fixed-point seconds
            p[16] = (byte) (ClientSdp.TRANSPORT_CC_EXTENSION_ID << 4 | 2);
            p[17] = (byte) (t >> 16);
            p[18] = (byte) (t >> 8);
            p[19] = (byte) t;
        }
        p[20] = 0x10;
        p[21] = (byte) (sequence % 30 == 0 ? 0x00 : 0x01);
        return p;
    }
}
