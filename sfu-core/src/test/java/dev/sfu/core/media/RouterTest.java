package dev.sfu.core.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.transport.RecordingSender;
import dev.sfu.rtp.RtpPacket;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The router's fan-out table and forwarding loop, on byte arrays and recording senders. */
class RouterTest {
    private static final long NOW = 5_000_000_000L;

    private final Router router = new Router();
    private final Track audio = new Track("a", "pub", "pub", MediaKind.AUDIO, "0", MediaFormat.canonical(Codec.OPUS, ""),
            List.of(), ssrc -> { });
    private final Track video = new Track("v", "pub", "pub", MediaKind.VIDEO, "1", MediaFormat.canonical(Codec.VP8, ""),
            List.of(), ssrc -> { });
    private final InboundStream audioStream = new InboundStream(audio, 0, false, 111);
    private final InboundStream videoStream = new InboundStream(video, 0, false, 222);
    private final RtpPacket packet = new RtpPacket();

    private Subscription subscribe(Track track, RecordingSender out, int ssrc) {
        Subscription s = new Subscription(track, "sub" + ssrc, out, ssrc, ssrc + 1, 100, 0);
        s.setAccepted(true);
        router.subscribe(s);
        return s;
    }

    private byte[] rtp(int payloadType, int sequence, int ssrc, byte... payload) {
        byte[] b = new byte[12 + payload.length];
        RtpPacket.writeHeader(b, 0, false, payloadType, sequence, 1000, ssrc);
        System.arraycopy(payload, 0, b, 12, payload.length);
        return b;
    }

    /** Audio: every Opus packet can start decoding, so the pipeline marks each one a keyframe. */
    private void forwardAudio(byte[] bytes) {
        forward(audioStream, bytes, true);
    }

    private void forward(InboundStream stream, byte[] bytes, boolean keyframe) {
        assertTrue(packet.wrap(bytes, 0, bytes.length));
        router.forward(stream, packet, keyframe, NOW);
    }

    @Test
    void eachSubscriberGetsItsOwnRewrittenCopyAndTheOriginalStaysIntact() {
        RecordingSender first = new RecordingSender();
        RecordingSender second = new RecordingSender();
        subscribe(audio, first, 7000);
        subscribe(audio, second, 8000);
        byte[] original = rtp(111, 40, 111, (byte) 1, (byte) 2, (byte) 3);
        byte[] before = original.clone();
        forwardAudio(original);
        assertArrayEquals(before, original, "forwarding never writes into the publisher's packet");
        assertEquals(1, first.rtp.size());
        assertEquals(1, second.rtp.size());
        RtpPacket out = new RtpPacket();
        out.wrap(first.rtp.get(0), 0, first.rtp.get(0).length);
        assertEquals(7000, out.ssrc());
        assertEquals(100, out.sequenceNumber(), "numbering starts at the subscription's own first number");
        assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(first.rtp.get(0), 12, 15));
        out.wrap(second.rtp.get(0), 0, second.rtp.get(0).length);
        assertEquals(8000, out.ssrc());
    }

    @Test
    void onlyAcceptedSubscriptionsInTheTableReceive() {
        RecordingSender accepted = new RecordingSender();
        RecordingSender notAccepted = new RecordingSender();
        RecordingSender notInTable = new RecordingSender();
        subscribe(audio, accepted, 7000);
        Subscription pending = new Subscription(audio, "p", notAccepted, 7100, 7101, 0, 0);
        router.subscribe(pending);
        Subscription outside = new Subscription(audio, "o", notInTable, 7200, 7201, 0, 0);
        outside.setAccepted(true);
        forwardAudio(rtp(111, 1, 111, (byte) 9));
        assertEquals(1, accepted.rtp.size());
        assertEquals(0, notAccepted.rtp.size(), "an m-line the subscriber has not accepted gets nothing");
        assertEquals(0, notInTable.rtp.size(), "only the router's table decides who receives");
        assertEquals(2, audio.subscriberCount());
    }

    @Test
    void anUnsubscribedOrDisconnectedSubscriberGetsNothingAndTheOthersGoOn() {
        RecordingSender leaving = new RecordingSender();
        RecordingSender offline = new RecordingSender();
        RecordingSender staying = new RecordingSender();
        Subscription gone = subscribe(audio, leaving, 7000);
        subscribe(audio, offline, 7100);
        subscribe(audio, staying, 7200);
        router.unsubscribe(gone);
        router.unsubscribe(gone); // harmless twice
        offline.connected = false;
        for (int i = 0; i < 5; i++) {
            forwardAudio(rtp(111, i, 111, (byte) i));
        }
        assertEquals(0, leaving.rtp.size());
        assertEquals(0, offline.rtp.size());
        assertEquals(5, staying.rtp.size());
        assertEquals(2, audio.subscriberCount());
    }

    @Test
    void videoStartsAtAKeyframe() {
        RecordingSender out = new RecordingSender();
        Subscription s = subscribe(video, out, 9000);
        s.chooseTarget(NOW);
        forward(videoStream, rtp(96, 10, 222, (byte) 0x10, (byte) 0x01), false);
        assertEquals(0, out.rtp.size(), "a subscriber cannot start decoding on a delta frame");
        forward(videoStream, rtp(96, 11, 222, (byte) 0x10, (byte) 0x00), true);
        forward(videoStream, rtp(96, 12, 222, (byte) 0x00, (byte) 0x01), false);
        assertEquals(2, out.rtp.size());
    }

    @Test
    void aNackedPacketIsResentFromTheCacheAsRtx() {
        RecordingSender out = new RecordingSender();
        Subscription s = subscribe(video, out, 9000);
        s.chooseTarget(NOW);
        byte[] keyframe = rtp(96, 500, 222, (byte) 0x10, (byte) 0x00, (byte) 0x77);
        video.cache(0, keyframe, 0, keyframe.length, 500, NOW);
        forward(videoStream, keyframe, true);
        RtpPacket sent = new RtpPacket();
        sent.wrap(out.rtp.get(0), 0, out.rtp.get(0).length);
        int outgoing = sent.sequenceNumber();
        assertTrue(router.retransmit(s, outgoing, NOW + 1000) > 0);
        assertEquals(-1, router.retransmit(s, outgoing + 1, NOW + 1000), "never sent: nothing to resend");
        byte[] rtx = out.rtp.get(1);
        RtpPacket r = new RtpPacket();
        r.wrap(rtx, 0, rtx.length);
        assertEquals(9001, r.ssrc(), "the RTX SSRC");
        assertEquals(Codec.VP8.rtxPayloadType(), r.payloadType());
        assertEquals(outgoing, (rtx[12] & 0xff) << 8 | (rtx[13] & 0xff), "the original sequence number first");
        assertArrayEquals(new byte[] {0x10, 0x00, 0x77}, Arrays.copyOfRange(rtx, 14, 17));
    }

    /**
     * A probe's bytes go first as RTX copies of the packets just sent, newest first and each only if it
     * fits in what is left; padding fills in the rest, and nothing is sent beyond the probe's bytes but the
     * last padding packet's.
     */
    @Test
    void aProbeResendsRecentPacketsAsRtxBeforePadding() {
        RecordingSender out = new RecordingSender();
        Subscription s = subscribe(video, out, 9000);
        s.chooseTarget(NOW);
        int[] outgoing = new int[20];
        for (int i = 0; i < 20; i++) {
            byte[] payload = new byte[1000];
            payload[0] = (byte) (i == 0 ? 0x10 : 0x00); // VP8 descriptor: start of partition
            payload[1] = (byte) i;
            byte[] b = rtp(96, 700 + i, 222, payload);
            if (i == 0) {
                b[13] = 0x00; // a keyframe first
            }
            video.cache(0, b, 0, b.length, 700 + i, NOW);
            forward(videoStream, b, i == 0);
            RtpPacket sent = new RtpPacket();
            sent.wrap(out.rtp.get(i), 0, out.rtp.get(i).length);
            outgoing[i] = sent.sequenceNumber();
        }
        int bytes = router.sendPadding(s, 3_500, NOW + 1_000_000);
        List<byte[]> probe = out.rtp.subList(20, out.rtp.size());
        int copies = 0;
        int padding = 0;
        for (byte[] p : probe) {
            RtpPacket r = new RtpPacket();
            r.wrap(p, 0, p.length);
            assertEquals(9001, r.ssrc(), "on the RTX stream");
            if ((p[0] & 0x20) != 0) {
                padding++;
            } else {
                int osn = (p[12] & 0xff) << 8 | (p[13] & 0xff);
                assertEquals(outgoing[19 - copies], osn, "the newest first");
                assertEquals((byte) (19 - copies), p[15], "with the packet's own payload");
                copies++;
            }
        }
        assertEquals(3, copies, "three copies of 1,014 bytes fit in 3,500");
        assertTrue(padding >= 1 && padding <= 3, padding + " padding packets fill in the last 458 bytes");
        assertTrue(bytes >= 3_500 && bytes < 3_500 + 300, bytes + " bytes sent");
    }
}
