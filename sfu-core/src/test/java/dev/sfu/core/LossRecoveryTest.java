package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.client.ClientSdp;
import dev.sfu.core.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.GenericNack;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 5% random loss on a subscriber's link: every packet it NACKs comes back from the server's cache as an
 * RTX retransmission (RFC 4588), so no sequence number is missing in the end.
 */
class LossRecoveryTest {

    @Test
    @Timeout(90)
    void nackedPacketsAreResentOverRtxUntilNothingIsMissing() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            Set<Integer> received = ConcurrentHashMap.newKeySet();
            Set<Integer> dropped = ConcurrentHashMap.newKeySet();
            AtomicInteger retransmitted = new AtomicInteger();
            Random loss = new Random(5);
            SfuClient[] subscriber = new SfuClient[1];
            byte[] nack = new byte[64 + 20];
            InProcessCall.Joined publisher = call.join("lossy", "pub", new SfuClient.Listener() {
            });
            InProcessCall.Joined watcher = call.join("lossy", "sub", new SfuClient.Listener() {
                @Override
                public void onRtp(TrackMapping track, RtpPacket packet) {
                    if (packet.payloadType() == 97) { // RTX: the original sequence number leads the payload
                        int at = packet.payloadOffset();
                        received.add(((packet.buffer()[at] & 0xff) << 8) | (packet.buffer()[at + 1] & 0xff));
                        retransmitted.incrementAndGet();
                        return;
                    }
                    int sequence = packet.sequenceNumber();
                    if (!received.isEmpty() && loss.nextInt(100) < 5) {
                        // The network ate it: ask for it again, as a browser does.
                        dropped.add(sequence);
                        int n = GenericNack.write(nack, 0, 0x5eed, packet.ssrc(), new int[] {sequence}, 1);
                        subscriber[0].sendSubscriberRtcp(nack, 0, n);
                        return;
                    }
                    received.add(sequence);
                }
            });
            subscriber[0] = watcher.client();
            SfuClient pub = publisher.client();
            pub.publish(List.of(new ClientSdp.PublishSpec("0", "video", 3000))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            watcher.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);

            int packets = 600;
            for (int i = 0; i < packets; i++) {
                byte[] p = new byte[12 + 800 + 64];
                RtpPacket.writeHeader(p, 0, false, 96, i, i * 3000, 3000);
                p[12] = (byte) (i % 100 == 0 ? 0x10 : 0x00); // VP8: a keyframe every 100 packets
                p[13] = (byte) (i % 100 == 0 ? 0x00 : 0x01);
                pub.execute(() -> pub.sendRtp(p, 0, 12 + 800));
                Thread.sleep(i < 100 ? 20 : 4);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && !complete(received)) {
                Thread.sleep(50);
            }
            assertTrue(dropped.size() > 5, "the emulated link should have lost packets, lost " + dropped.size());
            assertTrue(complete(received), "missing after RTX: " + missing(received));
            assertEquals(dropped.size(), retransmitted.get(), "exactly the lost packets came back");
            assertTrue(call.registry.get("sfu.retransmissions").counter().count() >= dropped.size());
        }
    }

    private static boolean complete(Set<Integer> received) {
        return !received.isEmpty() && missing(received).isEmpty();
    }

    /** Sequence numbers between the lowest and highest received that never arrived, across the 16-bit wrap. */
    private static List<Integer> missing(Set<Integer> received) {
        boolean wraps = received.stream().anyMatch(x -> x < 16384) && received.stream().anyMatch(x -> x > 49152);
        List<Integer> unwrapped = received.stream().map(x -> wraps && x < 32768 ? x + 65536 : x).sorted().toList();
        Set<Integer> present = Set.copyOf(unwrapped);
        int lo = unwrapped.get(0);
        int hi = unwrapped.get(unwrapped.size() - 1);
        return java.util.stream.IntStream.rangeClosed(lo, hi).filter(x -> !present.contains(x)).map(x -> x & 0xffff)
                .boxed().toList();
    }
}
