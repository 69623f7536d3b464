package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Muting (by the owner and by the server), hidden participants and the canSubscribe grant, through the
 * real core with in-process clients over real UDP, ICE, DTLS and SRTP.
 */
class MuteAndGrantsTest {

    /** What one client saw: packets per publisher/kind, and the server's announcements. */
    static final class Seen implements SfuClient.Listener {
        final Map<String, AtomicInteger> packets = new ConcurrentHashMap<>();
        final List<String> joined = new CopyOnWriteArrayList<>();
        final List<String> left = new CopyOnWriteArrayList<>();
        final List<String> muted = new CopyOnWriteArrayList<>();
        final AtomicInteger offers = new AtomicInteger();
        volatile List<TrackMapping> lastOffer = List.of();
        final Map<String, Integer> ssrcs = new ConcurrentHashMap<>();
        /** NTP timestamps of the sender reports the server passed on. */
        final List<Long> senderReports = new CopyOnWriteArrayList<>();

        @Override
        public void onRtcp(byte[] buffer, int offset, int length) {
            if (length >= dev.sfu.rtp.rtcp.SenderReport.LENGTH && (buffer[offset + 1] & 0xff) == 200) {
                senderReports.add(dev.sfu.rtp.rtcp.SenderReport.ntpTimestamp(buffer, offset));
            }
        }

        @Override
        public void onRtp(TrackMapping track, RtpPacket packet) {
            packets.computeIfAbsent(track.endpointId() + "/" + track.kind().wireName(), k -> new AtomicInteger())
                    .incrementAndGet();
            ssrcs.put(track.endpointId() + "/" + track.kind().wireName(), packet.ssrc());
        }

        @Override
        public void onParticipantJoined(Participant participant) {
            joined.add(participant.endpointId());
        }

        @Override
        public void onParticipantLeft(String endpointId) {
            left.add(endpointId);
        }

        @Override
        public void onSubscribeOffer(List<TrackMapping> tracks) {
            offers.incrementAndGet();
            lastOffer = tracks;
        }

        int count(String key) {
            AtomicInteger n = packets.get(key);
            return n == null ? 0 : n.get();
        }
    }

    /** Joins with options, the client hearing trackMuted through a listener that also records it. */
    private static InProcessCall.Joined join(InProcessCall call, String conference, String name, Seen seen,
            JoinOptions options) throws SignalingException {
        SfuClient client = new SfuClient(name, call.context, call.clientThread, seen);
        EndpointListener listener = new EndpointListener() {
            @Override
            public void subscribeOffer(String sdp, List<TrackMapping> tracks) {
                client.subscribeOffer(sdp, tracks);
            }

            @Override
            public void candidate(String transport, String candidate, String sdpMid, int sdpMLineIndex) {
                client.candidate(transport, candidate, sdpMid, sdpMLineIndex);
            }

            @Override
            public void participantJoined(Participant participant) {
                client.participantJoined(participant);
            }

            @Override
            public void participantLeft(String endpointId) {
                client.participantLeft(endpointId);
            }

            @Override
            public void dominantSpeaker(String endpointId) {
                client.dominantSpeaker(endpointId);
            }

            @Override
            public void trackMuted(String endpointId, String trackId, boolean muted) {
                seen.muted.add(endpointId + "/" + trackId + "=" + muted);
            }

            @Override
            public void closed(String reason) {
                client.closed(reason);
            }
        };
        EndpointHandle handle = call.sfu.join(conference, name, listener, options);
        client.attach(new SfuClient.Signaling() {
            @Override
            public CompletionStage<String> publishOffer(String sdp) {
                return handle.publishOffer(sdp, Map.of("1", "screen"));
            }

            @Override
            public void subscribeAnswer(String sdp) throws Exception {
                handle.subscribeAnswer(sdp);
            }
        });
        return new InProcessCall.Joined(client, handle);
    }

    @Test
    @Timeout(90)
    void mutedTracksAreNotForwardedAndHiddenOrNonSubscribingParticipantsAreRespected() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            Seen aliceSeen = new Seen();
            Seen bobSeen = new Seen();
            Seen carolSeen = new Seen();
            InProcessCall.Joined alice = join(call, "mute", "alice", aliceSeen, JoinOptions.DEFAULT);
            InProcessCall.Joined bob = join(call, "mute", "bob", bobSeen, JoinOptions.DEFAULT);
            // carol: a hidden recorder that may not subscribe yet.
            InProcessCall.Joined carol = join(call, "mute", "carol", carolSeen,
                    new JoinOptions("carol-id", true, false, false, "{\"role\":\"recorder\"}"));
            String a = alice.handle().endpointId();
            String c = carol.handle().endpointId();
            alice.client().publish(InProcessCall.audioAndVideo(1000, 2000)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            bob.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            List<TrackMapping> offered = bobSeen.lastOffer;
            assertEquals(2, offered.size());
            TrackMapping audio = offered.stream().filter(t -> t.kind().wireName().equals("audio")).findFirst().orElseThrow();
            TrackMapping video = offered.stream().filter(t -> t.kind().wireName().equals("video")).findFirst().orElseThrow();
            assertEquals("microphone", audio.source(), "an audio m-line without a named source is the microphone");
            assertEquals("screen", video.source(), "the offer's sources name mid 1 a screen");
            assertFalse(audio.muted());

            int[] seq = {0};
            Runnable round = () -> {
                ThreePartyForwardingTest.send(alice.client(), 1000, 111, seq[0], ThreePartyForwardingTest.payload(0, 0, seq[0]));
                ThreePartyForwardingTest.send(alice.client(), 2000, 96, seq[0], ThreePartyForwardingTest.payload(0, 1, seq[0]));
                seq[0]++;
            };
            awaitWhileSending(() -> bobSeen.count(a + "/audio") > 10 && bobSeen.count(a + "/video") > 10, round,
                    "bob receives alice's media");

            // Bob's receiver report on alice's audio (jitter 480 samples of 48 kHz, a quarter lost) is recorded.
            byte[] rr = new byte[256];
            dev.sfu.rtp.rtcp.ReceiverReport.write(rr, 0, 77);
            int rrLength = dev.sfu.rtp.rtcp.ReportBlock.append(rr, 0, bobSeen.ssrcs.get(a + "/audio"), 64, 3, 100, 480, 0, 0);
            bob.client().execute(() -> bob.client().sendSubscriberRtcp(rr, 0, rrLength));
            awaitWhileSending(() -> call.registry.get("sfu.subscriber.jitter").summary().count() == 1, round,
                    "the subscriber's report is recorded");
            assertEquals(0.01, call.registry.get("sfu.subscriber.jitter").summary().max(), 1e-9);
            assertEquals(0.25, call.registry.get("sfu.subscriber.fraction.lost").summary().max(), 1e-9);

            // Alice's sender report reaches bob; his report on it (DLSR 0: sent at once) times the round trip to him.
            long ntp = 0x0000_1234_5678_0000L;
            byte[] sr = new byte[64];
            int srLength = dev.sfu.rtp.rtcp.SenderReport.write(sr, 0, 1000, ntp, 4800, 10, 1000);
            alice.client().execute(() -> alice.client().sendPublisherRtcp(sr, 0, srLength));
            awaitWhileSending(() -> bobSeen.senderReports.contains(ntp), round, "bob gets alice's sender report");
            byte[] rr2 = new byte[256];
            dev.sfu.rtp.rtcp.ReceiverReport.write(rr2, 0, 77);
            int rr2Length = dev.sfu.rtp.rtcp.ReportBlock.append(rr2, 0, bobSeen.ssrcs.get(a + "/audio"), 0, 3, 100, 480,
                    (int) (ntp >>> 16), 0);
            bob.client().execute(() -> bob.client().sendSubscriberRtcp(rr2, 0, rr2Length));
            awaitWhileSending(() -> call.registry.get("sfu.subscriber.round.trip").summary().count() == 1, round,
                    "the round trip is recorded");
            double rtt = call.registry.get("sfu.subscriber.round.trip").summary().max();
            assertTrue(rtt >= 0 && rtt < 5, "a round trip on loopback: " + rtt);

            // Alice mutes her audio herself: bob hears of it (alice does not), and gets no more audio.
            alice.handle().setTrackMuted(audio.trackId(), true, false);
            awaitWhileSending(() -> bobSeen.muted.contains(a + "/" + audio.trackId() + "=true"), round, "bob told of the mute");
            sendFor(round, 300);
            int audioBefore = bobSeen.count(a + "/audio");
            int videoBefore = bobSeen.count(a + "/video");
            sendFor(round, 500);
            assertEquals(audioBefore, bobSeen.count(a + "/audio"), "a muted track is not forwarded");
            assertTrue(bobSeen.count(a + "/video") > videoBefore + 10, "her video goes on");
            assertTrue(aliceSeen.muted.isEmpty(), "the owner is not told of her own mute");

            // The server unmutes it: now the owner is told too, and the audio flows again.
            alice.handle().setTrackMuted(audio.trackId(), false, true);
            awaitWhileSending(() -> bobSeen.count(a + "/audio") > audioBefore + 10, round, "audio flows after unmute");
            assertTrue(aliceSeen.muted.contains(a + "/" + audio.trackId() + "=false"), "a server mute reaches the owner");

            // carol: hidden (nobody heard of her), no subscribe offer while she may not subscribe.
            assertFalse(aliceSeen.joined.contains(c) || bobSeen.joined.contains(c), "a hidden participant is not announced");
            assertEquals(0, carolSeen.offers.get(), "no subscribe offer without canSubscribe");
            assertTrue(call.sfu.conferences().get(0).endpoints().stream().noneMatch(p -> p.endpointId().equals(c)));
            ConferenceDetail detail = call.sfu.conference("mute").toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(3, detail.endpoints().size(), "the admin view lists the hidden participant");
            ConferenceDetail.EndpointDetail carolDetail = detail.endpoints().stream()
                    .filter(e -> e.endpointId().equals(c)).findFirst().orElseThrow();
            assertTrue(carolDetail.hidden());
            assertEquals("carol-id", carolDetail.identity());
            ConferenceDetail.EndpointDetail aliceDetail = detail.endpoints().stream()
                    .filter(e -> e.endpointId().equals(a)).findFirst().orElseThrow();
            assertEquals(2, aliceDetail.tracks().size());
            assertEquals("connected", aliceDetail.publishTransport());

            // Granted subscribing during the call: carol gets alice's tracks.
            carol.handle().updatePermissions(true, false);
            carol.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            awaitWhileSending(() -> carolSeen.count(a + "/audio") > 5, round, "carol receives once she may");
            carol.handle().leave();
            Thread.sleep(300);
            assertFalse(aliceSeen.left.contains(c) || bobSeen.left.contains(c), "a hidden participant's leaving is not announced");
        }
    }

    @Test
    @Timeout(90)
    void withoutCanPublishDataMessagesAreDroppedAndCountedUntilGranted() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            DataChannelCallTest.Inbox aliceInbox = new DataChannelCallTest.Inbox();
            DataChannelCallTest.Inbox bobInbox = new DataChannelCallTest.Inbox();
            InProcessCall.Joined alice = join(call, "data", "alice", new Seen(),
                    new JoinOptions("alice", false, true, false, null));
            InProcessCall.Joined bob = join(call, "data", "bob", new Seen(), JoinOptions.DEFAULT);
            alice.client().enableDataChannels(aliceInbox);
            bob.client().enableDataChannels(bobInbox);
            alice.client().publish(List.of(dev.sfu.client.ClientSdp.PublishSpec.data("0")))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            bob.client().publish(List.of(dev.sfu.client.ClientSdp.PublishSpec.data("0")))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            dev.sfu.sctp.dcep.DataChannel aliceChat = alice.client().openDataChannel("chat",
                    dev.sfu.sctp.dcep.DataChannelOptions.RELIABLE).toCompletableFuture().get(10, TimeUnit.SECONDS);
            dev.sfu.sctp.dcep.DataChannel bobChat = bob.client().openDataChannel("chat",
                    dev.sfu.sctp.dcep.DataChannelOptions.RELIABLE).toCompletableFuture().get(10, TimeUnit.SECONDS);
            alice.client().execute(() -> aliceChat.send("not allowed", System.nanoTime()));
            bob.client().execute(() -> bobChat.send("hello alice", System.nanoTime()));
            awaitWhileSending(() -> aliceInbox.texts.size() == 1, () -> { }, "alice still receives");
            awaitWhileSending(() -> call.registry.get("sfu.data.messages.refused").tag("reason", "not-permitted")
                    .functionCounter().count() == 1, () -> { }, "alice's message is dropped and counted");
            assertTrue(bobInbox.texts.isEmpty(), "nothing of alice's reaches bob");

            alice.handle().updatePermissions(true, true);
            Thread.sleep(100);
            alice.client().execute(() -> aliceChat.send("now allowed", System.nanoTime()));
            awaitWhileSending(() -> bobInbox.texts.size() == 1, () -> { }, "granted, alice's messages flow");
            assertEquals(alice.handle().endpointId() + ":now allowed", bobInbox.texts.get(0));
        }
    }

    private static void sendFor(Runnable round, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            round.run();
            Thread.sleep(10);
        }
    }

    private static void awaitWhileSending(BooleanSupplier done, Runnable round, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            round.run();
            Thread.sleep(10);
        }
    }
}
