package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.core.media.MediaKind;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ICE restart over UDP keeps the endpoint: a publisher's re-offer with new ICE credentials, and a
 * subscriber's restartIce request, each give the transport a fresh ICE session beneath the running
 * DTLS-SRTP one; media flows again and the endpoint ids stay.
 */
class IceRestartTest {
    private static final Pattern UFRAG = Pattern.compile("a=ice-ufrag:(\\S+)");
    private static final int AUDIO = 0x1111;

    /** A client whose signaling records the server's ICE ufrags (publish answers, subscribe offers). */
    private static final class Recorded {
        final List<String> publishUfrags = new CopyOnWriteArrayList<>();
        final List<String> subscribeUfrags = new CopyOnWriteArrayList<>();
        SfuClient client;
        EndpointHandle handle;
    }

    private static String ufrag(String sdp) {
        Matcher m = UFRAG.matcher(sdp);
        return m.find() ? m.group(1) : null;
    }

    private static Recorded join(InProcessCall call, String name, SfuClient.Listener listener) throws Exception {
        Recorded r = new Recorded();
        r.client = new SfuClient(name, call.context, call.clientThread, listener);
        EndpointListener recording = new EndpointListener() {
            @Override
            public void subscribeOffer(String sdp, List<TrackMapping> tracks) {
                r.subscribeUfrags.add(ufrag(sdp));
                r.client.subscribeOffer(sdp, tracks);
            }

            @Override
            public void candidate(String transport, String candidate, String sdpMid, int sdpMLineIndex) {
                r.client.candidate(transport, candidate, sdpMid, sdpMLineIndex);
            }

            @Override
            public void participantJoined(Participant participant) {
                r.client.participantJoined(participant);
            }

            @Override
            public void participantLeft(String endpointId) {
                r.client.participantLeft(endpointId);
            }

            @Override
            public void dominantSpeaker(String endpointId) {
                r.client.dominantSpeaker(endpointId);
            }

            @Override
            public void closed(String reason) {
                r.client.closed(reason);
            }
        };
        r.handle = call.sfu.join("restart", name, recording);
        r.client.attach(new SfuClient.Signaling() {
            @Override
            public CompletionStage<String> publishOffer(String sdp) {
                return r.handle.publishOffer(sdp).thenApply(answer -> {
                    r.publishUfrags.add(ufrag(answer));
                    return answer;
                });
            }

            @Override
            public void subscribeAnswer(String sdp) throws Exception {
                r.handle.subscribeAnswer(sdp);
            }

            @Override
            public void restartIce(String transport) throws Exception {
                r.handle.restartIce(dev.sfu.core.transport.TransportRole.ofWireName(transport));
            }
        });
        return r;
    }

    /** Sends audio until the watcher has a packet sent from now on; returns its sequence number or -1. */
    private static int flows(SfuClient publisher, BlockingQueue<Integer> received, int[] seq) throws Exception {
        received.clear();
        int first = seq[0];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            ThreePartyForwardingTest.send(publisher, AUDIO, 111, seq[0], ThreePartyForwardingTest.payload(1, 0, seq[0]));
            seq[0]++;
            Integer got = received.poll(20, TimeUnit.MILLISECONDS);
            while (got != null) {
                if (got >= first) {
                    return got;
                }
                got = received.poll();
            }
        }
        return -1;
    }

    @Test
    @Timeout(120)
    void publisherAndSubscriberRestartIceAndMediaFlowsAgain() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            BlockingQueue<Integer> received = new LinkedBlockingQueue<>();
            Recorded publisher = join(call, "publisher", new SfuClient.Listener() {
            });
            Recorded watcher = join(call, "watcher", new SfuClient.Listener() {
                @Override
                public void onRtp(TrackMapping track, RtpPacket packet) {
                    if (track.kind() == MediaKind.AUDIO) {
                        received.add(packet.sequenceNumber());
                    }
                }
            });
            List<dev.sfu.client.ClientSdp.PublishSpec> tracks = InProcessCall.audioAndVideo(AUDIO, 0x2222);
            publisher.client.publish(tracks).toCompletableFuture().get(30, TimeUnit.SECONDS);
            watcher.client.subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            String publisherId = publisher.handle.endpointId();
            String watcherId = watcher.handle.endpointId();
            int[] seq = {0};
            assertTrue(flows(publisher.client, received, seq) >= 0, "media flows before any restart");

            // The publisher re-offers with new ICE credentials: the server answers with new ones too.
            publisher.client.restartPublishIce(tracks).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(2, publisher.publishUfrags.size());
            assertNotEquals(publisher.publishUfrags.get(0), publisher.publishUfrags.get(1), "new server ufrag");
            long start = System.nanoTime();
            assertTrue(flows(publisher.client, received, seq) >= 0, "media flows after the publisher's restart");
            long publishMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            // The watcher asks for a restart of its subscribe transport: a new offer with new credentials.
            int offersBefore = watcher.subscribeUfrags.size();
            watcher.client.restartSubscribeIce();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (watcher.subscribeUfrags.size() == offersBefore && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(offersBefore + 1, watcher.subscribeUfrags.size(), "one new subscribe offer");
            assertNotEquals(watcher.subscribeUfrags.get(offersBefore - 1), watcher.subscribeUfrags.get(offersBefore));
            start = System.nanoTime();
            assertTrue(flows(publisher.client, received, seq) >= 0, "media flows after the subscriber's restart");
            long subscribeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("media again %d ms after the publish restart's answer, %d ms after the subscribe "
                    + "restart's offer%n", publishMillis, subscribeMillis);

            assertEquals(publisherId, publisher.handle.endpointId());
            assertEquals(watcherId, watcher.handle.endpointId());
            assertEquals(2.0, call.registry.get("sfu.endpoints").gauge().value(), "nobody left or rejoined");
            assertEquals(2, call.sfu.openTransports(), "the same two transports (publish, subscribe), none added");
            publisher.handle.leave();
            watcher.handle.leave();
        }
    }
}
