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
