package dev.sfu.core.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.media.Codec;
import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.media.Router;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.media.Track;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.core.transport.RecordingSender;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.GenericNack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A subscriber's NACKs on a virtual clock: honest ones are answered, a NACK storm cannot amplify. */
class NackResponderTest {
    private static final long MS = 1_000_000L;
    private static final int PAYLOAD = 1000;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SfuMetrics metrics = new SfuMetrics(registry);
    private final Router router = new Router();
    private final Track video = new Track("v", "pub", "pub", MediaKind.VIDEO, "1", MediaFormat.canonical(Codec.VP8, ""),
            List.of(), ssrc -> { });
    private final InboundStream stream = new InboundStream(video, 0, false, 4000);
    private final RecordingSender out = new RecordingSender();
    private final Subscription subscription = new Subscription(video, "sub", out, 7000, 7001, 0, 0);
    private final NackResponder nacks = new NackResponder(router, metrics);
    private final RtpPacket packet = new RtpPacket();
    private long now = 10_000 * MS;
    private int sequence = 100;
    private long forwarded;

    NackResponderTest() {
        subscription.setAccepted(true);
        router.subscribe(subscription);
        subscription.chooseTarget(now);
    }

    /** Forwards (and caches) one second of 100 packets a second; returns the outgoing sequence numbers. */
    private int[] forwardOneSecond() {
        int[] outgoing = new int[100];
        for (int i = 0; i < 100; i++) {
            byte[] b = new byte[12 + PAYLOAD];
            RtpPacket.writeHeader(b, 0, false, 96, sequence, sequence * 3000, 4000);
            b[12] = 0x10;
            video.cache(0, b, 0, b.length, sequence, now);
            packet.wrap(b, 0, b.length);
            router.forward(stream, packet, true, now);
            RtpPacket sent = new RtpPacket();
            byte[] last = out.rtp.get(out.rtp.size() - 1);
            sent.wrap(last, 0, last.length);
            outgoing[i] = sent.sequenceNumber();
            sequence++;
            now += 10 * MS;
            forwarded += PAYLOAD;
        }
        return outgoing;
    }

    private static byte[] nack(int[] lost, int count) {
        byte[] b = new byte[1500];
        int length = GenericNack.write(b, 0, 1, 7000, lost, count);
        return java.util.Arrays.copyOf(b, length);
    }

    private double refused(String reason) {
        return registry.get("sfu.nack.refused").tag("reason", reason).counter().count();
    }

    @Test
    void anHonestNackIsAnsweredOnceWithinARoundTrip() {
        int[] outgoing = forwardOneSecond();
        nacks.earn(forwarded);
        int before = out.rtp.size();
        byte[] one = nack(new int[] {outgoing[50]}, 1);
        nacks.onNack(subscription, one, 0, one.length, now);
        assertEquals(before + 1, out.rtp.size(), "resent");
        nacks.onNack(subscription, one, 0, one.length, now + 20 * MS);
        assertEquals(before + 1, out.rtp.size(), "asked again within a round trip: already on its way");
        assertEquals(1, refused(NackResponder.DUPLICATE));
        nacks.onNack(subscription, one, 0, one.length, now + 150 * MS);
        assertEquals(before + 2, out.rtp.size(), "asked again later: lost again, resent again");
    }

    @Test
    void aNackStormCannotAmplify() {
        forwardOneSecond();
        nacks.earn(forwarded);
        int media = out.rtp.size();
        long forwardedBefore = forwarded;
        // For 5 s: 100 packets/s of media, and 100 NACKs/s each asking for the whole last second again
        // (every item with a full bitmask: 17 packets an item).
        long retransmittedBytes = 0;
        int retransmissions = 0;
        for (int second = 0; second < 5; second++) {
            int[] outgoing = forwardOneSecond();
            nacks.earn(forwarded);
            for (int k = 0; k < 100; k++) {
                int[] all = new int[100];
                System.arraycopy(outgoing, 0, all, 0, 100);
                byte[] storm = nack(all, 100);
                int before = out.rtp.size();
                nacks.onNack(subscription, storm, 0, storm.length, now + k * 10 * MS);
                for (int i = before; i < out.rtp.size(); i++) {
                    retransmittedBytes += out.rtp.get(i).length;
                }
                retransmissions += out.rtp.size() - before;
            }
        }
        long mediaBytes = (forwarded - forwardedBefore);
        System.out.printf("storm: %d retransmissions, %d bytes against %d bytes of media%n", retransmissions,
                retransmittedBytes, mediaBytes);
        assertTrue(retransmittedBytes <= 0.5 * mediaBytes + NackResponder.MAX_BUDGET_BYTES,
                "retransmissions stay within half the media plus the saved-up budget: " + retransmittedBytes);
        assertTrue(refused(NackResponder.DUPLICATE) > 0);
        assertTrue(refused(NackResponder.BUDGET) > 0);
        assertTrue(out.rtp.size() - media >= 500, "the media itself went on");
    }

    @Test
    void onlyTheFirstItemsOfAHugeNackAreRead() {
        int[] outgoing = forwardOneSecond();
        nacks.earn(forwarded);
        int[] every = new int[100];
        System.arraycopy(outgoing, 0, every, 0, 100);
        // One item per packet, far apart enough that each is an item of its own: 100 items.
        int[] spread = new int[50];
        for (int i = 0; i < 50; i++) {
            spread[i] = outgoing[i * 2] + i * 40;
        }
        byte[] huge = nack(spread, 50);
        assertTrue(GenericNack.entries(huge.length) > NackResponder.MAX_ITEMS_PER_NACK);
        nacks.onNack(subscription, huge, 0, huge.length, now);
        assertEquals(GenericNack.entries(huge.length) - NackResponder.MAX_ITEMS_PER_NACK,
                (int) refused(NackResponder.TOO_MANY_ITEMS));
    }
}
