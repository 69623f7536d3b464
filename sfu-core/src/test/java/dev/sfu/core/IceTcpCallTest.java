package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.client.ClientContext;
import dev.sfu.core.client.SfuClient;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.core.transport.TransportCounters;
import dev.sfu.dtls.DtlsCertificate;
import dev.sfu.ice.IceConfig;
import dev.sfu.ice.IceTransport;
import dev.sfu.rtp.RtpPacket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call whose clients have no UDP at all: ICE over TCP only (RFC 6544), then DTLS-SRTP and media through
 * the server over it, both publish and subscribe transports.
 */
class IceTcpCallTest {

    /** Clients whose ICE transports are ICE-TCP only. */
    private static ClientContext tcpOnlyClients(Executor handshakes) {
        DtlsCertificate certificate = DtlsCertificate.generate();
        TransportCounters counters = new TransportCounters(new SimpleMeterRegistry());
        return new ClientContext() {
            @Override
            public IceTransport newIceTransport(String name) {
                return IceTransport.client(name, InetAddress.getLoopbackAddress(), IceTransport.Mode.TCP);
            }

            @Override
            public DtlsCertificate certificate() {
                return certificate;
            }

            @Override
            public Executor handshakeExecutor() {
                return handshakes;
            }

            @Override
            public TransportCounters counters() {
                return counters;
            }
        };
    }

    private static SfuClient join(Sfu sfu, ClientContext context, MediaThread thread, String name,
            SfuClient.Listener listener) throws Exception {
        SfuClient client = new SfuClient(name, context, thread, listener);
        EndpointHandle handle = sfu.join("tcp-room", name, client);
        client.attach(new SfuClient.Signaling() {
            @Override
            public CompletionStage<String> publishOffer(String sdp) {
                return handle.publishOffer(sdp);
            }

            @Override
            public void subscribeAnswer(String sdp) throws Exception {
                handle.subscribeAnswer(sdp);
            }
        });
        return client;
    }

    @Test
    @Timeout(90)
    void dtlsSrtpAndMediaRunOverIceTcp() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExecutorService handshakes = Executors.newCachedThreadPool();
        MediaThread clientThread = new MediaThread("tcp-clients");
        try (Sfu sfu = Sfu.start(SfuConfig.loopback().withIceTcpPort(IceConfig.TCP_PORT_ANY), registry)) {
            assertTrue(sfu.iceTcpPort() > 0);
            ClientContext context = tcpOnlyClients(handshakes);
            BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            SfuClient publisher = join(sfu, context, clientThread, "publisher", new SfuClient.Listener() {
            });
            SfuClient watcher = join(sfu, context, clientThread, "watcher", new SfuClient.Listener() {
                @Override
                public void onRtp(TrackMapping track, RtpPacket packet) {
                    if (track.kind().equals("audio")) {
                        received.add(java.util.Arrays.copyOfRange(packet.buffer(), packet.payloadOffset(),
                                packet.payloadOffset() + packet.payloadLength()));
                    }
                }
            });
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
            assertEquals(2.0, registry.get("sfu.ice.tcp.connections").gauge().value());
            assertEquals(0.0, registry.get("sfu.ice.tcp.frames.dropped").tag("reason", "bad-stun").functionCounter().count());
            publisher.close();
            watcher.close();
        } finally {
            clientThread.close();
            handshakes.shutdownNow();
        }
    }
}
