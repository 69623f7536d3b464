package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.SfuClient;
import dev.sfu.ice.IceConfig;
import dev.sfu.ice.IceTransport;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.core.media.MediaKind;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call whose clients have no UDP at all: ICE over TCP only (RFC 6544), then DTLS-SRTP and media through
 * the server over it, both publish and subscribe transports.
 */
class IceTcpCallTest {

    @Test
    @Timeout(90)
    void dtlsSrtpAndMediaRunOverIceTcp() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback().toBuilder()
                .ice(IceConfig.loopback(0).toBuilder().tcpPort(IceConfig.TCP_PORT_ANY).build()).build(),
                IceTransport.Mode.TCP)) {
            assertTrue(call.sfu.iceTcpPort() > 0);
            BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            SfuClient publisher = call.join("tcp-room", "publisher", new SfuClient.Listener() {
            }).client();
            SfuClient watcher = call.join("tcp-room", "watcher", new SfuClient.Listener() {
                @Override
                public void onRtp(TrackMapping track, RtpPacket packet) {
                    if (track.kind() == MediaKind.AUDIO) {
                        received.add(java.util.Arrays.copyOfRange(packet.buffer(), packet.payloadOffset(),
                                packet.payloadOffset() + packet.payloadLength()));
                    }
                }
            }).client();
            publisher.publish(InProcessCall.audioAndVideo(0x1111, 0x2222)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            watcher.subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);

            // Until the subscription forwards, then 200 packets that must all arrive in order.
            int seq = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.isEmpty() && System.nanoTime() < deadline) {
                ThreePartyForwardingTest.send(publisher, 0x1111, 111, seq, ThreePartyForwardingTest.payload(1, 0, seq));
                seq++;
                Thread.sleep(20);
            }
            assertTrue(!received.isEmpty(), "media flows over ICE-TCP");
            Thread.sleep(200);
            received.clear();
            int first = seq;
            for (int k = 0; k < 200; k++, seq++) {
                ThreePartyForwardingTest.send(publisher, 0x1111, 111, seq, ThreePartyForwardingTest.payload(1, 0, seq));
                if (k % 20 == 19) {
                    Thread.sleep(5);
                }
            }
            for (int k = 0; k < 200; k++) {
                byte[] got = received.poll(10, TimeUnit.SECONDS);
                assertArrayEquals(ThreePartyForwardingTest.payload(1, 0, first + k), got, "packet " + k);
            }
            // The publisher's publish and the watcher's subscribe transport, each on its own TCP connection
            // (nobody else publishes, so the publisher has no subscribe transport); the clients have no UDP.
            assertEquals(2.0, call.registry.get("sfu.ice.tcp.connections").gauge().value());
            assertEquals(0.0, call.registry.get("sfu.ice.tcp.frames.dropped").tag("reason", "bad-stun").functionCounter().count());
            publisher.close();
            watcher.close();
        }
    }
}
