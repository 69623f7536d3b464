package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import dev.sfu.ice.IceTestSupport.Pair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The media threads' batched sender, with real UDP sockets on 127.0.0.1. */
@Timeout(60)
class UdpBatchTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private UdpSendSocket sender;

    @BeforeEach
    void bind() throws IOException {
        assumeTrue(UdpBatch.supported(), () -> "no batched sends here: " + UdpBatch.unsupportedReason());
        sender = UdpSendSocket.bind(new InetSocketAddress(LOOPBACK, 0));
        toClose.add(sender);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private DatagramChannel receiver() throws IOException {
        DatagramChannel c = DatagramChannel.open();
        c.bind(new InetSocketAddress(LOOPBACK, 0));
        c.configureBlocking(false);
        toClose.add(c);
        return c;
    }

    private UdpBatch batch(int capacity, UdpBatch.Syscall syscall) {
        UdpBatch b = new UdpBatch(Thread.currentThread(), capacity, syscall);
        toClose.add(b);
        return b;
    }

    private static UdpRoute route(UdpSendSocket socket, DatagramChannel to) throws IOException {
        return new UdpRoute(new Object(), socket, (InetSocketAddress) to.getLocalAddress());
    }

    private static byte[] packet(int i, int length) {
        byte[] p = new byte[length];
        for (int k = 0; k < length; k++) {
            p[k] = (byte) (i * 31 + k);
        }
        return p;
    }

    /** What arrives within {@code millis}, with the sender of each. */
    private static List<byte[]> drain(DatagramChannel c, int expected, long millis, List<InetSocketAddress> from)
            throws IOException, InterruptedException {
        List<byte[]> got = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline && got.size() < expected) {
            buf.clear();
            InetSocketAddress source = (InetSocketAddress) c.receive(buf);
            if (source == null) {
                Thread.sleep(1);
                continue;
            }
            buf.flip();
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            got.add(b);
            if (from != null) {
                from.add(source);
            }
        }
        return got;
    }

    @Test
    void datagramsWaitForTheFlushThenLeaveInOneSystemCallFromTheSendingPort() throws Exception {
        DatagramChannel rx = receiver();
        UdpBatch batch = batch(UdpBatch.DEFAULT_CAPACITY, NettyMmsg::sendmmsg);
        UdpRoute route = route(sender, rx);
        byte[] buf = new byte[1500];
        for (int i = 0; i < 10; i++) {
            byte[] p = packet(i, 100 + i * 100);
            System.arraycopy(p, 0, buf, 7, p.length);
            assertTrue(batch.add(route, buf, 7, p.length));
        }
        assertEquals(10, batch.pending());
        assertTrue(drain(rx, 1, 100, null).isEmpty(), "nothing leaves before the flush");
        assertEquals(10, batch.flush());
        assertEquals(0, batch.pending());
        List<InetSocketAddress> from = new ArrayList<>();
        List<byte[]> got = drain(rx, 10, 2000, from);
        assertEquals(10, got.size());
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(packet(i, 100 + i * 100), got.get(i), "datagram " + i);
            assertEquals(sender.port(), from.get(i).getPort(), "from the media port");
        }
        assertEquals(1, batch.syscalls());
        assertEquals(0, batch.dropped());
        assertEquals(0, batch.flush(), "an empty flush sends nothing");
        assertEquals(1, batch.syscalls(), "and makes no system call");
    }

    @Test
    void aFullBatchIsSentAtOnceAndItsSlotsAreReusedWithTheirNewLengths() throws Exception {
        DatagramChannel rx = receiver();
        UdpBatch batch = batch(4, NettyMmsg::sendmmsg);
        UdpRoute route = route(sender, rx);
        // Long ones first, short ones later into the same slots: a stale length or byte would show.
        int[] lengths = {1400, 1300, 1200, 1100, 50, 60, 70, 80, 1, 2};
        for (int i = 0; i < lengths.length; i++) {
            assertTrue(batch.add(route, packet(i, lengths[i]), 0, lengths[i]));
        }
        assertEquals(2, batch.pending(), "two full batches went when the third began");
        assertEquals(2, batch.syscalls());
        batch.flush();
        List<byte[]> got = drain(rx, lengths.length, 2000, null);
        assertEquals(lengths.length, got.size());
        for (int i = 0; i < lengths.length; i++) {
            assertArrayEquals(packet(i, lengths[i]), got.get(i), "datagram " + i);
        }
    }

    @Test
    void partialSendsGoOnFromWhereTheKernelStopped() throws Exception {
        DatagramChannel rx = receiver();
        // The kernel may take fewer than offered: here never more than three.
        UdpBatch batch = batch(16, (fd, packets, offset, length) -> NettyMmsg.sendmmsg(fd, packets, offset, Math.min(3, length)));
        UdpRoute route = route(sender, rx);
        for (int i = 0; i < 10; i++) {
            batch.add(route, packet(i, 200), 0, 200);
        }
        assertEquals(10, batch.flush());
        assertEquals(4, batch.syscalls());
        List<byte[]> got = drain(rx, 10, 2000, null);
        assertEquals(10, got.size());
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(packet(i, 200), got.get(i));
        }
    }

    @Test
    void aFullSendBufferDropsTheRestOfTheBatchAndTheNextBatchGoesAgain() throws Exception {
        DatagramChannel rx = receiver();
        AtomicInteger calls = new AtomicInteger();
        // First call: 4 go, then EAGAIN (0). Later calls: the real thing.
        UdpBatch batch = batch(16, (fd, packets, offset, length) -> switch (calls.incrementAndGet()) {
            case 1 -> NettyMmsg.sendmmsg(fd, packets, offset, Math.min(4, length));
            case 2 -> 0;
            default -> NettyMmsg.sendmmsg(fd, packets, offset, length);
        });
        UdpRoute route = route(sender, rx);
        for (int i = 0; i < 10; i++) {
            batch.add(route, packet(i, 300), 0, 300);
        }
        assertEquals(4, batch.flush());
        assertEquals(6, batch.dropped());
        assertEquals(0, batch.pending(), "dropped, not kept for later");
        for (int i = 10; i < 13; i++) {
            batch.add(route, packet(i, 300), 0, 300);
        }
        assertEquals(3, batch.flush());
        List<byte[]> got = drain(rx, 7, 2000, null);
        assertEquals(7, got.size());
        assertArrayEquals(packet(3, 300), got.get(3));
        assertArrayEquals(packet(10, 300), got.get(4));
    }

    @Test
    void aRefusedDatagramIsDroppedAloneAndTheOthersStillGo() throws Exception {
        DatagramChannel rx = receiver();
        UdpBatch batch = batch(16, NettyMmsg::sendmmsg);
        UdpRoute good = route(sender, rx);
        // Port 0 is never a valid destination: the kernel refuses that one datagram (EINVAL).
        UdpRoute bad = new UdpRoute(new Object(), sender, new InetSocketAddress(LOOPBACK, 0));
        for (int i = 0; i < 6; i++) {
            batch.add(i == 2 ? bad : good, packet(i, 100), 0, 100);
        }
        assertEquals(5, batch.flush());
        assertEquals(1, batch.errors());
        assertEquals(1, batch.dropped());
        List<byte[]> got = drain(rx, 5, 2000, null);
        assertEquals(5, got.size());
        assertArrayEquals(packet(3, 100), got.get(2));
    }

    @Test
    void datagramsOnTwoSocketsGoInOneSystemCallPerSocketFromTheirOwnPortInTheirOrder() throws Exception {
        UdpSendSocket other = UdpSendSocket.bind(new InetSocketAddress(LOOPBACK, 0));
        toClose.add(other);
        DatagramChannel rx = receiver();
        UdpBatch batch = batch(16, NettyMmsg::sendmmsg);
        UdpRoute a = route(sender, rx);
        UdpRoute b = route(other, rx);
        UdpRoute[] order = {a, b, a, b, b, a};
        for (int i = 0; i < order.length; i++) {
            batch.add(order[i], packet(i, 100), 0, 100);
        }
        assertEquals(6, batch.flush());
        assertEquals(2, batch.syscalls(), "one per socket, not one per run");
        List<InetSocketAddress> from = new ArrayList<>();
        List<byte[]> got = drain(rx, 6, 2000, from);
        assertEquals(6, got.size());
        int[] expected = {0, 2, 5, 1, 3, 4}; // a's in order, then b's in order
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(packet(expected[i], 100), got.get(i), "datagram " + i);
            assertEquals(order[expected[i]].socket.port(), from.get(i).getPort());
        }
        // The next batch, on one socket, still goes whole (the descriptors were regrouped, not moved).
        for (int i = 0; i < 5; i++) {
            batch.add(a, packet(10 + i, 50 + i), 0, 50 + i);
        }
        assertEquals(5, batch.flush());
        got = drain(rx, 5, 2000, null);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(packet(10 + i, 50 + i), got.get(i));
        }
    }

    @Test
    void whatCannotBeBatchedIsRefusedSoTheCallerSendsItTheOldWay() throws Exception {
        DatagramChannel rx = receiver();
        UdpBatch batch = batch(4, NettyMmsg::sendmmsg);
        assertFalse(batch.add(route(sender, rx), new byte[UdpBatch.SLOT_SIZE + 1], 0, UdpBatch.SLOT_SIZE + 1));
        assertFalse(batch.add(UdpRoute.none(new Object()), new byte[10], 0, 10));
        assertFalse(batch.add(route(sender, rx), new byte[10], 0, 0));
        sender.close();
        assertTrue(batch.add(route(sender, rx), new byte[10], 0, 10));
        assertEquals(0, batch.flush());
        assertEquals(1, batch.dropped(), "a closed socket's datagrams are dropped");
    }

    @Test
    void aSocketBoundLaterOnTheSamePortKeepsReceivingEverything() throws Exception {
        // As the media port binds: ours first, then ice4j's pool (SO_REUSEADDR, the last one receives).
        DatagramSocket ice4jFirst = new DatagramSocket(null);
        DatagramSocket ice4jReceive = new DatagramSocket(null);
        toClose.add(ice4jFirst);
        toClose.add(ice4jReceive);
        for (DatagramSocket s : List.of(ice4jFirst, ice4jReceive)) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(LOOPBACK, sender.port()));
        }
        ice4jReceive.setSoTimeout(2000);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            for (int i = 0; i < 50; i++) {
                peer.send(new DatagramPacket(new byte[] {(byte) i}, 1, sender.localAddress()));
            }
            for (int i = 0; i < 50; i++) {
                DatagramPacket p = new DatagramPacket(new byte[10], 10);
                ice4jReceive.receive(p);
                assertEquals((byte) i, p.getData()[0]);
            }
        }
        assertEquals(0, sender.strayDatagrams());
        ice4jFirst.setSoTimeout(50);
        try {
            ice4jFirst.receive(new DatagramPacket(new byte[10], 10));
            throw new AssertionError("the first of ice4j's sockets received a datagram");
        } catch (SocketTimeoutException expected) {
            // as it should
        }
    }

    @Test
    void addAndFlushAllocateNothingOnceWarm() throws Exception {
        DatagramChannel rx = receiver();
        rx.configureBlocking(true);
        UdpBatch batch = batch(64, NettyMmsg::sendmmsg);
        UdpRoute route = route(sender, rx);
        byte[] p = packet(1, 1200);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Thread drainer = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(2048);
            try {
                while (true) {
                    b.clear();
                    rx.receive(b);
                }
            } catch (IOException e) {
                // closed
            }
        });
        drainer.setDaemon(true);
        drainer.start();
        long allocated = 0;
        for (int round = 0; round < 2; round++) { // warm-up, then measured
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 50_000; i++) {
                batch.add(route, p, 0, p.length);
                if (i % 20 == 19) {
                    batch.flush();
                    Thread.onSpinWait();
                }
            }
            batch.flush();
            allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        }
        System.out.printf("UdpBatch: %d bytes allocated for 50,000 datagrams in batches of 20 (%d sent, %d dropped)%n",
                allocated, batch.sent(), batch.dropped());
        assertTrue(allocated < 1024, allocated + " bytes allocated for 50,000 datagrams");
    }

    @Test
    void aServerTransportSendsThroughTheBatchFromTheMediaPortAndAfterAnIceRestart() throws Exception {
        try (MediaPort port = MediaPort.open(IceConfig.loopback(0)); Pair pair = new Pair(port, "batched", IceTransport.Mode.UDP)) {
            assertTrue(port.batchedSends());
            pair.awaitConnected();
            UdpBatch batch = batch(16, NettyMmsg::sendmmsg);
            byte[] down = IceTestSupport.rtpLike(7);
            assertTrue(pair.server.send(batch, down, 0, down.length));
            assertEquals(1, batch.pending(), "queued, not sent through ice4j");
            assertNull(pair.clientReceived.poll(100, TimeUnit.MILLISECONDS));
            batch.flush();
            assertArrayEquals(down, pair.clientReceived.poll(5, TimeUnit.SECONDS));

            // From another thread than the batch's: the immediate path.
            Thread other = new Thread(() -> pair.server.send(batch, down, 0, down.length));
            other.start();
            other.join();
            assertEquals(0, batch.pending());
            assertArrayEquals(down, pair.clientReceived.poll(5, TimeUnit.SECONDS));

            // Upstream still reaches ice4j's socket (and so the transport), and consent keeps working.
            byte[] up = IceTestSupport.rtpLike(8);
            assertArrayEquals(up, IceTestSupport.exchange(pair.client, pair.serverReceived, up));

            java.util.concurrent.CompletableFuture<InetSocketAddress> serverAgain = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CompletableFuture<InetSocketAddress> clientAgain = new java.util.concurrent.CompletableFuture<>();
            pair.server.setListener(IceTestSupport.listener(serverAgain));
            pair.client.setListener(IceTestSupport.listener(clientAgain));
            pair.server.restart();
            pair.client.restart();
            assertFalse(pair.server.send(batch, down, 0, down.length), "no pair during the restart");
            pair.server.start(pair.client.localUfrag(), pair.client.localPassword());
            pair.server.localCandidates().forEach(pair.client::addRemoteCandidate);
            pair.client.start(pair.server.localUfrag(), pair.server.localPassword());
            serverAgain.get(20, TimeUnit.SECONDS);
            clientAgain.get(20, TimeUnit.SECONDS);
            pair.clientReceived.clear();
            byte[] again = IceTestSupport.rtpLike(9);
            assertTrue(pair.server.send(batch, again, 0, again.length));
            assertEquals(1, batch.pending());
            batch.flush();
            assertArrayEquals(again, pair.clientReceived.poll(5, TimeUnit.SECONDS), "to the client's new socket");
            assertEquals(0, port.strayDatagrams());
        }
    }
}
