package dev.sfu.ice;

import static dev.sfu.ice.IceTestSupport.exchange;
import static dev.sfu.ice.IceTestSupport.listener;
import static dev.sfu.ice.IceTestSupport.rtpLike;
import static dev.sfu.ice.IceTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.sfu.ice.IceTestSupport.Pair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ICE-TCP (RFC 6544, RFC 4571) on loopback: clients that use it, one that stalls, and hostile ones. */
class IceTcpTest {

    private static MediaPort openPort(Duration consentTimeout) throws IOException {
        return MediaPort.open(new IceConfig("127.0.0.1", 0, List.of("127.0.0.1"), IceConfig.TCP_PORT_ANY, null,
                consentTimeout, RemoteCandidateScope.PERMISSIVE));
    }

    /** A hand-driven TCP peer: it frames what it is told to and reads only when asked. */
    static final class RawPeer implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;

        RawPeer(int port) throws IOException {
            this(port, 0);
        }

        /**
         * With {@code receiveBuffer} > 0, SO_RCVBUF is set before connecting: that fixes the window the
         * peer advertises (set later, or not at all, Linux autotunes it, on loopback up to tcp_rmem's
         * maximum: 32 MiB here).
         */
        RawPeer(int port, int receiveBuffer) throws IOException {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(5000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
        }

        void sendFrame(byte[] payload) throws IOException {
            byte[] framed = new byte[payload.length + 2];
            framed[0] = (byte) (payload.length >>> 8);
            framed[1] = (byte) payload.length;
            System.arraycopy(payload, 0, framed, 2, payload.length);
            out.write(framed);
            out.flush();
        }

        /** A Binding request as a controlling browser sends it for {@code server}. */
        void bind(IceTransport server, String password, boolean useCandidate) throws IOException {
            byte[] m = new byte[200];
            byte[] transaction = new byte[12];
            new Random().nextBytes(transaction);
            int n = Stun.bindingRequest(m, 0, transaction, server.localUfrag() + ":peer", 0x6e7fffffL, 7,
                    useCandidate, password.getBytes(StandardCharsets.UTF_8));
            sendFrame(Arrays.copyOf(m, n));
        }

        byte[] readFrame() throws IOException {
            byte[] b = new byte[in.readUnsignedShort()];
            in.readFully(b);
            return b;
        }

        /** Whether the server closed the connection within the socket timeout. */
        boolean closedByServer() throws IOException {
            try {
                while (true) {
                    if (in.read() < 0) {
                        return true;
                    }
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    @Timeout(60)
    void aClientOnTcpOnlyConnectsAndPacketsFlowBothWays() throws Exception {
        try (MediaPort port = openPort(Duration.ofSeconds(30)); Pair pair = new Pair(port, "a", IceTransport.Mode.TCP)) {
            pair.awaitConnected();
            String tcpCandidate = pair.server.localCandidates().stream().filter(c -> c.contains(" tcp ")).findFirst()
                    .orElseThrow();
            assertTrue(tcpCandidate.contains("127.0.0.1 " + port.tcp().port() + " typ host tcptype passive"),
                    tcpCandidate);
            for (int i = 0; i < 100; i++) {
                byte[] up = rtpLike(i);
                up = Arrays.copyOf(up, 1200);
                assertTrue(pair.client.send(up, 0, up.length));
                assertArrayEquals(up, pair.serverReceived.poll(5, TimeUnit.SECONDS), "up " + i);
                byte[] down = rtpLike(i + 1);
                assertTrue(pair.server.send(down, 0, down.length));
                assertArrayEquals(down, pair.clientReceived.poll(5, TimeUnit.SECONDS), "down " + i);
            }
            assertEquals(1, port.tcp().openConnections());
            assertEquals(0, port.tcp().rejectedFirstFrame());
        }
    }

    @Test
    @Timeout(60)
    void theReceivePathAllocatesNothingPerFrameOnceWarm() throws Exception {
        try (MediaPort port = openPort(Duration.ofSeconds(30)); Pair pair = new Pair(port, "pooled", IceTransport.Mode.TCP)) {
            // A handler that takes pooled buffers, checks each frame and gives the buffer back.
            java.util.concurrent.atomic.AtomicInteger good = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger bad = new java.util.concurrent.atomic.AtomicInteger();
            pair.server.setPacketHandler(new PacketHandler() {
                @Override
                public void onPacket(byte[] buffer, int offset, int length) {
                    bad.incrementAndGet(); // a frame that missed the pool
                }

                @Override
                public void onPooledPacket(byte[] buffer, int offset, int length, BufferRelease pool) {
                    if (length == 1200 && buffer[offset] == (byte) 0x80 && buffer[offset + 50] == buffer[offset + 1199]) {
                        good.incrementAndGet();
                    } else {
                        bad.incrementAndGet();
                    }
                    pool.release(buffer);
                }
            });
            pair.awaitConnected();
            Thread selector = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("ice-tcp-" + port.tcp().port())).findFirst().orElseThrow();
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            int frames = 0;
            long before = 0;
            for (int round = 0; round < 2; round++) { // the first round warms up (JIT, the pool)
                if (round == 1) {
                    before = threads.getThreadAllocatedBytes(selector.getId());
                }
                for (int i = 0; i < 5000; i++, frames++) {
                    byte[] packet = Arrays.copyOf(rtpLike(i), 1200);
                    packet[1199] = (byte) i;
                    assertTrue(pair.client.send(packet, 0, packet.length));
                    if (i % 100 == 99) {
                        int sent = frames + 1;
                        waitFor(() -> good.get() + bad.get() >= sent);
                    }
                }
            }
            int total = frames;
            waitFor(() -> good.get() + bad.get() >= total);
            long perFrame = (threads.getThreadAllocatedBytes(selector.getId()) - before) / 5000;
            System.out.printf("ICE-TCP receive: %d bytes allocated per frame on the selector thread%n", perFrame);
            assertEquals(total, good.get());
            assertEquals(0, bad.get());
            assertTrue(perFrame < 200, perFrame + " bytes allocated per 1200-byte frame"); // a copy would be >= 1216
        }
    }

    @Test
    @Timeout(60)
    void aPeerThatNeverReadsDelaysNoOtherPeer() throws Exception {
        try (MediaPort port = openPort(Duration.ofSeconds(30))) {
            IceTransport stalledServer = port.createTransport("stalled");
            // A small fixed receive window: the bytes the network path can absorb before our bounded buffer
            // fills are then the server socket's send buffer (at most wmem_max, 4 MiB here) plus a few KB.
            try (RawPeer stalled = new RawPeer(port.tcp().port(), 8192);
                    Pair other = new Pair(port, "other", IceTransport.Mode.TCP)) {
                stalledServer.start("peer", "peer-password-0123456789");
                stalled.bind(stalledServer, stalledServer.localPassword(), true);
                assertNotNull(stalled.readFrame()); // the Binding response; from now on it never reads
                other.awaitConnected();
                // Fill the stalled peer's socket and then our bounded buffer for it: every send returns at once.
                // Send until a drop is counted, then 1000 more; 40,000 frames (48 MB) is far more than any
                // kernel buffer here can hold, so a missing drop is a bug, not a big buffer.
                byte[] packet = Arrays.copyOf(rtpLike(9), 1200);
                long start = System.nanoTime();
                int accepted = 0;
                int sent = 0;
                int untilDone = -1;
                for (; sent < 40_000 && untilDone != 0; sent++, untilDone--) {
                    if (stalledServer.send(packet, 0, packet.length)) {
                        accepted++;
                    }
                    if (untilDone < 0 && port.tcp().sendDropped() > 0) {
                        untilDone = 1000;
                    }
                }
                long sendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(port.tcp().sendDropped() > 0, "a full buffer drops (" + sent + " sent)");
                assertTrue(accepted < sent - 900, accepted + " of " + sent + " accepted");
                assertTrue(sendMillis < 5000, sent + " sends took " + sendMillis + " ms");
                // Meanwhile the other peer's round trips go on.
                long exchangeStart = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    byte[] up = rtpLike(i);
                    assertArrayEquals(up, exchange(other.client, other.serverReceived, up));
                    byte[] down = rtpLike(i + 100);
                    assertArrayEquals(down, exchange(other.server, other.clientReceived, down));
                }
                long exchangeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exchangeStart);
                System.out.printf("stalled peer: %d of %d sends buffered, %d dropped, in %d ms; "
                        + "50 round trips of another peer meanwhile: %d ms%n", accepted, sent, port.tcp().sendDropped(),
                        sendMillis, exchangeMillis);
                assertTrue(exchangeMillis < 5000, "50 round trips took " + exchangeMillis + " ms");
            } finally {
                stalledServer.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void connectionsThatDoNotAuthenticateAreClosedAndCounted() throws Exception {
        try (MediaPort port = openPort(Duration.ofSeconds(30))) {
            IceTransport server = port.createTransport("target");
            try {
                IceTcpPort tcp = port.tcp();
                // Random bytes as a first frame.
                try (RawPeer p = new RawPeer(tcp.port())) {
                    byte[] junk = new byte[300];
                    new Random(2).nextBytes(junk);
                    p.sendFrame(junk);
                    assertTrue(p.closedByServer());
                }
                // A Binding request signed with the wrong password.
                try (RawPeer p = new RawPeer(tcp.port())) {
                    p.bind(server, "not-the-password-at-all", true);
                    assertTrue(p.closedByServer());
                }
                // A Binding request for a ufrag nobody has.
                try (RawPeer p = new RawPeer(tcp.port())) {
                    byte[] m = new byte[200];
                    int n = Stun.bindingRequest(m, 0, new byte[12], "nobody:peer", 1, 1, true,
                            server.localPassword().getBytes(StandardCharsets.UTF_8));
                    p.sendFrame(Arrays.copyOf(m, n));
                    assertTrue(p.closedByServer());
                }
                assertEquals(3, tcp.rejectedFirstFrame());
                // A frame longer than the maximum, even from an authenticated peer.
                try (RawPeer p = new RawPeer(tcp.port())) {
                    p.bind(server, server.localPassword(), false);
                    assertNotNull(p.readFrame());
                    p.out.write(new byte[] {(byte) 0xff, (byte) 0xff});
                    p.out.flush();
                    assertTrue(p.closedByServer());
                }
                assertEquals(1, tcp.oversizedFrames());
                // The transport itself is fine: a good client still authenticates.
                try (RawPeer p = new RawPeer(tcp.port())) {
                    p.bind(server, server.localPassword(), false);
                    byte[] response = p.readFrame();
                    assertEquals(Stun.BINDING_SUCCESS, Stun.type(response, 0));
                    assertTrue(Stun.integrityValid(response, 0, response.length,
                            server.localPassword().getBytes(StandardCharsets.UTF_8)));
                }
                waitFor(() -> tcp.openConnections() == 0);
                assertEquals(0, tcp.openConnections());
            } finally {
                server.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void tooManyUnauthenticatedConnectionsFromOneAddressAreRefused() throws Exception {
        try (MediaPort port = openPort(Duration.ofSeconds(30))) {
            IceTcpPort tcp = port.tcp();
            List<RawPeer> peers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < IceTcpPort.MAX_UNAUTHENTICATED_PER_IP + 4; i++) {
                    peers.add(new RawPeer(tcp.port()));
                }
                waitFor(() -> tcp.rejectedLimits() == 4);
                assertEquals(4, tcp.rejectedLimits());
                assertEquals(IceTcpPort.MAX_UNAUTHENTICATED_PER_IP, tcp.openConnections());
            } finally {
                for (RawPeer p : peers) {
                    p.close();
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void aTransportTakesAtMostFourAuthenticatedConnections() throws Exception {
        try (MediaPort port = openPort(Duration.ofSeconds(30))) {
            IceTransport server = port.createTransport("capped");
            IceTcpPort tcp = port.tcp();
            List<RawPeer> peers = new java.util.ArrayList<>();
            try {
                server.start("peer", "peer-password-0123456789");
                for (int i = 0; i < IceTcpPort.MAX_AUTHENTICATED_PER_TRANSPORT; i++) {
                    RawPeer p = new RawPeer(tcp.port());
                    peers.add(p);
                    p.bind(server, server.localPassword(), false);
                    assertEquals(Stun.BINDING_SUCCESS, Stun.type(p.readFrame(), 0), "connection " + i);
                }
                // A fifth with the same valid credentials is closed unanswered and counted.
                try (RawPeer fifth = new RawPeer(tcp.port())) {
                    fifth.bind(server, server.localPassword(), false);
                    assertTrue(fifth.closedByServer());
                }
                assertEquals(1, tcp.rejectedPerTransport());
                assertEquals(0, tcp.rejectedFirstFrame());
                waitFor(() -> tcp.openConnections() == IceTcpPort.MAX_AUTHENTICATED_PER_TRANSPORT);
                assertEquals(IceTcpPort.MAX_AUTHENTICATED_PER_TRANSPORT, tcp.openConnections());
                // The four are still served, and a closed one frees its place.
                RawPeer first = peers.get(0);
                first.bind(server, server.localPassword(), false);
                assertEquals(Stun.BINDING_SUCCESS, Stun.type(first.readFrame(), 0));
                first.close();
                peers.remove(0);
                waitFor(() -> tcp.openConnections() == IceTcpPort.MAX_AUTHENTICATED_PER_TRANSPORT - 1);
                RawPeer again = new RawPeer(tcp.port());
                peers.add(again);
                again.bind(server, server.localPassword(), false);
                assertEquals(Stun.BINDING_SUCCESS, Stun.type(again.readFrame(), 0));
                assertEquals(1, tcp.rejectedPerTransport());
                // The cap is per transport: another transport still takes connections.
                IceTransport other = port.createTransport("other");
                try (RawPeer p = new RawPeer(tcp.port())) {
                    other.start("peer2", "peer-password-0123456789");
                    p.bind(other, other.localPassword(), false);
                    assertEquals(Stun.BINDING_SUCCESS, Stun.type(p.readFrame(), 0));
                } finally {
                    other.close();
                }
            } finally {
                for (RawPeer p : peers) {
                    p.close();
                }
                server.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void aSilentTcpPeerIsFailedWhenConsentExpiresAndItsConnectionClosed() throws Exception {
        try (MediaPort port = openPort(Duration.ofSeconds(2))) {
            IceTransport server = port.createTransport("silent");
            CompletableFuture<InetSocketAddress> connected = new CompletableFuture<>();
            CompletableFuture<String> failed = new CompletableFuture<>();
            server.setListener(listener(connected, failed));
            try (RawPeer p = new RawPeer(port.tcp().port())) {
                server.start("peer", "peer-password-0123456789");
                p.bind(server, server.localPassword(), true);
                assertNotNull(p.readFrame());
                connected.get(5, TimeUnit.SECONDS);
                long silentSince = System.nanoTime();
                assertEquals("consent expired", failed.get(10, TimeUnit.SECONDS));
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - silentSince);
                assertTrue(seconds >= 2 && seconds <= 4, "declared failed after " + seconds + " s");
                assertTrue(p.closedByServer(), "its connection is closed");
                assertEquals(0, port.openTransports());
            } finally {
                server.close();
            }
        }
    }
}
