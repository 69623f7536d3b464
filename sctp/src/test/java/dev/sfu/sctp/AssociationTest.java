package dev.sfu.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.sctp.chunk.ChunkType;
import dev.sfu.sctp.chunk.DataChunk;
import dev.sfu.sctp.chunk.SackChunk;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two associations over a virtual link: setup, teardown, data under loss, partial reliability, limits. */
class AssociationTest {
    private static final long MS = SctpConfig.MS;
    private static final long S = SctpConfig.SECOND;

    private static Peer[] connected(VirtualNetwork net, SctpConfig cfg) {
        Peer[] p = Peer.pair(net, cfg);
        p[0].assoc.connect(net.now);
        p[1].assoc.connect(net.now);
        net.runUntil(() -> p[0].connected && p[1].connected, 120 * S, "connected");
        return p;
    }

    private static byte[] message(int i, int len) {
        byte[] b = new byte[Math.max(4, len)];
        new Random(i).nextBytes(b);
        ByteBuffer.wrap(b).putInt(0, i);
        return b;
    }

    private static int index(byte[] b) {
        return ByteBuffer.wrap(b).getInt(0);
    }

    // ------------------------------------------------------------------------------------- setup

    @Test
    void normalOpenWithPassivePeer() {
        VirtualNetwork net = new VirtualNetwork(1);
        Peer[] p = Peer.pair(net, SctpConfig.defaults());
        p[0].assoc.connect(net.now);
        net.runUntil(() -> p[0].connected && p[1].connected, 10 * S, "connected");
        assertEquals(SctpAssociation.State.ESTABLISHED, p[0].assoc.state());
        assertEquals(SctpAssociation.State.ESTABLISHED, p[1].assoc.state());
        assertTrue(p[0].assoc.peerSupportsForwardTsn());
        assertTrue(p[0].assoc.peerSupportsReconfig());
        assertEquals(65_535, p[0].assoc.outboundStreams());
        assertEquals(0, p[0].assoc.counters().droppedTotal());
        assertEquals(0, p[1].assoc.counters().droppedTotal());
    }

    @Test
    void simultaneousOpen() {
        VirtualNetwork net = new VirtualNetwork(2);
        Peer[] p = connected(net, SctpConfig.defaults());
        assertEquals(SctpAssociation.State.ESTABLISHED, p[0].assoc.state());
        assertEquals(SctpAssociation.State.ESTABLISHED, p[1].assoc.state());
        // Data flows both ways afterwards.
        p[0].assoc.send(1, 53, new byte[] {1}, SendOptions.RELIABLE, net.now);
        p[1].assoc.send(2, 53, new byte[] {2}, SendOptions.RELIABLE, net.now);
        net.runUntil(() -> p[0].messages.size() == 1 && p[1].messages.size() == 1, 10 * S, "data");
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 4, 5, 6, 7, 8, 9, 10})
    void simultaneousOpenUnderLossAndReordering(long seed) {
        VirtualNetwork net = new VirtualNetwork(seed);
        net.loss = 0.3;
        net.jitterNanos = 50 * MS;
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0;
        p[0].assoc.send(0, 51, "x".getBytes(), SendOptions.RELIABLE, net.now);
        net.runUntil(() -> p[1].messages.size() == 1, 30 * S, "data after open");
    }

    @Test
    void initNotAnsweredFails() {
        VirtualNetwork net = new VirtualNetwork(11);
        Peer[] p = Peer.pair(net, SctpConfig.defaults());
        net.filterAtoB = x -> null;
        p[0].assoc.connect(net.now);
        net.runUntil(() -> p[0].closed != null, 600 * S, "gave up");
        assertEquals(CloseReason.FAILED, p[0].closed);
    }

    // ---------------------------------------------------------------------------------- teardown

    @Test
    void shutdownDeliversQueuedDataThenCloses() {
        VirtualNetwork net = new VirtualNetwork(12);
        Peer[] p = connected(net, SctpConfig.defaults());
        for (int i = 0; i < 20; i++) {
            p[0].assoc.send(0, 53, message(i, 3000), SendOptions.RELIABLE, net.now);
        }
        p[0].assoc.shutdown(net.now);
        assertEquals(SendResult.NOT_CONNECTED, p[0].assoc.send(0, 53, new byte[1], SendOptions.RELIABLE, net.now));
        net.runUntil(() -> p[0].closed != null && p[1].closed != null, 30 * S, "closed");
        assertEquals(CloseReason.SHUTDOWN, p[0].closed);
        assertEquals(CloseReason.SHUTDOWN, p[1].closed);
        assertEquals(20, p[1].messages.size());
        assertEquals(Long.MAX_VALUE, p[0].assoc.nextTimeoutNanos());
        assertEquals(Long.MAX_VALUE, p[1].assoc.nextTimeoutNanos());
    }

    @Test
    void shutdownUnderLoss() {
        VirtualNetwork net = new VirtualNetwork(13);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.2;
        p[1].assoc.send(0, 53, message(1, 100), SendOptions.RELIABLE, net.now);
        p[1].assoc.shutdown(net.now);
        net.runUntil(() -> p[0].closed != null && p[1].closed != null, 300 * S, "closed");
        assertEquals(1, p[0].messages.size());
    }

    /** Whoever loses the last packets, both sides end with SHUTDOWN, not FAILED (SHUTDOWN COMPLETE resent). */
    @ParameterizedTest
    @ValueSource(longs = {130, 131, 132, 133, 134, 135})
    void shutdownUnderHeavyLossEndsCleanly(long seed) {
        VirtualNetwork net = new VirtualNetwork(seed);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.4;
        p[0].assoc.shutdown(net.now);
        net.runUntil(() -> p[0].closed != null && p[1].closed != null, 3600 * S, "closed");
        assertEquals(CloseReason.SHUTDOWN, p[0].closed);
        assertEquals(CloseReason.SHUTDOWN, p[1].closed);
    }

    @Test
    void abortTellsThePeerWhy() {
        VirtualNetwork net = new VirtualNetwork(14);
        Peer[] p = connected(net, SctpConfig.defaults());
        p[0].assoc.abort("going away", net.now);
        assertEquals(CloseReason.ABORTED_LOCALLY, p[0].closed);
        net.runUntil(() -> p[1].closed != null, 5 * S, "peer aborted");
        assertEquals(CloseReason.ABORTED_BY_PEER, p[1].closed);
        assertTrue(p[1].closeDetail.contains("going away"), p[1].closeDetail);
        assertEquals(Long.MAX_VALUE, p[1].assoc.nextTimeoutNanos());
    }

    // --------------------------------------------------------------------------------- data path

    @Test
    void thousandOrderedMessagesUnderLossAndReorderingArriveInOrderOnce() {
        VirtualNetwork net = new VirtualNetwork(20);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.10;
        net.jitterNanos = 30 * MS;
        Random sizes = new Random(5);
        int n = 1000;
        for (int i = 0; i < n; i++) {
            assertEquals(SendResult.OK, p[0].assoc.send(i % 3, 53, message(i, 1 + sizes.nextInt(3000)),
                    SendOptions.RELIABLE, net.now));
        }
        net.runUntil(() -> p[1].messages.size() >= n && p[0].assoc.heldBytes() == 0, 3600 * S, "all delivered");
        net.runFor(5 * S);
        assertEquals(n, p[1].messages.size());
        int[] last = {-1, -1, -1};
        Set<Integer> seen = new HashSet<>();
        for (Peer.Message m : p[1].messages) {
            int i = index(m.data());
            assertTrue(seen.add(i), "delivered twice: " + i);
            assertEquals(i % 3, m.streamId());
            assertTrue(i > last[m.streamId()], "out of order on stream " + m.streamId());
            last[m.streamId()] = i;
            assertArrayEquals(message(i, m.data().length), m.data());
        }
        SctpCounters c = p[0].assoc.counters();
        assertTrue(c.retransmittedChunks > 0);
        assertTrue(c.fastRetransmits > 0, c.toString());
        System.out.printf("1000 msgs @10%% loss: %.1f s virtual, %s%n", (net.now - 1e9) / 1e9, c);
    }

    /** Not a timing assertion: prints how fast the stack moves data through a lossless link on this CPU. */
    @Test
    void throughputOnALosslessLink() {
        VirtualNetwork net = new VirtualNetwork(26);
        net.delayNanos = 5 * MS;
        Peer[] p = connected(net, SctpConfig.defaults().receiveBufferBytes(4 << 20).maxSendQueueBytes(8 << 20));
        int size = 16 * 1024;
        int total = Integer.getInteger("sctp.throughputMessages", 500); // 2000 for the figure in docs/sctp.md
        int n = total;
        long[] received = {0};
        // Thread CPU time, not wall time: the machine is shared and its load says nothing about this code.
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long started = mx.getCurrentThreadCpuTime();
        long virtualStart = net.now;
        int sent = 0;
        while (received[0] < (long) n * size) {
            while (sent < n && p[0].assoc.send(sent % 4, 53, new byte[size], SendOptions.RELIABLE, net.now) == SendResult.OK) {
                sent++;
            }
            net.step(Long.MAX_VALUE);
            received[0] = p[1].messages.stream().mapToLong(m -> m.data().length).sum();
            p[1].messages.clear();
            if (received[0] > 0) {
                n -= (int) (received[0] / size);
                sent -= (int) (received[0] / size);
                received[0] = 0;
            }
            if (n == 0) {
                break;
            }
        }
        double wall = (mx.getCurrentThreadCpuTime() - started) / 1e9;
        double virtual = (net.now - virtualStart) / 1e9;
        System.out.printf("throughput: %d MiB in %.2f s thread CPU, both ends (%.0f MiB/s), %.1f s virtual at 10 ms RTT, cwnd %d%n",
                (long) total * size >> 20, wall, ((long) total * size / 1048576.0) / wall, virtual, p[0].assoc.cwnd());
        assertEquals(0, p[1].assoc.counters().droppedTotal());
    }

    @Test
    void unorderedMessagesAllArriveOnce() {
        VirtualNetwork net = new VirtualNetwork(21);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.10;
        net.jitterNanos = 30 * MS;
        int n = 300;
        for (int i = 0; i < n; i++) {
            p[0].assoc.send(5, 51, message(i, 10 + (i * 37) % 2500), SendOptions.UNORDERED, net.now);
        }
        net.runUntil(() -> p[1].messages.size() >= n, 600 * S, "all delivered");
        net.runFor(5 * S);
        Set<Integer> seen = new HashSet<>();
        boolean outOfOrder = false;
        int prev = -1;
        for (Peer.Message m : p[1].messages) {
            int i = index(m.data());
            assertTrue(seen.add(i));
            assertArrayEquals(message(i, m.data().length), m.data());
            outOfOrder |= i < prev;
            prev = i;
        }
        assertEquals(n, seen.size());
        assertTrue(outOfOrder, "with loss, unordered delivery lets later messages overtake");
    }

    @Test
    void largeMessageFragmentedAndReassembled() {
        VirtualNetwork net = new VirtualNetwork(22);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.05;
        net.jitterNanos = 20 * MS;
        byte[] big = message(7, 200 * 1024);
        assertEquals(SendResult.OK, p[0].assoc.send(0, 53, big, SendOptions.RELIABLE, net.now));
        byte[] big2 = message(8, 200 * 1024);
        assertEquals(SendResult.OK, p[0].assoc.send(1, 53, big2, SendOptions.UNORDERED, net.now));
        net.runUntil(() -> p[1].messages.size() == 2, 600 * S, "delivered");
        for (Peer.Message m : p[1].messages) {
            assertArrayEquals(m.streamId() == 0 ? big : big2, m.data());
        }
        assertTrue(p[0].assoc.counters().dataChunksSent >= 2 * 200 * 1024 / 1172);
        assertEquals(0, p[1].assoc.receiveBufferedBytes());
    }

    @Test
    void streamsTakeTurns() {
        VirtualNetwork net = new VirtualNetwork(27);
        Peer[] p = connected(net, SctpConfig.defaults());
        for (int i = 0; i < 50; i++) {
            p[0].assoc.send(0, 53, message(i, 10_000), SendOptions.RELIABLE, net.now);
        }
        p[0].assoc.send(1, 51, message(1000, 10), SendOptions.RELIABLE, net.now);
        net.runUntil(() -> p[1].messages.size() == 51, 60 * S, "all");
        int position = 0;
        while (p[1].messages.get(position).streamId() != 1) {
            position++;
        }
        assertTrue(position <= 2, "the other stream's message waited for " + position + " messages, not 50");
    }

    @Test
    void messageSizeLimitOnSend() {
        VirtualNetwork net = new VirtualNetwork(23);
        Peer[] p = connected(net, SctpConfig.defaults());
        assertEquals(SendResult.MESSAGE_TOO_LARGE, p[0].assoc.send(0, 53, new byte[262_145], SendOptions.RELIABLE, net.now));
        assertEquals(SendResult.OK, p[0].assoc.send(0, 53, new byte[262_144], SendOptions.RELIABLE, net.now));
        assertEquals(SendResult.EMPTY_MESSAGE, p[0].assoc.send(0, 53, new byte[0], SendOptions.RELIABLE, net.now));
        assertEquals(SendResult.INVALID_STREAM, p[0].assoc.send(65_535, 53, new byte[1], SendOptions.RELIABLE, net.now));
        // The peer's SDP max-message-size (RFC 8841) lowers what may be sent; 0 means the peer has no limit.
        SctpAssociation limited = new SctpAssociation(SctpConfig.defaults().peerMaxMessageSize(65_536), x -> {},
                new AssociationListener() {}, new Random(1));
        assertEquals(SendResult.MESSAGE_TOO_LARGE, limited.send(0, 53, new byte[65_537], SendOptions.RELIABLE, 0));
        assertEquals(SendResult.OK, limited.send(0, 53, new byte[65_536], SendOptions.RELIABLE, 0));
        SctpAssociation unlimited = new SctpAssociation(SctpConfig.defaults().peerMaxMessageSize(0), x -> {},
                new AssociationListener() {}, new Random(1));
        assertEquals(SendResult.OK, unlimited.send(0, 53, new byte[262_144], SendOptions.RELIABLE, 0));
    }

    @Test
    void messageOverReceiversMaxSizeAbortsTheAssociation() {
        VirtualNetwork net = new VirtualNetwork(24);
        Peer a = new Peer(SctpConfig.defaults(), net.sinkOfA(), 1);
        Peer b = new Peer(SctpConfig.defaults().maxMessageSize(10_000), net.sinkOfB(), 2);
        net.a = a;
        net.b = b;
        a.assoc.connect(net.now);
        net.runUntil(() -> a.connected && b.connected, 10 * S, "up");
        a.assoc.send(0, 53, new byte[20_000], SendOptions.RELIABLE, net.now);
        net.runUntil(() -> a.closed != null && b.closed != null, 10 * S, "aborted");
        assertEquals(CloseReason.PROTOCOL_VIOLATION, b.closed);
        assertEquals(CloseReason.ABORTED_BY_PEER, a.closed);
        assertTrue(b.messages.isEmpty());
    }

    @Test
    void onlyUsedStreamsHaveState() {
        VirtualNetwork net = new VirtualNetwork(25);
        Peer[] p = connected(net, SctpConfig.defaults());
        p[0].assoc.send(60_000, 53, new byte[10], SendOptions.RELIABLE, net.now);
        p[0].assoc.send(3, 53, new byte[10], SendOptions.RELIABLE, net.now);
        net.runUntil(() -> p[1].messages.size() == 2, 10 * S, "delivered");
        assertEquals(2, p[0].assoc.outboundStreamStates());
        assertEquals(2, p[1].assoc.inboundStreamStates());
    }

    // ---------------------------------------------------------------------- partial reliability

    @Test
    void maxRetransmitsZeroNeverStallsAndForwardTsnAdvancesThePeer() {
        VirtualNetwork net = new VirtualNetwork(30);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.2;
        net.jitterNanos = 20 * MS;
        SendOptions unreliable = new SendOptions(false, 0, -1);
        int n = 500;
        for (int i = 0; i < n; i++) {
            assertEquals(SendResult.OK, p[0].assoc.send(1, 53, message(i, 200 + i % 2000), unreliable, net.now));
        }
        net.runUntil(() -> p[0].assoc.heldBytes() == 0, 600 * S, "sender drained");
        // The stream is not stalled: a reliable message after the lossy ones gets through, in order.
        net.loss = 0;
        p[0].assoc.send(1, 53, message(n, 10), SendOptions.RELIABLE, net.now);
        net.runUntil(() -> !p[1].messages.isEmpty() && index(p[1].messages.get(p[1].messages.size() - 1).data()) == n,
                60 * S, "reliable after unreliable");
        int prev = -1;
        for (Peer.Message m : p[1].messages) {
            assertTrue(index(m.data()) > prev, "ordered");
            prev = index(m.data());
            assertArrayEquals(message(prev, m.data().length), m.data());
        }
        SctpCounters a = p[0].assoc.counters();
        assertTrue(a.abandonedMessages > 0, a.toString());
        assertTrue(a.forwardTsnsSent > 0, a.toString());
        assertTrue(p[1].assoc.counters().forwardTsnsReceived > 0);
        assertTrue(p[1].messages.size() < n + 1, "some were lost for good");
        assertEquals(0, p[1].assoc.receiveBufferedBytes());
        System.out.printf("maxRetransmits=0 @20%% loss: %d/%d delivered, %d abandoned%n", p[1].messages.size() - 1, n,
                a.abandonedMessages);
    }

    @Test
    void unorderedMaxRetransmitsZeroUnderLoss() {
        VirtualNetwork net = new VirtualNetwork(31);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.2;
        SendOptions unreliable = new SendOptions(true, 0, -1);
        for (int i = 0; i < 300; i++) {
            p[0].assoc.send(2, 53, message(i, 3000), unreliable, net.now);
        }
        net.runUntil(() -> p[0].assoc.heldBytes() == 0, 600 * S, "sender drained");
        net.runFor(2 * S);
        assertEquals(0, p[1].assoc.receiveBufferedBytes(), "abandoned fragments are purged");
        for (Peer.Message m : p[1].messages) {
            assertArrayEquals(message(index(m.data()), 3000), m.data());
        }
    }

    /** A peer without FORWARD TSN: partially reliable messages fall back to reliable, nothing stalls. */
    @Test
    void peerWithoutForwardTsnGetsEverythingReliably() {
        VirtualNetwork net = new VirtualNetwork(33);
        net.filterBtoA = pkt -> Packets.rewrite(pkt, c -> c instanceof dev.sfu.sctp.chunk.InitChunk i
                ? new dev.sfu.sctp.chunk.InitChunk(i.ack, i.initiateTag, i.aRwnd, i.outboundStreams, i.inboundStreams,
                        i.initialTsn, i.stateCookie, new int[] {ChunkType.RE_CONFIG}, false)
                : c);
        Peer[] p = Peer.pair(net, SctpConfig.defaults());
        p[0].assoc.connect(net.now);
        net.runUntil(() -> p[0].connected && p[1].connected, 10 * S, "up");
        assertFalse(p[0].assoc.peerSupportsForwardTsn());
        net.loss = 0.2;
        for (int i = 0; i < 100; i++) {
            p[0].assoc.send(1, 53, message(i, 1500), new SendOptions(false, 0, 10 * MS), net.now);
        }
        net.runUntil(() -> p[0].assoc.heldBytes() == 0, 600 * S, "drained");
        assertTrue(p[0].assoc.isEstablished());
        assertEquals(0, p[0].assoc.counters().forwardTsnsSent);
        // Sent ones are delivered; only messages that expired before their first byte went out are dropped.
        assertEquals(100 - p[0].assoc.counters().abandonedMessages, p[1].messages.size());
    }

    @Test
    void maxPacketLifeTimeAbandonsOldMessages() {
        VirtualNetwork net = new VirtualNetwork(32);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.3;
        SendOptions timed = new SendOptions(false, -1, 150 * MS);
        int n = 300;
        for (int i = 0; i < n; i++) {
            p[0].assoc.send(4, 53, message(i, 1000), timed, net.now);
        }
        net.runUntil(() -> p[0].assoc.heldBytes() == 0, 600 * S, "sender drained");
        net.loss = 0;
        p[0].assoc.send(4, 53, message(n, 10), SendOptions.RELIABLE, net.now);
        net.runUntil(() -> !p[1].messages.isEmpty() && index(p[1].messages.get(p[1].messages.size() - 1).data()) == n,
                60 * S, "reliable after timed");
        assertTrue(p[0].assoc.counters().abandonedMessages > 0);
        assertTrue(p[1].messages.size() < n + 1);
    }

    // ------------------------------------------------------------------------------ stream reset

    @Test
    void streamResetBothWaysAndSsnRestarts() {
        VirtualNetwork net = new VirtualNetwork(40);
        Peer[] p = connected(net, SctpConfig.defaults());
        for (int i = 0; i < 5; i++) {
            p[0].assoc.send(7, 53, message(i, 2000), SendOptions.RELIABLE, net.now);
        }
        assertTrue(p[0].assoc.resetStreams(new int[] {7}, net.now));
        assertEquals(SendResult.STREAM_RESETTING, p[0].assoc.send(7, 53, new byte[1], SendOptions.RELIABLE, net.now));
        net.runUntil(() -> !p[0].outgoingResets.isEmpty() && !p[1].incomingResets.isEmpty(), 10 * S, "reset");
        assertEquals(5, p[1].messages.size(), "data sent before the reset arrives before it");
        assertArrayEquals(new int[] {7}, p[1].incomingResets.get(0));
        // The stream is usable again, with SSN 0.
        assertEquals(SendResult.OK, p[0].assoc.send(7, 53, message(99, 10), SendOptions.RELIABLE, net.now));
        net.runUntil(() -> p[1].messages.size() == 6, 10 * S, "after reset");
    }

    @Test
    void streamResetUnderLoss() {
        VirtualNetwork net = new VirtualNetwork(41);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.loss = 0.25;
        net.jitterNanos = 40 * MS;
        for (int i = 0; i < 50; i++) {
            p[0].assoc.send(3, 53, message(i, 1500), SendOptions.RELIABLE, net.now);
        }
        p[0].assoc.resetStreams(new int[] {3}, net.now);
        net.runUntil(() -> !p[0].outgoingResets.isEmpty() && !p[1].incomingResets.isEmpty(), 300 * S, "reset");
        assertEquals(50, p[1].messages.size());
    }

    // ----------------------------------------------------------------------------------- limits

    @Test
    void zeroWindowPeerMakesSendQueueRefuseWithoutGrowing() {
        VirtualNetwork net = new VirtualNetwork(50);
        long limit = 256 * 1024;
        Peer[] p = connected(net, SctpConfig.defaults().maxSendQueueBytes(limit));
        // The peer advertises a zero window in every SACK.
        net.filterBtoA = pkt -> Packets.rewrite(pkt, c -> c instanceof SackChunk s
                ? new SackChunk(s.cumulativeTsnAck, 0, s.gapStarts, s.gapEnds, s.duplicateTsns) : c);
        int ok = 0;
        int refused = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 100; i++) {
                SendResult r = p[0].assoc.send(0, 53, new byte[1000], SendOptions.RELIABLE, net.now);
                if (r == SendResult.OK) {
                    ok++;
                } else {
                    assertEquals(SendResult.QUEUE_FULL, r);
                    refused++;
                }
                assertTrue(p[0].assoc.heldBytes() <= limit);
            }
            net.runFor(1 * S);
            assertTrue(p[0].assoc.flightBytes() <= 1200, "one probe chunk at a time: " + p[0].assoc.flightBytes());
        }
        assertTrue(refused > 0);
        assertTrue(p[0].assoc.counters().sendRefusedQueueFull > 0);
        assertTrue(p[0].assoc.isEstablished(), "probes are acknowledged: the association lives");
        System.out.printf("zero window: %d accepted, %d refused, held %d <= %d%n", ok, refused, p[0].assoc.heldBytes(), limit);
    }

    /** With {@code overrun}, SACKs are rewritten to announce 1 MiB: the sender overruns the 8 KiB buffer. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void smallReceiveBufferUnderLossStillDeliversEverything(boolean overrun) {
        VirtualNetwork net = new VirtualNetwork(52);
        if (overrun) {
            net.filterBtoA = pkt -> Packets.rewrite(pkt, c -> c instanceof SackChunk s
                    ? new SackChunk(s.cumulativeTsnAck, 1 << 20, s.gapStarts, s.gapEnds, s.duplicateTsns) : c);
        }
        Peer a = new Peer(SctpConfig.defaults(), net.sinkOfA(), 1);
        Peer b = new Peer(SctpConfig.defaults().receiveBufferBytes(8 * 1024), net.sinkOfB(), 2);
        net.a = a;
        net.b = b;
        a.assoc.connect(net.now);
        net.runUntil(() -> a.connected && b.connected, 10 * S, "up");
        net.loss = 0.1;
        net.jitterNanos = 20 * MS;
        int n = 200;
        for (int i = 0; i < n; i++) {
            a.assoc.send(i % 2, 53, message(i, 3000), i % 2 == 0 ? SendOptions.RELIABLE : SendOptions.UNORDERED, net.now);
        }
        net.runUntil(() -> b.messages.size() == n, 3600 * S, "all delivered");
        for (Peer.Message m : b.messages) {
            assertArrayEquals(message(index(m.data()), 3000), m.data());
        }
        assertTrue(b.assoc.receiveBufferedBytes() == 0);
        if (overrun) {
            assertTrue(b.assoc.counters().dropped(DropReason.RECEIVE_BUFFER_FULL) > 0);
        }
        System.out.printf("8 KiB receive buffer @10%% loss, overrun %s: %s%n", overrun, b.assoc.counters().drops());
    }

    @Test
    void forgedAndStaleCookiesAreRefused() {
        VirtualNetwork net = new VirtualNetwork(53);
        net.capture = true;
        Peer[] p = Peer.pair(net, SctpConfig.defaults());
        // Only A starts: B answers A's INIT with an INIT ACK and A echoes B's cookie.
        p[0].assoc.connect(net.now);
        net.runUntil(() -> p[0].connected && p[1].connected, 10 * S, "up");
        byte[] echo = net.capturedAtoB.stream().filter(x -> Packets.has(x, ChunkType.COOKIE_ECHO)).findFirst()
                .orElseThrow();
        // A fresh B that never saw A's INIT gets the echo (wrong key), then an altered one.
        Peer fresh = new Peer(SctpConfig.defaults(), x -> {}, 77);
        fresh.assoc.receive(echo, 0, echo.length, net.now);
        assertEquals(1, fresh.assoc.counters().dropped(DropReason.BAD_VERIFICATION_TAG) + fresh.assoc.counters().dropped(DropReason.BAD_COOKIE));
        byte[] altered = Packets.rewrite(echo, c -> {
            byte[] cookie = ((dev.sfu.sctp.chunk.CookieEchoChunk) c).cookie.clone();
            cookie[5] ^= 1;
            return new dev.sfu.sctp.chunk.CookieEchoChunk(cookie);
        });
        p[1].assoc.receive(altered, 0, altered.length, net.now);
        assertEquals(1, p[1].assoc.counters().dropped(DropReason.BAD_COOKIE));
        // The genuine echo again, after the cookie lifetime: stale.
        p[1].assoc.receive(echo, 0, echo.length, net.now + 61 * S);
        assertEquals(1, p[1].assoc.counters().dropped(DropReason.STALE_COOKIE));
        assertTrue(p[1].assoc.isEstablished());
    }

    /** A COOKIE ECHO that arrives too late is answered with Stale Cookie, and the sender starts over. */
    @Test
    void staleCookieMakesTheSenderStartAgain() {
        VirtualNetwork net = new VirtualNetwork(54);
        boolean[] delayed = {false};
        Peer[] p = Peer.pair(net, SctpConfig.defaults());
        p[0].assoc.connect(net.now);
        // The first COOKIE ECHO arrives after the 60 s cookie lifetime; its retransmissions are lost.
        net.filterAtoB = pkt -> {
            if (Packets.has(pkt, ChunkType.COOKIE_ECHO)) {
                if (delayed[0]) {
                    return null;
                }
                delayed[0] = true;
                net.delayNanos = 70 * S;
            } else {
                net.delayNanos = 10 * MS;
            }
            return pkt;
        };
        net.runUntil(() -> p[1].assoc.counters().dropped(DropReason.STALE_COOKIE) == 1, 600 * S, "stale");
        net.filterAtoB = pkt -> pkt;
        net.delayNanos = 10 * MS;
        // The Stale Cookie ERROR sends A back to INIT, and the association comes up.
        net.runUntil(() -> p[0].connected && p[1].connected, 600 * S, "up after restart");
        assertTrue(p[0].assoc.counters().errorsReceived >= 1);
    }

    @Test
    void bufferedAmountLowFires() {
        VirtualNetwork net = new VirtualNetwork(51);
        Peer[] p = connected(net, SctpConfig.defaults());
        p[0].assoc.setBufferedAmountLowThreshold(9, 10_000);
        for (int i = 0; i < 50; i++) {
            p[0].assoc.send(9, 53, new byte[1000], SendOptions.RELIABLE, net.now);
        }
        assertTrue(p[0].assoc.bufferedAmount(9) > 10_000);
        net.runUntil(() -> !p[0].bufferedLow.isEmpty(), 10 * S, "low");
        assertEquals(9, p[0].bufferedLow.get(0));
        net.runUntil(() -> p[0].assoc.bufferedAmount(9) == 0, 10 * S, "drained");
        assertEquals(1, p[0].bufferedLow.size(), "fires once per crossing");
    }

    // ---------------------------------------------------------------------------- liveness

    @Test
    void heartbeatsKeepAnIdleAssociation() {
        VirtualNetwork net = new VirtualNetwork(60);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.runFor(30 * 60 * S);
        assertTrue(p[0].assoc.isEstablished());
        assertTrue(p[1].assoc.isEstablished());
        assertTrue(p[0].assoc.counters().heartbeatsSent >= 30, p[0].assoc.counters().toString());
        assertTrue(p[0].assoc.counters().heartbeatAcksReceived >= 30);
        assertTrue(p[0].assoc.rtoNanos() >= SctpConfig.SECOND, "RTO.min");
    }

    @Test
    void idlePeerGoneIsDetectedByHeartbeats() {
        VirtualNetwork net = new VirtualNetwork(61);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.filterBtoA = x -> null;
        net.runUntil(() -> p[0].closed != null, 3600 * S, "failed");
        assertEquals(CloseReason.FAILED, p[0].closed);
    }

    @Test
    void retransmissionGivesUpAfterMaxRetrans() {
        VirtualNetwork net = new VirtualNetwork(62);
        Peer[] p = connected(net, SctpConfig.defaults());
        net.filterAtoB = x -> null;
        long start = net.now;
        p[0].assoc.send(0, 53, new byte[100], SendOptions.RELIABLE, net.now);
        net.runUntil(() -> p[0].closed != null, 3600 * S, "failed");
        assertEquals(CloseReason.FAILED, p[0].closed);
        assertEquals(11, p[0].assoc.counters().t3Expirations, "Association.Max.Retrans = 10, the 11th fails");
        System.out.printf("gave up after %.0f s virtual%n", (net.now - start) / 1e9);
    }

    @Test
    void rtoFollowsMeasuredRtt() {
        VirtualNetwork net = new VirtualNetwork(63);
        net.delayNanos = 50 * MS;
        Peer[] p = connected(net, SctpConfig.defaults().rtoMinNanos(10 * MS));
        for (int i = 0; i < 50; i++) {
            p[0].assoc.send(0, 53, new byte[500], SendOptions.RELIABLE, net.now);
            net.runFor(300 * MS);
        }
        long rto = p[0].assoc.rtoNanos();
        assertTrue(rto >= 100 * MS && rto < 600 * MS, "rto " + rto / MS + " ms for a 100 ms RTT (delayed acks)");
    }

    @Test
    void congestionWindowGrowsThenCollapsesOnTimeout() {
        VirtualNetwork net = new VirtualNetwork(64);
        Peer[] p = connected(net, SctpConfig.defaults());
        long initial = p[0].assoc.cwnd();
        assertEquals(4380, initial);
        for (int i = 0; i < 200; i++) {
            p[0].assoc.send(0, 53, new byte[1100], SendOptions.RELIABLE, net.now);
        }
        net.runUntil(() -> p[0].assoc.heldBytes() == 0, 60 * S, "sent");
        assertTrue(p[0].assoc.cwnd() > 4 * initial, "slow start: " + p[0].assoc.cwnd());
        net.filterAtoB = x -> null;
        p[0].assoc.send(0, 53, new byte[1100], SendOptions.RELIABLE, net.now);
        net.runUntil(() -> p[0].assoc.counters().t3Expirations == 1, 60 * S, "t3");
        assertEquals(1200, p[0].assoc.cwnd());
    }

    @Test
    void chromeInitIsAnsweredWithAnInitAck() {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        SctpAssociation a = new SctpAssociation(SctpConfig.defaults(), out::add, new AssociationListener() {},
                new Random(1));
        byte[] init = Crc32cTest.chromeInit();
        a.receive(init, 0, init.length, 0);
        assertEquals(1, out.size());
        SctpPacket ack = Packets.parse(out.get(0));
        assertEquals(0x55b964a5, ack.verificationTag, "INIT ACK carries the INIT's initiate tag");
        dev.sfu.sctp.chunk.InitChunk c = (dev.sfu.sctp.chunk.InitChunk) ack.chunks.get(0);
        assertTrue(c.ack);
        assertNotNull(c.stateCookie);
        assertTrue(c.supports(ChunkType.RE_CONFIG) && c.supports(ChunkType.FORWARD_TSN));
        assertEquals(SctpAssociation.State.CLOSED, a.state(), "no state kept for an INIT");
        assertEquals(0, a.counters().droppedTotal());
    }

    @Test
    void incomingSsnResetRequestMakesUsResetOurStream() {
        VirtualNetwork net = new VirtualNetwork(42);
        java.util.List<byte[]> fromB = new java.util.ArrayList<>();
        net.filterBtoA = x -> {
            fromB.add(x.clone());
            return x;
        };
        Peer[] p = connected(net, SctpConfig.defaults());
        p[0].assoc.send(3, 53, new byte[10], SendOptions.RELIABLE, net.now);
        net.runUntil(() -> p[1].messages.size() == 1, 5 * S, "stream 3 used");
        // B's first request sequence number is its initial TSN (RFC 6525 §5.1.1), from its INIT or INIT ACK.
        int bInitialTsn = fromB.stream().flatMap(x -> Packets.parse(x).chunks.stream())
                .filter(c -> c instanceof dev.sfu.sctp.chunk.InitChunk).map(c -> ((dev.sfu.sctp.chunk.InitChunk) c).initialTsn)
                .findFirst().orElseThrow();
        int tagForA = Packets.parse(fromB.get(fromB.size() - 1)).verificationTag;
        byte[] req = Packets.packet(5000, 5000, tagForA, new dev.sfu.sctp.chunk.ReConfigChunk(java.util.List.of(
                new dev.sfu.sctp.chunk.ReConfigChunk.IncomingSsnResetRequest(bInitialTsn, new int[] {3}))));
        p[0].assoc.receive(req, 0, req.length, net.now);
        net.runUntil(() -> !p[0].outgoingResets.isEmpty() && !p[1].incomingResets.isEmpty(), 10 * S, "reset");
        assertArrayEquals(new int[] {3}, p[1].incomingResets.get(0));
    }

    // ------------------------------------------------------------------------------- bad input

    @Test
    void badInputIsCountedAndDropped() {
        VirtualNetwork net = new VirtualNetwork(70);
        net.capture = true;
        Peer[] p = connected(net, SctpConfig.defaults());
        p[0].assoc.send(0, 53, new byte[100], SendOptions.RELIABLE, net.now);
        net.runUntil(() -> p[1].messages.size() == 1, 10 * S, "data");
        byte[] data = net.capturedAtoB.stream().filter(x -> Packets.has(x, ChunkType.DATA)).findFirst().orElseThrow();
        SctpAssociation b = p[1].assoc;
        SctpCounters c = b.counters();
        long t = net.now;

        byte[] badSum = data.clone();
        badSum[badSum.length - 1] ^= 1;
        b.receive(badSum, 0, badSum.length, t);
        assertEquals(1, c.dropped(DropReason.BAD_CHECKSUM));

        b.receive(data, 0, 11, t);
        assertEquals(1, c.dropped(DropReason.TOO_SHORT));

        byte[] badTag = data.clone();
        badTag[4] ^= 1;
        SctpPacket.writeChecksum(badTag, 0, badTag.length);
        b.receive(badTag, 0, badTag.length, t);
        assertEquals(1, c.dropped(DropReason.BAD_VERIFICATION_TAG));

        byte[] truncated = Arrays.copyOf(data, data.length - 5);
        SctpPacket.writeChecksum(truncated, 0, truncated.length);
        b.receive(truncated, 0, truncated.length, t);
        assertEquals(1, c.dropped(DropReason.TRUNCATED_CHUNK));

        b.receive(data, 0, data.length, t);
        assertEquals(1, c.dropped(DropReason.DUPLICATE_TSN));

        byte[] far = Packets.rewrite(data, ch -> {
            DataChunk d = (DataChunk) ch;
            return new DataChunk(d.tsn + 1_000_000, d.streamId, d.ssn, d.ppid, d.payload, false, true, true, false);
        });
        b.receive(far, 0, far.length, t);
        assertEquals(1, c.dropped(DropReason.OUT_OF_WINDOW_TSN));

        byte[] badPort = data.clone();
        badPort[1] ^= 1;
        SctpPacket.writeChecksum(badPort, 0, badPort.length);
        b.receive(badPort, 0, badPort.length, t);
        assertEquals(1, c.dropped(DropReason.BAD_PORT));

        assertEquals(1, p[1].messages.size());
        assertTrue(b.isEstablished());
    }

    /** ABORT with the T bit carries the sender's own tag (RFC 9260 §8.5.1 B); without it, ours. */
    @Test
    void abortTagRules() {
        VirtualNetwork net = new VirtualNetwork(73);
        java.util.List<byte[]> fromB = new java.util.ArrayList<>();
        net.filterBtoA = x -> {
            fromB.add(x);
            return x;
        };
        net.capture = true;
        Peer[] p = connected(net, SctpConfig.defaults());
        int tagOfA = Packets.parse(fromB.get(fromB.size() - 1)).verificationTag; // what B puts on packets to A
        int tagOfB = Packets.parse(net.capturedAtoB.get(net.capturedAtoB.size() - 1)).verificationTag;
        dev.sfu.sctp.chunk.ErrorCauseChunk reflected = new dev.sfu.sctp.chunk.ErrorCauseChunk(true, true,
                dev.sfu.sctp.chunk.ErrorCauseChunk.cause(12, "t".getBytes()));
        dev.sfu.sctp.chunk.ErrorCauseChunk plain = dev.sfu.sctp.chunk.ErrorCauseChunk.abort(12, "p");
        // Dropped: T bit with a tag that is neither side's, and no T bit with the peer's tag.
        byte[] bad1 = Packets.packet(5000, 5000, tagOfB + 1, reflected);
        byte[] bad2 = Packets.packet(5000, 5000, tagOfA, plain);
        p[1].assoc.receive(bad1, 0, bad1.length, net.now);
        p[1].assoc.receive(bad2, 0, bad2.length, net.now);
        assertEquals(2, p[1].assoc.counters().dropped(DropReason.BAD_VERIFICATION_TAG));
        assertTrue(p[1].assoc.isEstablished());
        byte[] good = Packets.packet(5000, 5000, tagOfA, reflected);
        p[1].assoc.receive(good, 0, good.length, net.now);
        assertEquals(CloseReason.ABORTED_BY_PEER, p[1].closed);
        assertEquals("cause 12: t", p[1].closeDetail);
    }

    @Test
    void unknownChunkUpperBits() {
        VirtualNetwork net = new VirtualNetwork(71);
        net.capture = true;
        Peer[] p = connected(net, SctpConfig.defaults());
        int tag = Packets.parse(net.capturedAtoB.get(net.capturedAtoB.size() - 1)).verificationTag;
        SctpAssociation b = p[1].assoc;
        int before = p[1].messages.size();
        // 0x3F: upper bits 00, stop and discard the rest (the DATA after it is not processed).
        for (int type : new int[] {0x3F, 0x7F, 0xBF, 0xFF}) {
            long errorsBefore = p[0].assoc.counters().errorsReceived;
            int msgsBefore = p[1].messages.size();
            SctpPacket.Builder pb = new SctpPacket.Builder(1200, 5000, 5000, tag);
            pb.add(new dev.sfu.sctp.chunk.UnknownChunk(type, 0, new byte[] {1, 2, 3}));
            byte[] pkt = pb.build();
            b.receive(pkt, 0, pkt.length, net.now);
            net.runFor(1 * S);
            boolean reported = (type & 0x40) != 0;
            assertEquals(reported ? errorsBefore + 1 : errorsBefore, p[0].assoc.counters().errorsReceived,
                    "type " + Integer.toHexString(type));
            assertEquals(msgsBefore, p[1].messages.size());
        }
        assertEquals(4, b.counters().dropped(DropReason.UNKNOWN_CHUNK));
        assertEquals(before, p[1].messages.size());
        assertTrue(b.isEstablished());
    }

    @Test
    void sendBeforeConnectWaitsForTheAssociation() {
        VirtualNetwork net = new VirtualNetwork(72);
        Peer[] p = Peer.pair(net, SctpConfig.defaults());
        assertEquals(SendResult.OK, p[0].assoc.send(0, 51, "early".getBytes(), SendOptions.RELIABLE, net.now));
        p[0].assoc.connect(net.now);
        p[1].assoc.connect(net.now);
        net.runUntil(() -> p[1].messages.size() == 1, 10 * S, "delivered");
        assertNull(p[0].closed);
        assertFalse(p[0].assoc.isClosed());
    }
}
