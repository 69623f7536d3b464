package dev.sfu.ice;

import static dev.sfu.ice.IceTestSupport.exchange;
import static dev.sfu.ice.IceTestSupport.listener;
import static dev.sfu.ice.IceTestSupport.rtpLike;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.sfu.ice.IceTestSupport.Pair;
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

    @Test
    @Timeout(60)
    void anIceRestartGivesNewCredentialsAndPacketsFlowAgain() throws Exception {
        try (Pair pair = new Pair(port, "restart", IceTransport.Mode.UDP)) {
            pair.awaitConnected();
            byte[] before = rtpLike(1);
            assertArrayEquals(before, exchange(pair.client, pair.serverReceived, before));
            String oldServerUfrag = pair.server.localUfrag();
            String oldClientUfrag = pair.client.localUfrag();
            CompletableFuture<InetSocketAddress> serverAgain = new CompletableFuture<>();
            CompletableFuture<InetSocketAddress> clientAgain = new CompletableFuture<>();
            pair.server.setListener(listener(serverAgain));
            pair.client.setListener(listener(clientAgain));
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

    /**
     * A subscribe transport: the server offered, the client answered, and both start controlled. The server
     * must take the controlling role itself rather than answer 487 (Role Conflict), which Firefox never
     * recovers from; the client here has a tie-breaker of 1, so only a server tie-breaker of 0 is smaller.
     */
    @Test
    @Timeout(60)
    void whenBothAreControlledTheServerTakesTheControllingRoleWithoutA487() throws Exception {
        IceTransport server = port.createTransport("server-controlled");
        IceTransport client = IceTransport.client("client-controlled", java.net.InetAddress.getLoopbackAddress());
        try {
            client.session().agent.setControlling(false);
            client.session().agent.setTieBreaker(1);
            CompletableFuture<InetSocketAddress> serverConnected = new CompletableFuture<>();
            CompletableFuture<InetSocketAddress> clientConnected = new CompletableFuture<>();
            java.util.concurrent.BlockingQueue<byte[]> serverReceived = new java.util.concurrent.LinkedBlockingQueue<>();
            server.setPacketHandler((b, o, l) -> serverReceived.add(java.util.Arrays.copyOfRange(b, o, o + l)));
            server.setListener(listener(serverConnected));
            client.setListener(listener(clientConnected));
            server.start(client.localUfrag(), client.localPassword());
            server.localCandidates().forEach(client::addRemoteCandidate);
            client.start(server.localUfrag(), server.localPassword());
            serverConnected.get(20, TimeUnit.SECONDS);
            clientConnected.get(20, TimeUnit.SECONDS);
            assertTrue(server.session().agent.isControlling(), "the server switched to controlling");
            assertTrue(!client.session().agent.isControlling(), "the client kept its role: it never got a 487");
            byte[] up = rtpLike(7);
            assertArrayEquals(up, exchange(client, serverReceived, up));
        } finally {
            client.close();
            server.close();
        }
    }

    @Test
    @Timeout(60)
    void clientAndServerConnectAndExchangePackets() throws Exception {
        try (Pair pair = new Pair(port, "a", IceTransport.Mode.UDP)) {
            pair.awaitConnected();
            byte[] up = rtpLike(1);
            assertArrayEquals(up, exchange(pair.client, pair.serverReceived, up));
            byte[] down = rtpLike(2);
            assertArrayEquals(down, exchange(pair.server, pair.clientReceived, down));
            assertTrue(pair.server.localCandidates().get(0).contains("127.0.0.1 " + port.udpPort() + " typ host"));
        }
        assertEquals(0, port.openTransports());
    }
}
