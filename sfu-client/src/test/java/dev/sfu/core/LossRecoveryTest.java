package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ClientSdp;
import dev.sfu.client.LinkEmulator;
import dev.sfu.client.SfuClient;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.GenericNack;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 5 % random loss on a subscriber's downlink, by the seeded link emulator: the subscriber NACKs each gap
 * as a browser does (again every 100 ms while it is open, since a retransmission can be lost too), every
 * NACKed packet comes back from the server's cache as an RTX retransmission (RFC 4588), and in the end no
 * original sequence number is missing.
 */
@Tag("long")
class LossRecoveryTest {

    @Test
    @Timeout(90)
    void everyPacketLostOnTheDownlinkIsRecoveredOverRtx() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            Set<Integer> received = ConcurrentHashMap.newKeySet();
            Set<Integer> missing = ConcurrentHashMap.newKeySet();
            Set<Integer> everMissing = ConcurrentHashMap.newKeySet();
            AtomicInteger retransmitted = new AtomicInteger();
            AtomicInteger highest = new AtomicInteger(-1);
            AtomicInteger mediaSsrc = new AtomicInteger();
            InProcessCall.Joined publisher = call.join("lossy", "pub", new SfuClient.Listener() {
            });
            InProcessCall.Joined watcher = call.join("lossy", "sub", new SfuClient.Listener() {
                @Override
                public void onRtp(TrackMapping track, RtpPacket packet) {
                    int sequence = packet.sequenceNumber();
                    if (packet.payloadType() == 97) { // RTX: the original sequence number leads the payload
                        int at = packet.payloadOffset();
                        sequence = ((packet.buffer()[at] & 0xff) << 8) | (packet.buffer()[at + 1] & 0xff);
                        retransmitted.incrementAndGet();
                    } else {
                        mediaSsrc.set(packet.ssrc());
                        int last = highest.get();
                        if (last >= 0) {
                            for (int s = (last + 1) & 0xffff; s != sequence && ((sequence - s) & 0x8000) == 0;
                                    s = (s + 1) & 0xffff) {
                                missing.add(s);
                                everMissing.add(s);
                            }
                        }
                        if (last < 0 || ((sequence - last) & 0x8000) == 0) {
                            highest.set(sequence);
                        }
                    }
                    received.add(sequence);
                    missing.remove(sequence);
                }
            });
            SfuClient subscriber = watcher.client();
            subscriber.emulateLink(LinkEmulator.Conditions.NONE, LinkEmulator.Conditions.loss(0.05), 5);
            byte[] nack = new byte[16 + 4 * 64];
            int[] lost = new int[64];
            MediaThread.Timer nacker = call.clientThread.every(TimeUnit.MILLISECONDS.toNanos(100), () -> {
                int n = 0;
                for (int s : missing) {
                    if (n < lost.length) {
                        lost[n++] = s;
                    }
                }
                java.util.Arrays.sort(lost, 0, n);
                if (n > 0) {
                    int length = GenericNack.write(nack, 0, 0x5eed, mediaSsrc.get(), lost, n);
                    subscriber.sendSubscriberRtcp(nack, 0, length);
                }
            });
            SfuClient pub = publisher.client();
            pub.publish(List.of(new ClientSdp.PublishSpec("0", "video", 3000))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            subscriber.subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);

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
            while (System.nanoTime() < deadline && !(complete(received) && missing.isEmpty())) {
                Thread.sleep(50);
            }
            nacker.cancel();
            long[] link = new long[2];
            CompletableFuture<Void> read = new CompletableFuture<>();
            call.clientThread.execute(() -> {
                link[0] = subscriber.downlink().offered();
                link[1] = subscriber.downlink().lost();
                read.complete(null);
            });
            read.get(5, TimeUnit.SECONDS);
            System.out.printf("LossRecoveryTest: downlink carried %d packets, lost %d at random; %d originals missed,"
                    + " %d RTX received, %d sequence numbers in the end, none missing: %s%n", link[0], link[1],
                    everMissing.size(), retransmitted.get(), received.size(), missing(received).isEmpty());
            assertTrue(everMissing.size() > 5, "the emulated link should have lost packets, lost " + everMissing.size());
            assertTrue(complete(received), "missing after RTX: " + missing(received));
            assertTrue(retransmitted.get() >= everMissing.size(), "each missed original came back over RTX");
            assertTrue(call.registry.get("sfu.retransmissions").counter().count() >= everMissing.size());
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
