package dev.sfu.core.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Simulcast layer choice and switching of one subscription, driven with synthetic VP8 packets. */
class SubscriptionTest {
    private static final long MS = 1_000_000L;

    private final List<Integer> keyframeRequests = new ArrayList<>();
    private final Track track = new Track("t", "pub", "pub", MediaKind.VIDEO, "1", MediaFormat.canonical(Codec.VP8, ""),
            List.of("q", "h", "f"), keyframeRequests::add);
    private final int[] sequences = {1000, 20000, 40000};
    private final int[] heights = {180, 360, 720};
    private final int[] pictureIds = {100, 5000, 30000};
    private final int[] tl0s = {10, 120, 250};
    private final RtpPacket packet = new RtpPacket();

    /** A VP8 packet of an encoding; a keyframe carries its height. */
    private byte[] vp8(int encoding, boolean keyframe) {
        byte[] b = new byte[12 + 24];
        RtpPacket.writeHeader(b, 0, false, 96, sequences[encoding]++, encoding * 100_000, 1000 + encoding);
        int pid = pictureIds[encoding]++ & 0x7fff;
        int tl0 = tl0s[encoding]++ & 0xff;
        b[12] = (byte) (0x80 | (keyframe ? 0x10 : 0x00)); // X, and S on a keyframe
        b[13] = (byte) 0xc0;                               // I and L
        b[14] = (byte) (0x80 | (pid >> 8));                // 15-bit picture id
        b[15] = (byte) pid;
        b[16] = (byte) tl0;
        b[17] = (byte) (keyframe ? 0x00 : 0x01);           // frame tag: P bit
        b[20] = (byte) 0x9d;
        b[21] = 0x01;
        b[22] = 0x2a;
        b[23] = (byte) 0x80;
        b[24] = 0x02;
        b[25] = (byte) heights[encoding];
        b[26] = (byte) (heights[encoding] >> 8);
        return b;
    }

    private final List<Integer> forwardedPictureIds = new ArrayList<>();
    private final List<Integer> forwardedTl0s = new ArrayList<>();

    /** Offers a packet as the router does; returns the rewritten sequence number, or -1 when not forwarded. */
    private int offer(Subscription s, int encoding, boolean keyframe, long now) {
        byte[] b = vp8(encoding, keyframe);
        packet.wrap(b, 0, b.length);
        boolean isKeyframe = track.onPacket(encoding, now, b, packet.payloadOffset(), packet.payloadLength());
        if (!s.accept(encoding, isKeyframe)) {
            return -1;
        }
        s.rewrite(packet, now);
        forwardedPictureIds.add(dev.sfu.rtp.codec.Vp8Descriptor.pictureId(b, packet.payloadOffset(), packet.payloadLength()));
        forwardedTl0s.add(dev.sfu.rtp.codec.Vp8Descriptor.tl0PicIdx(b, packet.payloadOffset(), packet.payloadLength()));
        return packet.sequenceNumber();
    }

    private Subscription subscription(int maxHeight) {
        Subscription s = new Subscription(track, "sub", null, 5, 6, 100, 0);
        s.setAccepted(true);
        s.setMaxHeight(maxHeight);
        return s;
    }

    @Test
    void startsOnTheTopLayersKeyframeAndSwitchesDownAndUpOnKeyframesWithContinuousSequenceNumbers() {
        Subscription s = subscription(Integer.MAX_VALUE);
        long now = 1_000 * MS;
        // All three layers flow; nothing is forwarded before a keyframe of the target (top) layer.
        for (int e = 0; e < 3; e++) {
            assertEquals(-1, offer(s, e, false, now));
        }
        assertEquals(-1, offer(s, 0, true, now));
        int first = offer(s, 2, true, now);
        assertEquals(100, first);
        assertEquals(101, offer(s, 2, false, now + MS));
        assertEquals(-1, offer(s, 1, false, now + MS));

        // The receiver asks for 360p at most: the middle layer is chosen, and its keyframe requested.
        s.setMaxHeight(360);
        assertEquals(1, s.chooseTarget(now + 2 * MS));
        assertEquals(102, offer(s, 2, false, now + 3 * MS), "the old layer flows until the new one's keyframe");
        assertEquals(-1, offer(s, 1, false, now + 3 * MS));
        assertEquals(103, offer(s, 1, true, now + 4 * MS), "switched at the keyframe, sequence continues");
        assertEquals(-1, offer(s, 2, false, now + 5 * MS));
        assertEquals(104, offer(s, 1, false, now + 5 * MS));

        // maxHeight 180 forwards the lowest layer only.
        s.setMaxHeight(180);
        assertEquals(0, s.chooseTarget(now + 6 * MS));
        assertEquals(105, offer(s, 0, true, now + 7 * MS));
        assertEquals(0, s.encoding());

        // Lifting the constraint returns to the top layer at its keyframe.
        s.setMaxHeight(Integer.MAX_VALUE);
        assertEquals(2, s.chooseTarget(now + 8 * MS));
        assertEquals(106, offer(s, 0, false, now + 8 * MS));
        assertEquals(107, offer(s, 2, true, now + 9 * MS));
        assertEquals(2, s.encoding());
        // Every packet here is its own picture: picture ids and TL0PICIDX run on without a jump.
        for (int i = 1; i < forwardedPictureIds.size(); i++) {
            assertEquals((forwardedPictureIds.get(i - 1) + 1) & 0x7fff, (int) forwardedPictureIds.get(i), "picture id " + i);
            assertEquals((forwardedTl0s.get(i - 1) + 1) & 0xff, (int) forwardedTl0s.get(i), "TL0PICIDX " + i);
        }
    }

    @Test
    void fallsBackWhenThePublisherStopsSendingALayer() {
        Subscription s = subscription(Integer.MAX_VALUE);
        long now = 5_000 * MS;
        offer(s, 0, true, now);
        offer(s, 1, true, now);
        offer(s, 2, true, now);
        assertEquals(2, s.encoding());
        // The top layer goes silent for more than a second; the others keep flowing.
        long later = now + 1_500 * MS;
        offer(s, 0, false, later);
        offer(s, 1, false, later);
        assertEquals(1, s.chooseTarget(later));
        assertTrue(offer(s, 1, true, later) >= 0);
        assertEquals(1, s.encoding());
    }

    @Test
    void keyframeRequestsFromFiftySubscribersReachThePublisherAtMostOncePer300Ms() {
        long now = 20_000 * MS;
        offer(subscription(Integer.MAX_VALUE), 0, true, now); // the publisher's SSRC becomes known
        track.learnEncodingSsrc(0, 1000);
        keyframeRequests.clear();
        // 50 subscribers each ask every 10 ms for a second.
        for (int t = 0; t < 100; t++) {
            for (int s = 0; s < 50; s++) {
                track.requestKeyframe(0, now + t * 10 * MS, 300 * MS);
            }
        }
        assertEquals(4, keyframeRequests.size(), "one at 0, 300, 600 and 900 ms: " + keyframeRequests);
    }

    @Test
    void zeroMaxHeightMeansNoVideo() {
        Subscription s = subscription(0);
        long now = 9_000 * MS;
        offer(s, 0, true, now);
        s.chooseTarget(now);
        for (int e = 0; e < 3; e++) {
            assertEquals(-1, offer(s, e, true, now));
        }
        assertFalse(s.encoding() >= 0);
    }

    @Test
    void roundTripComesFromTheLastSenderReportWeSent() {
        Subscription s = new Subscription(track, "sub", null, 5, 6, 100, 0);
        long ntp = 0x0123_4567_89ab_cdefL;
        int lsr = (int) (ntp >>> 16);
        assertEquals(-1, s.roundTripNanos(lsr, 0, 500 * MS), "no sender report sent yet");
        s.senderReportSent(ntp, 1_000 * MS);
        // The subscriber held it 200 ms (DLSR in 1/65536 s) and its report arrived 260 ms after we sent it.
        assertEquals(60 * MS, s.roundTripNanos(lsr, 200 * 65536 / 1000, 1_260 * MS), 1 * MS);
        assertEquals(-1, s.roundTripNanos(lsr + 1, 0, 1_260 * MS), "a report on another sender report");
        assertEquals(-1, s.roundTripNanos(0, 0, 1_260 * MS), "LSR 0: the subscriber had none");
        assertEquals(-1, s.roundTripNanos(lsr, 300 * 65536 / 1000, 1_260 * MS), "DLSR longer than the wait");
    }
}
