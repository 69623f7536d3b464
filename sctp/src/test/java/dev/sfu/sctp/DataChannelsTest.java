package dev.sfu.sctp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.sctp.chunk.DataChunk;
import dev.sfu.sctp.dcep.ChannelType;
import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelListener;
import dev.sfu.sctp.dcep.DataChannelOptions;
import dev.sfu.sctp.dcep.DataChannels;
import dev.sfu.sctp.dcep.DcepMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Data channels over two associations on the virtual link: DCEP, ids, PPIDs, reliability, close. */
class DataChannelsTest {
    private static final long S = SctpConfig.SECOND;

    static final class Side implements DataChannelListener, VirtualNetwork.Node {
        final DataChannels channels;
        final List<DataChannel> openedByPeer = new ArrayList<>();
        final List<DataChannel> acked = new ArrayList<>();
        final List<DataChannel> closed = new ArrayList<>();
        final List<Object[]> received = new ArrayList<>();
        boolean connected;

        Side(boolean dtlsServer, PacketSink sink, long seed) {
            channels = new DataChannels(SctpConfig.defaults(), dtlsServer, sink, this, new Random(seed));
        }

        @Override public void onConnected() { connected = true; }
        @Override public void onChannelOpenedByPeer(DataChannel ch) { openedByPeer.add(ch); }
        @Override public void onChannelAcked(DataChannel ch) { acked.add(ch); }
        @Override public void onChannelClosed(DataChannel ch) { closed.add(ch); }
        @Override public void onText(DataChannel ch, String text) { received.add(new Object[] {ch, text}); }
        @Override public void onBinary(DataChannel ch, byte[] data) { received.add(new Object[] {ch, data}); }

        @Override public void receive(byte[] b, int off, int len, long now) { channels.receive(b, off, len, now); }
        @Override public long nextTimeoutNanos() { return channels.nextTimeoutNanos(); }
        @Override public void handleTimeout(long now) { channels.handleTimeout(now); }
    }

    private VirtualNetwork net;
    private Side client;
    private Side server;

    private void connect(long seed) {
        net = new VirtualNetwork(seed);
        net.capture = true;
        client = new Side(false, net.sinkOfA(), 1);
        server = new Side(true, net.sinkOfB(), 2);
        net.a = client;
        net.b = server;
        client.channels.connect(net.now);
        server.channels.connect(net.now);
        net.runUntil(() -> client.connected && server.connected, 10 * S, "up");
    }

    @Test
    void openAckWithLabelProtocolAndReliability() {
        connect(1);
        DataChannel ch = client.channels.open("chat", DataChannelOptions.RELIABLE.withOrdered(false)
                .withMaxRetransmits(3).withProtocol("json").withPriority(512), net.now);
        assertNotNull(ch);
        assertEquals(0, ch.id(), "DTLS client uses even ids");
        net.runUntil(() -> server.openedByPeer.size() == 1 && client.acked.size() == 1, 5 * S, "open+ack");
        DataChannel remote = server.openedByPeer.get(0);
        assertEquals("chat", remote.label());
        assertEquals("json", remote.protocol());
        assertEquals(ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, remote.channelType());
        assertEquals(3, remote.maxRetransmits());
        assertEquals(-1, remote.maxPacketLifeTimeMs());
        assertEquals(512, remote.priority());
        assertEquals(0, remote.id());

        DataChannel timed = server.channels.open("t", DataChannelOptions.RELIABLE.withMaxPacketLifeTimeMs(250), net.now);
        assertEquals(1, timed.id(), "DTLS server uses odd ids");
        DataChannel next = server.channels.open("u", DataChannelOptions.RELIABLE, net.now);
        assertEquals(3, next.id());
        net.runUntil(() -> client.openedByPeer.size() == 2, 5 * S, "server's opens");
        assertEquals(ChannelType.PARTIAL_RELIABLE_TIMED, client.openedByPeer.get(0).channelType());
        assertEquals(250, client.openedByPeer.get(0).maxPacketLifeTimeMs());
        assertEquals(2, client.channels.open("c2", DataChannelOptions.RELIABLE, net.now).id());
    }

    @Test
    void messagesUseTheRightPpids() {
        connect(2);
        DataChannel ch = client.channels.open("m", DataChannelOptions.RELIABLE, net.now);
        assertEquals(SendResult.OK, ch.send("hi", net.now));
        assertEquals(SendResult.OK, ch.send("", net.now));
        assertEquals(SendResult.OK, ch.send(new byte[] {1, 2, 3}, net.now));
        assertEquals(SendResult.OK, ch.send(new byte[0], net.now));
        net.runUntil(() -> server.received.size() == 4, 5 * S, "messages");
        assertEquals("hi", server.received.get(0)[1]);
        assertEquals("", server.received.get(1)[1]);
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) server.received.get(2)[1]);
        assertArrayEquals(new byte[0], (byte[]) server.received.get(3)[1]);
        List<Integer> ppids = new ArrayList<>();
        for (byte[] p : net.capturedAtoB) {
            for (var c : Packets.parse(p).chunks) {
                if (c instanceof DataChunk d) {
                    ppids.add(d.ppid);
                }
            }
        }
        assertEquals(List.of(DcepMessage.PPID_DCEP, DcepMessage.PPID_STRING, DcepMessage.PPID_STRING_EMPTY,
                DcepMessage.PPID_BINARY, DcepMessage.PPID_BINARY_EMPTY), ppids);
        // And back the other way on the same channel.
        server.openedByPeer.get(0).send("pong", net.now);
        net.runUntil(() -> client.received.size() == 1, 5 * S, "pong");
        assertEquals("pong", client.received.get(0)[1]);
    }

    @Test
    void deprecatedPartialPpidsAreRefused() {
        connect(3);
        DataChannel ch = client.channels.open("d", DataChannelOptions.RELIABLE, net.now);
        net.runUntil(() -> server.openedByPeer.size() == 1, 5 * S, "open");
        client.channels.association().send(ch.id(), DcepMessage.PPID_BINARY_PARTIAL, new byte[] {1}, SendOptions.RELIABLE, net.now);
        client.channels.association().send(ch.id(), DcepMessage.PPID_STRING_PARTIAL, new byte[] {1}, SendOptions.RELIABLE, net.now);
        ch.send("after", net.now);
        net.runUntil(() -> server.received.size() == 1, 5 * S, "after");
        assertEquals(2, server.channels.droppedMessages());
    }

    @Test
    void preNegotiatedChannel() {
        connect(4);
        DataChannel a = client.channels.open("neg", DataChannelOptions.RELIABLE.negotiated(7), net.now);
        DataChannel b = server.channels.open("neg", DataChannelOptions.RELIABLE.negotiated(7), net.now);
        assertEquals(7, a.id());
        assertNull(client.channels.open("dup", DataChannelOptions.RELIABLE.negotiated(7), net.now));
        a.send("x", net.now);
        b.send(new byte[] {9}, net.now);
        net.runUntil(() -> server.received.size() == 1 && client.received.size() == 1, 5 * S, "both ways");
        assertTrue(server.openedByPeer.isEmpty(), "no DCEP for negotiated channels");
        assertEquals(b, server.received.get(0)[0]);
    }

    @Test
    void closeResetsTheStreamOnBothSides() {
        connect(5);
        DataChannel ch = client.channels.open("c", DataChannelOptions.RELIABLE, net.now);
        net.runUntil(() -> server.openedByPeer.size() == 1, 5 * S, "open");
        DataChannel remote = server.openedByPeer.get(0);
        ch.send("last", net.now);
        ch.close(net.now);
        assertEquals(DataChannel.State.CLOSING, ch.state());
        assertEquals(SendResult.STREAM_RESETTING, ch.send("too late", net.now));
        net.runUntil(() -> client.closed.size() == 1 && server.closed.size() == 1, 10 * S, "closed");
        assertEquals(DataChannel.State.CLOSED, ch.state());
        assertEquals(DataChannel.State.CLOSED, remote.state());
        assertEquals("last", server.received.get(0)[1]);
        // The id is free again and a new channel on it works (SSNs restarted at 0).
        DataChannel again = client.channels.open("again", DataChannelOptions.RELIABLE, net.now);
        assertEquals(ch.id(), again.id());
        again.send("new", net.now);
        net.runUntil(() -> server.received.size() == 2, 5 * S, "after reopen");
        assertEquals("again", server.openedByPeer.get(1).label());
    }

    @Test
    void peerCloseIsSeenHere() {
        connect(6);
        DataChannel ch = client.channels.open("p", DataChannelOptions.RELIABLE, net.now);
        net.runUntil(() -> server.openedByPeer.size() == 1, 5 * S, "open");
        server.openedByPeer.get(0).close(net.now);
        net.runUntil(() -> client.closed.size() == 1 && server.closed.size() == 1, 10 * S, "closed");
        assertEquals(ch, client.closed.get(0));
    }

    @Test
    void associationEndClosesEveryChannel() {
        connect(7);
        client.channels.open("a", DataChannelOptions.RELIABLE, net.now);
        client.channels.open("b", DataChannelOptions.RELIABLE, net.now);
        net.runUntil(() -> server.openedByPeer.size() == 2, 5 * S, "open");
        client.channels.association().abort("bye", net.now);
        net.runUntil(() -> server.closed.size() == 2, 5 * S, "closed");
        assertEquals(2, client.closed.size());
    }

    /** Many channels opened from both sides, used and closed, over a lossy reordering link. */
    @ParameterizedTest
    @ValueSource(longs = {9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
    void manyChannelsUnderLoss(long seed) {
        connect(seed);
        net.loss = 0.15;
        net.jitterNanos = 30 * SctpConfig.MS;
        Random r = new Random(seed);
        List<DataChannel> mine = new ArrayList<>();
        int texts = 0;
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 5; i++) {
                Side side = r.nextBoolean() ? client : server;
                DataChannelOptions o = switch (r.nextInt(3)) {
                    case 0 -> DataChannelOptions.RELIABLE;
                    case 1 -> DataChannelOptions.RELIABLE.withOrdered(false);
                    default -> DataChannelOptions.RELIABLE.withMaxRetransmits(5);
                };
                DataChannel ch = side.channels.open("ch" + round + "-" + i, o, net.now);
                assertNotNull(ch);
                assertEquals(side == server ? 1 : 0, ch.id() & 1);
                mine.add(ch);
            }
            for (DataChannel ch : mine) {
                if (ch.state() == DataChannel.State.OPEN && ch.send("m" + texts, net.now) == SendResult.OK) {
                    texts++;
                }
            }
            net.runFor(2 * S);
            // Close a few of the oldest still open.
            mine.stream().filter(c -> c.state() == DataChannel.State.OPEN).limit(2).forEach(c -> c.close(net.now));
        }
        net.runUntil(() -> client.channels.association().heldBytes() == 0
                && server.channels.association().heldBytes() == 0, 600 * S, "drained");
        // Both ends of every close: the peer's side finishes when our answer to its own reset arrives.
        List<DataChannel> all = new ArrayList<>(mine);
        all.addAll(client.openedByPeer);
        all.addAll(server.openedByPeer);
        net.runUntil(() -> all.stream().noneMatch(c -> c.state() == DataChannel.State.CLOSING), 600 * S,
                "closes done: " + all.stream().filter(c -> c.state() == DataChannel.State.CLOSING).toList()
                        + " bad " + client.channels.badDcepMessages() + "/" + server.channels.badDcepMessages());
        assertEquals(texts, client.received.size() + server.received.size(), "every (reliable or 5-retransmit) text; dropped "
                + client.channels.droppedMessages() + "/" + server.channels.droppedMessages() + " bad "
                + client.channels.badDcepMessages() + "/" + server.channels.badDcepMessages() + " "
                + client.channels.association().counters() + " " + server.channels.association().counters());
        assertEquals(50, client.openedByPeer.size() + server.openedByPeer.size());
        assertEquals(0, client.channels.badDcepMessages() + server.channels.badDcepMessages());
        long closedHere = mine.stream().filter(c -> c.state() == DataChannel.State.CLOSED).count();
        assertEquals(20, closedHere);
        assertEquals(2 * 30, client.channels.channels().size() + server.channels.channels().size(), "30 open, on both ends");
    }

    @Test
    void unreliableChannelUnderLossDoesNotStall() {
        connect(8);
        DataChannel ch = client.channels.open("u", DataChannelOptions.RELIABLE.withOrdered(false).withMaxRetransmits(0),
                net.now);
        net.runUntil(() -> server.openedByPeer.size() == 1 && client.acked.size() == 1, 5 * S, "open");
        net.loss = 0.2;
        for (int i = 0; i < 200; i++) {
            ch.send(new byte[500], net.now);
        }
        net.runUntil(() -> client.channels.association().heldBytes() == 0, 300 * S, "drained");
        net.loss = 0;
        ch.send("end", net.now);
        net.runUntil(() -> server.received.stream().anyMatch(r -> "end".equals(r[1])), 30 * S, "end");
        assertTrue(server.received.size() < 201);
    }
}
