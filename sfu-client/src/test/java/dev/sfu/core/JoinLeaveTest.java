package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Join and leave while media flows: a late joiner gets the tracks already published; a leaver's tracks
 * go from the next subscribe offer (their m-lines turn inactive) and nothing more is sent to it.
 */
class JoinLeaveTest {

    /** Records what a client receives and the track lists of its subscribe offers. */
    static final class Watcher implements SfuClient.Listener {
        final AtomicInteger packets = new AtomicInteger();
        final List<List<TrackMapping>> offers = new CopyOnWriteArrayList<>();

        @Override
        public void onRtp(TrackMapping track, RtpPacket packet) {
            packets.incrementAndGet();
        }

        @Override
        public void onSubscribeOffer(List<TrackMapping> tracks) {
            offers.add(tracks);
        }

        List<TrackMapping> lastOffer() {
            return offers.isEmpty() ? List.of() : offers.get(offers.size() - 1);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private static void sendAudio(SfuClient c, int ssrc, int from, int count) throws InterruptedException {
        for (int k = from; k < from + count; k++) {
            byte[] p = new byte[12 + 100 + 64];
            RtpPacket.writeHeader(p, 0, false, 111, k, k * 960, ssrc);
            c.execute(() -> c.sendRtp(p, 0, 12 + 100));
            Thread.sleep(5);
        }
    }

    @Test
    @Timeout(120)
    void lateJoinersGetExistingTracksAndLeaversGetNothingMore() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            Watcher a = new Watcher();
            Watcher b = new Watcher();
            Watcher c = new Watcher();
            InProcessCall.Joined ja = call.join("room", "a", a);
            InProcessCall.Joined jb = call.join("room", "b", b);
            ja.client().publish(InProcessCall.audioAndVideo(100, 101)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            jb.client().publish(InProcessCall.audioAndVideo(200, 201)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            jb.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);

            // A late joiner gets both publishers' tracks in its first offer, and their media.
            InProcessCall.Joined jc = call.join("room", "c", c);
            jc.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            await(() -> c.lastOffer().size() == 4, "c's offer with a's and b's tracks");
            await(() -> {
                try {
                    sendAudio(ja.client(), 100, 0, 5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return c.packets.get() > 0 && b.packets.get() > 0;
            }, "a's audio at b and c");

            // b leaves: its tracks vanish from c's next offer and nothing more is sent to b.
            String bId = jb.handle().endpointId();
            jb.handle().leave();
            await(() -> c.lastOffer().stream().noneMatch(t -> t.endpointId().equals(bId)), "b's tracks gone from c's offer");
            assertEquals(2, c.lastOffer().size(), "a's two tracks remain");
            Thread.sleep(300);
            int bBefore = b.packets.get();
            int cBefore = c.packets.get();
            double outBefore = call.registry.get("sfu.packets.out").counter().count();
            sendAudio(ja.client(), 100, 1000, 50);
            await(() -> c.packets.get() >= cBefore + 50, "c receiving a's audio");
            assertEquals(bBefore, b.packets.get(), "no packets to a departed endpoint");
            assertEquals(50, call.registry.get("sfu.packets.out").counter().count() - outBefore, 0.5,
                    "a's 50 packets went to c alone");
            assertFalse(call.sfu.conferences().get(0).endpoints().stream().anyMatch(p -> p.endpointId().equals(bId)));
        }
    }

    @Test
    @Timeout(120)
    void perConferenceGaugesFollowTheirConferenceWhenTurnedOn() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback().toBuilder().conferenceMetrics(true).build())) {
            InProcessCall.Joined ja = call.join("standup", "a", new Watcher());
            InProcessCall.Joined jb = call.join("standup", "b", new Watcher());
            InProcessCall.Joined jc = call.join("retro", "c", new Watcher());
            ja.client().publish(InProcessCall.audioAndVideo(100, 101)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            await(() -> gauge(call, "standup", "sfu.conference.tracks") == 2, "standup's two tracks");
            assertEquals(2, gauge(call, "standup", "sfu.conference.participants"));
            assertEquals(1, gauge(call, "retro", "sfu.conference.participants"));
            assertEquals(0, gauge(call, "retro", "sfu.conference.tracks"));

            jc.handle().leave();
            await(() -> call.registry.find("sfu.conference.participants").tag("conference", "retro").gauge() == null,
                    "retro's series removed when it ends");
            ja.handle().leave();
            await(() -> gauge(call, "standup", "sfu.conference.tracks") == 0, "a's tracks gone with a");
            assertEquals(1, gauge(call, "standup", "sfu.conference.participants"));
            jb.handle().leave();
            await(() -> call.registry.find("sfu.conference.participants").gauges().isEmpty()
                    && call.registry.find("sfu.conference.tracks").gauges().isEmpty(), "no series left");
        }
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            call.join("standup", "a", new Watcher());
            assertTrue(call.registry.find("sfu.conference.participants").gauges().isEmpty(), "off by default");
        }
    }

    private static double gauge(InProcessCall call, String conference, String name) {
        io.micrometer.core.instrument.Gauge g = call.registry.find(name).tag("conference", conference).gauge();
        return g == null ? -1 : g.value();
    }
}
