package dev.sfu.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.data.DataCounters.Refusal;
import dev.sfu.sctp.SctpConfig;
import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelListener;
import dev.sfu.sctp.dcep.DataChannelOptions;
import dev.sfu.sctp.dcep.DataChannels;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The relay between real SCTP associations (the client side as a browser runs it: DTLS client, even
 * stream ids), over in-memory links, on a virtual clock.
 */
class DataRelayTest {
    private static final long MS = 1_000_000L;

    private final DataCounters counters = new DataCounters();
    private final DataRelay relay = new DataRelay(new DataLimits(1000, 8L << 20, 256 * 1024, 2_000 * MS), counters);
    private final Map<String, Client> clients = new HashMap<>();
    private long now = 1_000_000_000L;

    /** A browser-side association and what it received, wired to the relay through two queues. */
    final class Client implements DataChannelListener {
        final String id;
        final ArrayDeque<byte[]> toServer = new ArrayDeque<>();
        final ArrayDeque<byte[]> toClient = new ArrayDeque<>();
        final DataChannels channels;
        final List<DataChannel> opened = new ArrayList<>();
        final List<String> texts = new ArrayList<>();
        final List<byte[]> binaries = new ArrayList<>();
        final List<DataChannel> closed = new ArrayList<>();
        /** While false, packets towards this client wait: a receiver that does not keep up. */
        boolean reading = true;

        Client(String id) {
            this.id = id;
            channels = new DataChannels(SctpConfig.defaults(), false, toServer::add, this);
        }

        @Override
        public void onChannelOpenedByPeer(DataChannel channel) {
            opened.add(channel);
        }

        @Override
        public void onText(DataChannel channel, String text) {
            texts.add(channel.protocol() + ":" + channel.label() + ":" + text);
        }

        @Override
        public void onBinary(DataChannel channel, byte[] data) {
            binaries.add(data);
        }

        @Override
        public void onChannelClosed(DataChannel channel) {
            closed.add(channel);
        }
    }

    private Client join(String id) {
        Client c = new Client(id);
        clients.put(id, c);
        relay.attach(id, c.toClient::add, 262144);
        relay.connect(id, now);
        c.channels.connect(now);
        settle();
        return c;
    }

    /** Delivers packets both ways until none is left; runs due timers. */
    private void settle() {
        for (int round = 0; round < 10_000; round++) {
            boolean moved = false;
            for (Client c : clients.values()) {
                for (byte[] p; (p = c.toServer.poll()) != null; moved = true) {
                    relay.receive(c.id, p, now);
                }
                if (c.reading) {
                    for (byte[] p; (p = c.toClient.poll()) != null; moved = true) {
                        c.channels.receive(p, 0, p.length, now);
                    }
                }
            }
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("the links never went quiet");
    }

    /** Moves the virtual clock, running timers (delayed SACKs, retransmissions) on both sides. */
    private void advance(long nanos) {
        long end = now + nanos;
        while (now < end) {
            now = Math.min(end, now + 10 * MS);
            relay.onTick(now);
            for (Client c : clients.values()) {
                if (now >= c.channels.nextTimeoutNanos()) {
                    c.channels.handleTimeout(now);
                }
            }
            settle();
        }
    }

    /** Alice, joined, with her "chat" channel open. */
    private DataChannel aliceChat() {
        Client alice = join("alice");
        DataChannel chat = alice.channels.open("chat", DataChannelOptions.RELIABLE, now);
        settle();
        return chat;
    }

    /** A client the relay knows (its data section was negotiated) whose association has not started. */
    private Client attached(String id) {
        Client c = new Client(id);
        clients.put(id, c);
        relay.attach(id, c.toClient::add, 262144);
        return c;
    }

    @Test
    void aMessageSentDuringAReceiversSctpHandshakeWaitsForIt() {
        DataChannel chat = aliceChat();
        // Bob's DTLS is up at the server, but his association is still in its handshake: the server's INIT
        // has not reached him and he has not sent his own.
        Client bob = attached("bob");
        bob.reading = false;
        relay.connect("bob", now);
        chat.send("early", now);
        settle();
        bob.reading = true;
        bob.channels.connect(now);
        settle();
        advance(300 * MS);
        assertEquals(List.of("alice:chat:early"), bob.texts);
        assertEquals(0, counters.refused(Refusal.RECEIVER_REFUSED));
    }

    @Test
    void nothingIsRelayedToAnEndpointWhoseDtlsIsNotUp() {
        DataChannel chat = aliceChat();
        Client bob = attached("bob");
        chat.send("before", now);
        settle();
        assertTrue(bob.toClient.isEmpty(), "no association state is built for a transport that is not up");
    }

    @Test
    void aMessageReachesEveryOtherEndpointOnAChannelNamedAfterItsSender() {
        Client alice = join("alice");
        Client bob = join("bob");
        Client carol = join("carol");
        DataChannel chat = alice.channels.open("chat", DataChannelOptions.RELIABLE, now);
        settle();
        chat.send("hello", now);
        chat.send("", now);
        settle();
        advance(300 * MS);
        assertEquals(List.of("alice:chat:hello", "alice:chat:"), bob.texts);
        assertEquals(List.of("alice:chat:hello", "alice:chat:"), carol.texts);
        assertTrue(alice.texts.isEmpty(), "nobody receives its own messages");
        DataChannel atBob = bob.opened.get(0);
        assertEquals("chat", atBob.label());
        assertEquals("alice", atBob.protocol(), "protocol names the sender");
        assertEquals(1, atBob.id() & 1, "the server, DTLS server, opens odd stream ids");
        assertTrue(atBob.ordered());
    }

    @Test
    void binaryStaysBinaryUpTo200KiBAndReliabilityIsKept() {
        Client alice = join("alice");
        Client bob = join("bob");
        byte[] file = new byte[200 * 1024];
        new Random(7).nextBytes(file);
        DataChannel files = alice.channels.open("files", DataChannelOptions.RELIABLE, now);
        DataChannel cursor = alice.channels.open("cursor",
                DataChannelOptions.RELIABLE.withOrdered(false).withMaxRetransmits(0), now);
        settle();
        files.send(file.clone(), now);
        files.send(new byte[0], now);
        cursor.send(new byte[] {1, 2, 3}, now);
        advance(2_000 * MS);
        assertEquals(3, bob.binaries.size());
        assertArrayEquals(file, bob.binaries.get(0));
        assertEquals(0, bob.binaries.get(1).length, "an empty binary message is an empty binary message");
        DataChannel relayedCursor = bob.opened.stream().filter(c -> c.label().equals("cursor")).findFirst().orElseThrow();
        assertTrue(!relayedCursor.ordered());
        assertEquals(0, relayedCursor.maxRetransmits());
    }

    @Test
    void aLateJoinerGetsWhatIsSentFromThenOn() {
        Client alice = join("alice");
        Client bob = join("bob");
        DataChannel chat = alice.channels.open("chat", DataChannelOptions.RELIABLE, now);
        settle();
        chat.send("before", now);
        advance(300 * MS);
        Client carol = join("carol");
        chat.send("after", now);
        advance(300 * MS);
        assertEquals(List.of("alice:chat:before", "alice:chat:after"), bob.texts);
        assertEquals(List.of("alice:chat:after"), carol.texts);
    }

    @Test
    void closingOrLeavingClosesTheRelayedChannelsEverywhere() {
        Client alice = join("alice");
        Client bob = join("bob");
        DataChannel chat = alice.channels.open("chat", DataChannelOptions.RELIABLE, now);
        DataChannel other = alice.channels.open("other", DataChannelOptions.RELIABLE, now);
        settle();
        chat.send("x", now);
        other.send("y", now);
        advance(300 * MS);
        chat.close(now);
        advance(300 * MS);
        assertEquals(List.of("chat"), bob.closed.stream().map(DataChannel::label).toList());
        relay.detach("alice", now);
        advance(300 * MS);
        assertEquals(List.of("chat", "other"), bob.closed.stream().map(DataChannel::label).toList());
    }

    @Test
    void aSenderOverItsRateLosesMessagesAndTheOthersDoNot() {
        DataRelay strict = new DataRelay(new DataLimits(10, 1 << 20, 1 << 20, 2_000 * MS), counters);
        Client alice = new Client("alice");
        Client bob = new Client("bob");
        for (Client c : List.of(alice, bob)) {
            clients.put(c.id, c);
            strict.attach(c.id, c.toClient::add, 262144);
            strict.connect(c.id, now);
            c.channels.connect(now);
        }
        settleWith(strict);
        DataChannel flood = alice.channels.open("flood", DataChannelOptions.RELIABLE, now);
        DataChannel calm = bob.channels.open("calm", DataChannelOptions.RELIABLE, now);
        settleWith(strict);
        for (int i = 0; i < 100; i++) {
            flood.send("m" + i, now);
        }
        calm.send("still here", now);
        settleWith(strict);
        assertEquals(20, bob.texts.size(), "a burst of twice the rate, then nothing");
        assertEquals(80, counters.refused(Refusal.SENDER_RATE));
        assertEquals(List.of("bob:calm:still here"), alice.texts);
    }

    private void settleWith(DataRelay r) {
        for (int round = 0; round < 10_000; round++) {
            boolean moved = false;
            for (Client c : clients.values()) {
                for (byte[] p; (p = c.toServer.poll()) != null; moved = true) {
                    r.receive(c.id, p, now);
                }
                for (byte[] p; (p = c.toClient.poll()) != null; moved = true) {
                    c.channels.receive(p, 0, p.length, now);
                }
            }
            if (!moved) {
                return;
            }
        }
    }

    @Test
    void aReceiverThatFallsBehindLosesUnreliableMessagesThenItsReliableChannelOnly() {
        Client alice = join("alice");
        Client slow = join("slow");
        Client fast = join("fast");
        DataChannel reliable = alice.channels.open("reliable", DataChannelOptions.RELIABLE, now);
        DataChannel lossy = alice.channels.open("lossy",
                DataChannelOptions.RELIABLE.withOrdered(false).withMaxRetransmits(0), now);
        settle();
        reliable.send("open", now);
        lossy.send("open", now);
        advance(300 * MS);
        slow.reading = false; // its packets pile up: the server's queue towards it grows
        byte[] chunk = new byte[16 * 1024];
        for (int second = 0; second < 4; second++) {
            for (int i = 0; i < 20; i++) {
                lossy.send(chunk.clone(), now);
                reliable.send(chunk.clone(), now);
            }
            advance(1_000 * MS);
        }
        assertTrue(counters.refused(Refusal.RECEIVER_BACKLOG) > 0, "unreliable messages to the slow one were dropped");
        assertTrue(counters.refused(Refusal.RECEIVER_BLOCKED) >= 1, "its reliable channel was closed");
        assertEquals(2 + 2 * 4 * 20, fast.texts.size() + fast.binaries.size(), "the fast receiver lost nothing");
        slow.reading = true;
        advance(3_000 * MS);
        DataChannel slowReliable = slow.opened.stream().filter(c -> c.label().equals("reliable")).findFirst()
                .orElseThrow();
        assertNotNull(slowReliable);
        assertTrue(slow.closed.contains(slowReliable), "closed for the slow receiver only");
        assertTrue(fast.closed.isEmpty());
    }
}
