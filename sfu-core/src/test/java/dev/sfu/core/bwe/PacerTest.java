package dev.sfu.core.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.transport.RtpSender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pacer on a virtual clock, sending to a recording transport. */
class PacerTest {
    private static final long MS = 1_000_000L;

    /** Records the time of each packet sent (set by the test before each drain). */
    private static final class Recorder implements RtpSender {
        final List<Long> sentAt = new ArrayList<>();
        long now;
        boolean connected = true;

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public int sendRtp(byte[] buffer, int offset, int length) {
            sentAt.add(now);
            return length;
        }

        @Override
        public void sendRtcp(byte[] buffer, int offset, int length) {
        }

        @Override
        public int nextTransportWideSequence() {
            return 0;
        }
    }

    private static void enqueue(Pacer pacer, int length) {
        byte[] slot = pacer.claim();
        if (slot != null) {
            pacer.commit(length, -1);
        }
    }

    @Test
    void pacersShareTheirConferencesBuffersAndGiveThemBack() {
        PacketBuffers buffers = new PacketBuffers();
        Recorder out = new Recorder();
        Pacer first = new Pacer(out, null, buffers, () -> { }, Pacer.CAPACITY, Pacer.SLOT_NANOS);
        Pacer second = new Pacer(out, null, buffers, () -> { }, Pacer.CAPACITY, Pacer.SLOT_NANOS);
        for (int i = 0; i < 1000; i++) { // sent as soon as queued: one buffer serves every packet
            enqueue(first, 1000);
            first.drain(0);
            enqueue(second, 1000);
            second.drain(0);
        }
        assertEquals(1, buffers.created());
        first.setEstimate(1_000_000);
        first.drain(0);
        for (int i = 0; i < 40; i++) {
            enqueue(first, 1000); // a keyframe held back by the pace
        }
        assertEquals(40, buffers.created(), "as many as are queued at once");
        for (long t = 0; t <= 1000 * MS; t += 5 * MS) {
            out.now = t;
            first.drain(t);
        }
        assertEquals(0, first.queued());
        assertEquals(40, buffers.free(), "all given back once sent");
        for (int i = 0; i < 40; i++) {
            enqueue(second, 1000);
            second.drain(0);
        }
        assertEquals(40, buffers.created(), "the other pacer reuses them");
    }

    @Test
    void aTransportThatGoesAwayGivesItsQueuedBuffersBack() {
        PacketBuffers buffers = new PacketBuffers();
        Recorder out = new Recorder();
        Pacer pacer = new Pacer(out, null, buffers, () -> { }, Pacer.CAPACITY, Pacer.SLOT_NANOS);
        pacer.setEstimate(100_000);
        pacer.drain(0);
        for (int i = 0; i < 20; i++) {
            enqueue(pacer, 1000);
        }
        out.connected = false;
        pacer.drain(5 * MS);
        assertEquals(0, pacer.queued());
        assertEquals(buffers.created(), buffers.free());
    }

    @Test
    void aDrainThatLeavesPacketsQueuedAsksForTheNextSlot() {
        int[] asked = {0};
        Recorder out = new Recorder();
        Pacer pacer = new Pacer(out, null, new PacketBuffers(), () -> asked[0]++, Pacer.CAPACITY, Pacer.SLOT_NANOS);
        for (int i = 0; i < 10; i++) {
            enqueue(pacer, 1000);
            pacer.drain(0);
        }
        assertEquals(0, asked[0], "sent at once: no slot needed");
        pacer.setEstimate(1_000_000);
        pacer.drain(0);
        for (int i = 0; i < 20; i++) {
            enqueue(pacer, 1000);
            pacer.drain(0);
        }
        assertTrue(asked[0] > 0, "held back: the next slot is needed");
        int before = asked[0];
        for (long t = 5 * MS; pacer.queued() > 0; t += 5 * MS) {
            out.now = t;
            pacer.drain(t);
        }
        pacer.drain(1000 * MS);
        assertEquals(0, pacer.queued());
        assertTrue(asked[0] >= before);
    }

    @Test
    void withoutAnEstimateEverythingGoesAtOnce() {
        Recorder out = new Recorder();
        Pacer pacer = new Pacer(out, null);
        for (int i = 0; i < 50; i++) {
            enqueue(pacer, 1000);
            pacer.drain(0);
        }
        assertEquals(50, out.sentAt.size());
        assertEquals(0, pacer.queued());
    }

    @Test
    void aBurstLeavesAt2Point5TimesTheEstimate() {
        Recorder out = new Recorder();
        Pacer pacer = new Pacer(out, null);
        pacer.setEstimate(1_000_000); // paced at 2.5 Mbps: 1,000 bytes every 3.2 ms
        pacer.drain(0);
        for (int i = 0; i < 100; i++) {
            enqueue(pacer, 1000); // a 100 KB keyframe at once
        }
        for (long t = 0; t <= 1000 * MS; t += 5 * MS) {
            out.now = t;
            pacer.drain(t);
        }
        assertEquals(100, out.sentAt.size());
        long last = out.sentAt.get(99);
        // 100,000 bytes at 312,500 bytes/s: 320 ms, give or take a slot.
        assertTrue(last >= 310 * MS && last <= 330 * MS, "the burst took " + last / MS + " ms");
        for (int i = 0; i + 2 < out.sentAt.size(); i++) {
            assertTrue(out.sentAt.get(i + 2) > out.sentAt.get(i), "no more than 2 packets of 1,000 bytes per 5 ms slot");
        }
    }

    @Test
    void aFullQueueDropsAndCounts() {
        Recorder out = new Recorder();
        Pacer pacer = new Pacer(out, null);
        pacer.setEstimate(100_000);
        pacer.drain(0);
        for (int i = 0; i < Pacer.CAPACITY + 10; i++) {
            enqueue(pacer, 1000);
        }
        assertEquals(10, pacer.dropped());
        assertEquals(Pacer.CAPACITY, pacer.queued());
        out.connected = false;
        pacer.drain(5 * MS);
        assertEquals(0, pacer.queued(), "a closed transport's queue is let go");
    }

    @Test
    void packetsAreReportedToTheEstimatorWhenTheyLeave() {
        Recorder out = new Recorder();
        DownlinkEstimator estimator = new DownlinkEstimator();
        Pacer pacer = new Pacer(out, estimator);
        byte[] slot = pacer.claim();
        pacer.commit(500, 7);
        pacer.drain(3 * MS);
        long[] arrival = {10_000};
        estimator.onFeedback(7, arrival, 1, 20 * MS);
        assertTrue(estimator.hasEstimate(), "the feedback matched the packet the pacer sent");
        assertEquals(Pacer.PACKET_ROOM, slot.length);
    }
}
