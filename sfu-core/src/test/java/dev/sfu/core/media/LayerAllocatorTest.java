package dev.sfu.core.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sharing an estimate among subscriptions: layers of 150/500/1,500 kbps, up-switch headroom 1.2x, stay
 * at 1.0x, round robin between subscriptions, and falling back when the publisher stops a layer.
 */
class LayerAllocatorTest {
    private static final long MS = 1_000_000L;
    /** Payload bytes per 10 ms for 150, 500, 1,500 kbps once Track adds its 50 bytes of headers. */
    private static final int[] PAYLOAD_PER_10MS = {187 - 50, 625 - 50, 1875 - 50};

    private final Track track = new Track("t", "pub", "pub", MediaKind.VIDEO, "1", MediaFormat.canonical(Codec.VP8, ""),
            List.of("q", "h", "f"), ssrc -> { });
    private final byte[] payload = new byte[2000]; // zeros: never a keyframe
    private final LayerAllocator allocator = new LayerAllocator();
    private long now = 1000 * MS;

    /** The publisher sends the given layers for {@code millis}; bitrates are measured as the conference does. */
    private void publish(int millis, int... layers) {
        track.updateBitrates(now);
        for (int t = 0; t < millis; t += 10) {
            now += 10 * MS;
            for (int e : layers) {
                track.onPacket(e, now, payload, 0, PAYLOAD_PER_10MS[e]);
            }
            if (t % 250 == 240) {
                track.updateBitrates(now);
            }
        }
    }

    private Subscription subscription() {
        Subscription s = new Subscription(track, "sub", null, 1, 2, 0, 0);
        s.setAccepted(true);
        return s;
    }

    @Test
    void theHighestLayerThatFitsWithHeadroomIsAllowed() {
        publish(1000, 0, 1, 2);
        assertEquals(1_500_000, track.bitrate(2), 20_000);
        Subscription s = subscription();
        ArrayList<Subscription> list = new ArrayList<>(List.of(s));

        long desired = allocator.allocate(list, 1_000_000, now);
        assertEquals(1, s.bandwidthLimit(), "1,500 kbps x 1.2 does not fit 1,000 kbps; 500 x 1.2 does");
        assertEquals(1_800_000, desired, 30_000, "the top layer with headroom: what probing aims at");
        allocator.allocate(list, 1_700_000, now);
        assertEquals(1, s.bandwidthLimit(), "1.7 Mbps is short of the up-switch's 1.8");
        allocator.allocate(list, 1_900_000, now);
        assertEquals(2, s.bandwidthLimit());
        assertEquals(2, s.chooseTarget(now), "the top layer becomes the target; its keyframe is wanted");
        s.accept(2, true);
        assertEquals(2, s.encoding());

        allocator.allocate(list, 1_600_000, now);
        assertEquals(2, s.bandwidthLimit(), "staying needs only the layer's own bitrate");
        allocator.allocate(list, 1_400_000, now);
        assertEquals(1, s.bandwidthLimit(), "below it, down");
        s.chooseTarget(now);
        assertEquals(1, s.targetEncoding());
    }

    @Test
    void subscriptionsAreRaisedRoundRobin() {
        publish(1000, 0, 1, 2);
        Subscription a = subscription();
        Subscription b = subscription();
        ArrayList<Subscription> list = new ArrayList<>(List.of(a, b));
        allocator.allocate(list, 1_300_000, now);
        assertEquals(1, a.bandwidthLimit());
        assertEquals(1, b.bandwidthLimit(), "both on the middle layer rather than one on the top");
        allocator.allocate(list, 200_000, now);
        assertEquals(0, a.bandwidthLimit(), "the lowest layer even when it does not fit");
        assertEquals(0, b.bandwidthLimit());
    }

    @Test
    void aLayerThePublisherStopsIsLeft() {
        publish(1000, 0, 1, 2);
        Subscription s = subscription();
        ArrayList<Subscription> list = new ArrayList<>(List.of(s));
        allocator.allocate(list, 5_000_000, now);
        s.chooseTarget(now);
        s.accept(2, true);
        assertEquals(2, s.encoding());
        publish(1500, 0, 1); // the top layer goes silent (the publisher's own bandwidth dropped)
        allocator.allocate(list, 5_000_000, now);
        assertEquals(1, s.chooseTarget(now), "falls back to the highest layer still sent");
    }
}
