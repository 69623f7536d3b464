package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.SenderReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three in-process clients in one conference over real UDP, ICE, DTLS and SRTP, each publishing Opus and
 * VP8: every client receives the other two's tracks byte for byte with contiguous rewritten sequence
 * numbers, and nothing from a conference running beside it.
 */
class ThreePartyForwardingTest {
    private static final int PACKETS = 100;

    /** What one client received, by "publisherEndpoint/kind". */
    static final class Received implements SfuClient.Listener {
        final Map<String, List<byte[]>> payloads = new ConcurrentHashMap<>();
        final Map<String, List<Integer>> sequences = new ConcurrentHashMap<>();
        final Set<String> publishers = ConcurrentHashMap.newKeySet();
        final Map<String, List<Integer>> timestamps = new ConcurrentHashMap<>();
        final List<long[]> senderReports = new CopyOnWriteArrayList<>(); // {publisher-side key hash, ntp, rtp ts}
        SfuClient client;

        @Override
        public void onRtp(TrackMapping track, RtpPacket packet) {
            String key = track.endpointId() + "/" + track.kind().wireName();
            publishers.add(track.endpointId());
            payloads.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(
                    Arrays.copyOfRange(packet.buffer(), packet.payloadOffset(), packet.payloadOffset() + packet.payloadLength()));
            sequences.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(packet.sequenceNumber());
            timestamps.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(packet.timestamp());
        }

        @Override
        public void onRtcp(byte[] buffer, int offset, int length) {
            RtcpCompoundIterator it = new RtcpCompoundIterator().reset(buffer, offset, length);
            while (it.next()) {
                if (SenderReport.is(it)) {
                    TrackMapping track = client.trackOf(it.senderSsrc());
                    if (track != null) {
                        senderReports.add(new long[] {(track.endpointId() + "/" + track.kind().wireName()).hashCode(),
                            SenderReport.ntpTimestamp(buffer, it.packetOffset()),
                            SenderReport.rtpTimestamp(buffer, it.packetOffset())});
                    }
                }
            }
        }

        void clear() {
            payloads.clear();
            sequences.clear();
            timestamps.clear();
        }
    }

    static byte[] payload(int publisher, int kind, int n) {
        byte[] p = new byte[kind == 0 ? 80 : 1000];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (publisher * 31 + kind * 7 + n + i);
        }
        if (kind == 1) {
            // A VP8 payload descriptor (S=1, partition 0) and a keyframe's frame tag (P=0): the SFU starts
            // a video subscription at a keyframe.
            p[0] = 0x10;
            p[1] = 0x00;
        }
        return p;
    }

    static void send(SfuClient client, int ssrc, int payloadType, int sequence, byte[] payload) {
        byte[] packet = new byte[12 + payload.length + 64];
        RtpPacket.writeHeader(packet, 0, false, payloadType, sequence, sequence * 960, ssrc);
        System.arraycopy(payload, 0, packet, 12, payload.length);
        client.execute(() -> client.sendRtp(packet, 0, 12 + payload.length));
    }

    @Test
    @Timeout(120)
    void everyClientReceivesTheOtherTwoByteForByte() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            int n = 3;
            List<InProcessCall.Joined> clients = new ArrayList<>();
            List<Received> received = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Received r = new Received();
                received.add(r);
                clients.add(call.join("room", "client" + i, r));
                r.client = clients.get(i).client();
            }
            // A conference beside it: its media must never reach "room".
            Received outsider = new Received();
            InProcessCall.Joined other = call.join("other-room", "outsider", outsider);
            InProcessCall.Joined otherWatcher = call.join("other-room", "watcher", new Received());

            for (int i = 0; i < n; i++) {
                clients.get(i).client().publish(InProcessCall.audioAndVideo(1000 + i, 2000 + i)).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            }
            other.client().publish(InProcessCall.audioAndVideo(1000, 2000)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            for (InProcessCall.Joined j : clients) {
                j.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            otherWatcher.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);

            // Warm up until every subscription forwards, then measure a fresh batch.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int seq = 0;
            while (!allFlowing(received, clients)) {
                if (System.nanoTime() > deadline) {
                    fail("media did not start flowing: " + received.stream().map(r -> r.payloads.keySet()).toList());
                }
                sendRound(clients, other, seq++);
                Thread.sleep(20);
            }
            Thread.sleep(300);
            received.forEach(Received::clear);
            int first = seq;
            for (int k = 0; k < PACKETS; k++) {
                sendRound(clients, other, seq++);
                Thread.sleep(3);
            }
            waitForAll(received, clients);

            for (int i = 0; i < n; i++) {
                Received r = received.get(i);
                for (int j = 0; j < n; j++) {
                    String publisher = clients.get(j).handle().endpointId();
                    if (i == j) {
                        assertTrue(!r.publishers.contains(publisher), "a client must not receive itself");
                        continue;
                    }
                    for (int kind = 0; kind < 2; kind++) {
                        String key = publisher + "/" + (kind == 0 ? "audio" : "video");
                        List<byte[]> got = r.payloads.get(key);
                        assertEquals(PACKETS, got.size(), key + " at client" + i);
                        for (int k = 0; k < PACKETS; k++) {
                            assertArrayEquals(payload(j, kind, first + k), got.get(k), key + " packet " + k);
                        }
                        List<Integer> seqs = r.sequences.get(key);
                        for (int k = 1; k < seqs.size(); k++) {
                            assertEquals((seqs.get(k - 1) + 1) & 0xffff, (int) seqs.get(k), key + " sequence continuity");
                        }
                    }
                }
                assertTrue(!r.publishers.contains(other.handle().endpointId()), "media crossed conferences");
            }
            assertTrue(outsider.publishers.isEmpty() || !outsider.publishers.contains(clients.get(0).handle().endpointId()));
            assertTrue(call.registry.get("sfu.packets.unroutable").counter().count() >= PACKETS,
                    "packets under another endpoint's SSRC are dropped and counted");

            // Lip sync: client0's sender report for its audio reaches the others in their SSRC, with the
            // RTP timestamp shifted exactly as the media packets were.
            long ntp = 0xE1F0000012345678L;
            int sentTimestamp = 123_456 * 960;
            byte[] sr = new byte[SenderReport.LENGTH + 64];
            SenderReport.write(sr, 0, 1000, ntp, sentTimestamp, 10, 800);
            SfuClient sender = clients.get(0).client();
            sender.execute(() -> sender.sendPublisherRtcp(sr, 0, SenderReport.LENGTH));
            String key = clients.get(0).handle().endpointId() + "/audio";
            for (int i = 1; i < n; i++) {
                Received r = received.get(i);
                long deadline2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (r.senderReports.isEmpty() && System.nanoTime() < deadline2) {
                    Thread.sleep(20);
                }
                assertEquals(1, r.senderReports.size(), "client" + i + " got the sender report");
                long[] got = r.senderReports.get(0);
                assertEquals(key.hashCode(), got[0]);
                assertEquals(ntp, got[1]);
                int delta = r.timestamps.get(key).get(0) - first * 960;
                assertEquals(sentTimestamp + delta, (int) got[2], "RTP timestamp translated like the media");
            }
        }
    }

    private static void sendRound(List<InProcessCall.Joined> clients, InProcessCall.Joined other, int seq) {
        for (int i = 0; i < clients.size(); i++) {
            send(clients.get(i).client(), 1000 + i, 111, seq, payload(i, 0, seq));
            send(clients.get(i).client(), 2000 + i, 96, seq, payload(i, 1, seq));
        }
        send(other.client(), 1000, 111, seq, payload(9, 0, seq));
        send(other.client(), 2000, 96, seq, payload(9, 1, seq));
        // A hostile sender: client1's SSRC, never signalled by this endpoint. It must go nowhere.
        send(other.client(), 1001, 111, seq, payload(8, 0, seq));
    }

    private static boolean allFlowing(List<Received> received, List<InProcessCall.Joined> clients) {
        for (Received r : received) {
            if (r.payloads.size() < 2 * (clients.size() - 1)) {
                return false;
            }
        }
        return true;
    }

    private static void waitForAll(List<Received> received, List<InProcessCall.Joined> clients) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean done = true;
            for (Received r : received) {
                for (List<byte[]> l : r.payloads.values()) {
                    done &= l.size() >= PACKETS;
                }
                done &= r.payloads.size() == 2 * (clients.size() - 1);
            }
            if (done) {
                return;
            }
            Thread.sleep(20);
        }
    }
}
