package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.LinkEmulator;
import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.core.media.MediaKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Simulcast layers chosen from the downlink estimate, through the link emulator: a subscriber whose
 * downlink is capped below the top layer moves down, and back up once the cap is lifted; every switch
 * lands on a keyframe and the rewritten sequence numbers stay continuous. And receiverConstraints alone
 * holding a subscriber to the lowest layer.
 */
@Tag("long")
class BandwidthAdaptationTest {
    /** What the subscriber saw of one video packet. */
    private record Seen(long nanos, int layer, int sequence, boolean keyframe, int pictureId) {
    }

    @Test
    @Timeout(120)
    void aCapMovesTheSubscriberDownAndLiftingItBringsItBack() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            List<Seen> seen = new CopyOnWriteArrayList<>();
            SimulcastPublisher publisher = new SimulcastPublisher(call, "bwe", "publisher");
            InProcessCall.Joined watcher = call.join("bwe", "subscriber", listener(seen));
            SfuClient subscriber = watcher.client();
            subscriber.emulateLink(LinkEmulator.Conditions.NONE, LinkEmulator.Conditions.NONE, 21);
            subscriber.sendTransportFeedbackEvery(50);
            publisher.publish();
            subscriber.subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);

            // The estimate starts at 1 Mbps (the middle layer) and probes its way up to the top layer.
            long start = System.nanoTime();
            long top = sendUntil(publisher, seen, 30, 300, l -> l == 2);
            assertTrue(top > 0, "the subscriber reaches the top layer: " + tail(seen));
            System.out.printf("BandwidthAdaptationTest: from the start, on the top layer for good after %d ms%n",
                    (top - start) / 1_000_000);

            subscriber.emulateLink(LinkEmulator.Conditions.NONE, LinkEmulator.Conditions.cap(1_000_000), 21);
            long capped = System.nanoTime();
            long down = sendUntil(publisher, seen, 15, 20, l -> l < 2);
            assertTrue(down > 0, "the subscriber moves down under a 1,000 kbps cap: " + tail(seen));
            long downMillis = (down - capped) / 1_000_000;
            sendFor(publisher, 3);
            int layerWhileCapped = seen.get(seen.size() - 1).layer();

            subscriber.emulateLink(LinkEmulator.Conditions.NONE, LinkEmulator.Conditions.NONE, 21);
            long lifted = System.nanoTime();
            long up = sendUntil(publisher, seen, 20, 20, l -> l == 2);
            assertTrue(up > 0, "the subscriber returns to the top layer: " + tail(seen));
            long upMillis = (up - lifted) / 1_000_000;

            long[] link = new long[2];
            CompletableFuture<Void> read = new CompletableFuture<>();
            call.clientThread.execute(() -> {
                link[0] = subscriber.downlink().queueDropped();
                link[1] = subscriber.downlink().lost();
                read.complete(null);
            });
            read.get(5, TimeUnit.SECONDS);
            int switches = 0;
            int gaps = 0;
            for (int i = 1; i < seen.size(); i++) {
                Seen a = seen.get(i - 1);
                Seen b = seen.get(i);
                int step = (b.sequence() - a.sequence()) & 0xffff;
                assertTrue(step >= 1 && step < 0x8000, "sequence numbers only go forward: " + a + " -> " + b);
                gaps += step - 1;
                if (a.layer() != b.layer()) {
                    switches++;
                    assertTrue(b.keyframe(), "switch " + a + " -> " + b + " lands on a keyframe");
                }
            }
            double registrySwitches = call.registry.get("sfu.layer.switches").counter().count();
            double probes = call.registry.get("sfu.downlink.probes").counter().count();
            System.out.printf("BandwidthAdaptationTest: capped at 1,000 kbps: down (to layer %d) in %d ms; lifted:"
                    + " top again in %d ms; %d switches (sfu_layer_switches_total %.0f), %d probes; %d sequence gaps"
                    + " for %d packets the link dropped%n", layerWhileCapped, downMillis, upMillis, switches,
                    registrySwitches, (long) probes, gaps, link[0] + link[1]);
            assertTrue(downMillis <= 3000, "down within 3 s: " + downMillis + " ms");
            assertTrue(upMillis <= 10_000, "up within 10 s: " + upMillis + " ms");
            assertTrue(layerWhileCapped < 2, "stays below the top layer while capped");
            assertTrue(gaps <= link[0] + link[1], "every sequence gap is a packet the link dropped: " + gaps);
            assertTrue(registrySwitches >= 1, "switches counted (every 250 ms)");
        }
    }

    @Test
    @Timeout(60)
    void maxHeight180ForwardsOnlyTheLowestLayer() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            List<Seen> seen = new CopyOnWriteArrayList<>();
            SimulcastPublisher publisher = new SimulcastPublisher(call, "small", "publisher");
            InProcessCall.Joined watcher = call.join("small", "subscriber", listener(seen));
            watcher.handle().receiverConstraints(180, Map.of());
            watcher.client().sendTransportFeedbackEvery(50);
            publisher.publish();
            watcher.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            sendFor(publisher, 4);
            assertTrue(seen.size() > 50, "video arrives: " + seen.size());
            assertTrue(seen.stream().allMatch(s -> s.layer() == 0), "only the 180-line layer: " + tail(seen));
            assertEquals(0, call.registry.get("sfu.layer.switches").counter().count());
        }
    }

    private static SfuClient.Listener listener(List<Seen> seen) {
        return new SfuClient.Listener() {
            @Override
            public void onRtp(TrackMapping track, RtpPacket packet) {
                if (track.kind() == MediaKind.VIDEO && packet.payloadType() == 96) {
                    byte[] b = packet.buffer();
                    int at = packet.payloadOffset();
                    seen.add(new Seen(System.nanoTime(), SimulcastPublisher.layerOf(packet), packet.sequenceNumber(),
                            SimulcastPublisher.startsKeyframe(packet), (b[at + 2] & 0x7f) << 8 | (b[at + 3] & 0xff)));
                }
            }
        };
    }

    /**
     * Sends frames until the last {@code packets} packets satisfy {@code layer}; returns when the first of
     * them arrived, or -1 after the limit.
     */
    private static long sendUntil(SimulcastPublisher publisher, List<Seen> seen, int seconds, int packets,
            java.util.function.IntPredicate layer) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int from = seen.size();
        while (System.nanoTime() < deadline) {
            publisher.sendFrame();
            Thread.sleep(33);
            // A snapshot: the client thread appends while we look, and a CopyOnWriteArrayList's subList
            // throws ConcurrentModificationException once its list has changed (a CI run saw it).
            List<Seen> now = List.copyOf(seen);
            int n = now.size();
            if (n - from >= packets && now.subList(n - packets, n).stream().allMatch(s -> layer.test(s.layer()))) {
                for (int i = n - packets; i >= from; i--) {
                    if (!layer.test(now.get(i).layer())) {
                        return now.get(i + 1).nanos();
                    }
                }
                return now.get(from).nanos();
            }
        }
        return -1;
    }

    private static void sendFor(SimulcastPublisher publisher, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            publisher.sendFrame();
            Thread.sleep(33);
        }
    }

    private static List<Integer> tail(List<Seen> seen) {
        List<Seen> now = List.copyOf(seen);
        int n = now.size();
        return now.subList(Math.max(0, n - 40), n).stream().map(Seen::layer).toList();
    }
}
