package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A client agent and the server's shared port connect over loopback and exchange non-STUN packets. */
class IceLoopbackTest {
    private static MediaPort port;

    @BeforeAll
    static void open() throws Exception {
        port = MediaPort.open(IceConfig.loopback(0));
    }

    @AfterAll
    static void close() {
        port.close();
    }

    /** A connected server/client pair with queues of what each received. */
    static final class Pair implements AutoCloseable {
        final IceTransport server;
        final IceTransport client;
        final BlockingQueue<byte[]> serverReceived = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> clientReceived = new LinkedBlockingQueue<>();
        final CompletableFuture<InetSocketAddress> serverConnected = new CompletableFuture<>();
        final CompletableFuture<InetSocketAddress> clientConnected = new CompletableFuture<>();

        Pair(String name) throws Exception {
            server = IceLoopbackTestPort.get(port).createTransport("server-" + name);
            client = IceTransport.client("client-" + name, InetAddress.getLoopbackAddress());
            server.setPacketHandler((b, o, l) -> serverReceived.add(Arrays.copyOfRange(b, o, o + l)));
            client.setPacketHandler((b, o, l) -> clientReceived.add(Arrays.copyOfRange(b, o, o + l)));
            server.setListener(listener(serverConnected));
            client.setListener(listener(clientConnected));
            server.start(client.localUfrag(), client.localPassword());
            for (String c : server.localCandidates()) {
                client.addRemoteCandidate(c);
            }
            client.start(server.localUfrag(), server.localPassword());
        }

        private static IceTransport.Listener listener(CompletableFuture<InetSocketAddress> connected) {
            return new IceTransport.Listener() {
                @Override
                public void onConnected(InetSocketAddress remote) {
                    connected.complete(remote);
                }

                @Override
                public void onFailed(String reason) {
                    connected.completeExceptionally(new IllegalStateException(reason));
                }
            };
        }

        void awaitConnected() throws Exception {
            serverConnected.get(20, TimeUnit.SECONDS);
            clientConnected.get(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    static byte[] rtpLike(int marker) {
        byte[] p = new byte[100];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[50] = (byte) marker;
        return p;
    }

    @Test
    @Timeout(60)
    void anIceRestartGivesNewCredentialsAndPacketsFlowAgain() throws Exception {
        try (Pair pair = new Pair("restart")) {
            pair.awaitConnected();
            byte[] before = rtpLike(1);
            assertArrayEquals(before, exchange(pair.client, pair.serverReceived, before));
            String oldServerUfrag = pair.server.localUfrag();
            String oldClientUfrag = pair.client.localUfrag();
            CompletableFuture<InetSocketAddress> serverAgain = new CompletableFuture<>();
            CompletableFuture<InetSocketAddress> clientAgain = new CompletableFuture<>();
            pair.server.setListener(Pair.listener(serverAgain));
            pair.client.setListener(Pair.listener(clientAgain));
            pair.server.restart();
            pair.client.restart();
            assertTrue(!oldServerUfrag.equals(pair.server.localUfrag()) && !oldClientUfrag.equals(pair.client.localUfrag()));
            pair.server.start(pair.client.localUfrag(), pair.client.localPassword());
            pair.server.localCandidates().forEach(pair.client::addRemoteCandidate);
            pair.client.start(pair.server.localUfrag(), pair.server.localPassword());
            serverAgain.get(20, TimeUnit.SECONDS);
            clientAgain.get(20, TimeUnit.SECONDS);
            pair.serverReceived.clear();
            byte[] up = rtpLike(2);
            assertArrayEquals(up, exchange(pair.client, pair.serverReceived, up));
            byte[] down = rtpLike(3);
            assertArrayEquals(down, exchange(pair.server, pair.clientReceived, down));
            assertEquals(1, port.openTransports(), "the same server transport");
        }
    }

    /** Sends until the other side has it (the first packets may race the selected pair). */
    static byte[] exchange(IceTransport from, BlockingQueue<byte[]> to, byte[] packet) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            from.send(packet, 0, packet.length);
            byte[] got = to.poll(100, TimeUnit.MILLISECONDS);
            if (got != null) {
                return got;
            }
        }
        return null;
    }

    @Test
    @Timeout(60)
    void clientAndServerConnectAndExchangePackets() throws Exception {
        try (Pair pair = new Pair("a")) {
            pair.awaitConnected();
            byte[] up = rtpLike(1);
            // The selected pair may settle a moment after COMPLETED on the server side: retry briefly.
            byte[] got = null;
            for (int i = 0; i < 50 && got == null; i++) {
                pair.client.send(up, 0, up.length);
                got = pair.serverReceived.poll(100, TimeUnit.MILLISECONDS);
            }
            assertArrayEquals(up, got);
            byte[] down = rtpLike(2);
            byte[] back = null;
            for (int i = 0; i < 50 && back == null; i++) {
                pair.server.send(down, 0, down.length);
                back = pair.clientReceived.poll(100, TimeUnit.MILLISECONDS);
            }
            assertArrayEquals(down, back);
            assertTrue(pair.server.localCandidates().get(0).contains("127.0.0.1 " + port.udpPort() + " typ host"));
        }
        assertEquals(0, port.openTransports());
    }
}
