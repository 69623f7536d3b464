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
    private final Track track = new Track("t", "pub", "pub", "video", "1", MediaFormat.canonical(Codec.VP8, ""),
            List.of("q", "h", "f"), keyframeRequests::add);
    private final int[] sequences = {1000, 20000, 40000};
    private final int[] heights = {180, 360, 720};
    private final RtpPacket packet = new RtpPacket();

    /** A VP8 packet of an encoding; a keyframe carries its height. */
    private byte[] vp8(int encoding, boolean keyframe) {
        byte[] b = new byte[12 + 20];
        RtpPacket.writeHeader(b, 0, false, 96, sequences[encoding]++, encoding * 100_000, 1000 + encoding);
        b[12] = (byte) (keyframe ? 0x10 : 0x00);
        b[13] = (byte) (keyframe ? 0x00 : 0x01);
        b[16] = (byte) 0x9d;
        b[17] = 0x01;
        b[18] = 0x2a;
        b[19] = (byte) 0x80;
        b[20] = 0x02;
        b[21] = (byte) heights[encoding];
        b[22] = (byte) (heights[encoding] >> 8);
        return b;
    }

    /** Offers a packet as the router does; returns the rewritten sequence number, or -1 when not forwarded. */
    private int offer(Subscription s, int encoding, boolean keyframe, long now) {
        byte[] b = vp8(encoding, keyframe);
        packet.wrap(b, 0, b.length);
        boolean isKeyframe = track.onPacket(encoding, now, b, packet.payloadOffset(), packet.payloadLength());
        if (!s.accept(encoding, isKeyframe)) {
            return -1;
        }
        s.rewrite(packet, now);
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
}
