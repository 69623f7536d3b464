package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Endpoints with media join and leave again and again: afterwards no transport, ICE agent or thread is
 * left behind, the heap is back where it was, and a watcher beside them received media throughout.
 */
class ChurnTest {
    private static final int CYCLES = 20;

    @Test
    @Timeout(240)
    void joinLeaveCyclesLeaveNothingBehind() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            AtomicInteger watcherPackets = new AtomicInteger();
            InProcessCall.Joined watcher = call.join("churn", "watcher", new SfuClient.Listener() {
                @Override
                public void onRtp(TrackMapping track, RtpPacket packet) {
                    watcherPackets.incrementAndGet();
                }
            });
            cycle(call, 0); // warm up: classes, pools, JIT
            cycle(call, 1);
            settle();
            long threadsBefore = threads();
            long heapBefore = heapAfterGc();
            for (int i = 2; i < CYCLES; i++) {
                int before = watcherPackets.get();
                cycle(call, i);
                assertTrue(watcherPackets.get() > before, "the watcher received cycle " + i + "'s media");
            }
            settle();
            // Only the watcher's subscribe transport is left on the server.
            assertEquals(1, call.sfu.openTransports(), "ICE transports left open");
            long threadsAfter = threads();
            long heapAfter = heapAfterGc();
            System.out.printf("threads %d -> %d, heap %d KiB -> %d KiB%n", threadsBefore, threadsAfter,
                    heapBefore / 1024, heapAfter / 1024);
            assertTrue(threadsAfter <= threadsBefore + 2, "threads grew from " + threadsBefore + " to " + threadsAfter);
            assertTrue(heapAfter <= heapBefore * 1.10 + 4 * 1024 * 1024,
                    "heap grew from " + heapBefore + " to " + heapAfter);
            watcher.handle().leave();
        }
    }

    /** One endpoint joins, publishes audio and video, sends a little, and leaves. */
    private static void cycle(InProcessCall call, int i) throws Exception {
        InProcessCall.Joined j = call.join("churn", "guest" + i, new SfuClient.Listener() {
        });
        SfuClient c = j.client();
        c.publish(InProcessCall.audioAndVideo(7000 + i, 8000 + i)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        for (int k = 0; k < 50; k++) {
            byte[] p = new byte[12 + 200 + 64];
            RtpPacket.writeHeader(p, 0, false, k % 2 == 0 ? 111 : 96, k, k * 960, k % 2 == 0 ? 7000 + i : 8000 + i);
            p[12] = 0x10; // VP8 keyframe start for the video packets
            c.execute(() -> c.sendRtp(p, 0, 12 + 200));
            Thread.sleep(10);
        }
        j.handle().leave();
        c.close();
    }

    /** Lets idle pools and ice4j's delayed clean-up finish. */
    private static void settle() throws InterruptedException {
        Thread.sleep(4000);
    }

    /** Live threads other than the elastic pools (handshake threads come and go with load). */
    private static long threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> !t.getName().startsWith("dtls-handshake") && !t.getName().startsWith("pool-")
                        && !t.getName().startsWith("ForkJoinPool"))
                .count();
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
