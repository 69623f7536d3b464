package dev.sfu.sctp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelOptions;

/**
 * Coverage-guided fuzz target (Jazzer): arbitrary bytes as an inbound packet to an established association
 * that carries an open data channel. The rule: bad input is counted and dropped, never thrown; and whatever
 * the packet did, the association still answers timers without throwing.
 *
 * <p>The first input byte picks fix-ups so the fuzzer gets past the two checks random bytes never pass:
 * bit 0 writes the association's verification tag into the header, bit 1 a correct CRC32c. The rest is the
 * packet. By default ({@code mvn test}) the committed inputs in
 * {@code src/test/resources/dev/sfu/sctp/SctpFuzzTargetsInputs/inboundPacket/} are replayed (valid INIT, DATA,
 * SACK, FORWARD-TSN, RE-CONFIG and DCEP packets); {@code mvn verify} fuzzes for the annotation's time.
 */
class SctpFuzzTargets {
    @FuzzTest(maxDuration = "10s")
    void inboundPacket(byte[] input) {
        if (input.length < 1) {
            return;
        }
        VirtualNetwork net = new VirtualNetwork(99);
        net.capture = true;
        DataChannelsTest.Side client = new DataChannelsTest.Side(false, net.sinkOfA(), 1);
        DataChannelsTest.Side server = new DataChannelsTest.Side(true, net.sinkOfB(), 2);
        net.a = client;
        net.b = server;
        client.channels.connect(net.now);
        server.channels.connect(net.now);
        net.runUntil(() -> client.connected && server.connected, 10 * SctpConfig.SECOND, "up");
        DataChannel ch = client.channels.open("fuzz", DataChannelOptions.RELIABLE, net.now);
        net.runUntil(() -> server.openedByPeer.size() == 1, 10 * SctpConfig.SECOND, "open");
        ch.send("hello", net.now);
        net.runFor(1 * SctpConfig.SECOND);

        byte[] packet = java.util.Arrays.copyOfRange(input, 1, input.length);
        int mode = input[0];
        SctpAssociation target = server.channels.association();
        if (packet.length >= SctpPacket.COMMON_HEADER) {
            if ((mode & 1) != 0) {
                int tag = tagOf(net);
                packet[4] = (byte) (tag >>> 24);
                packet[5] = (byte) (tag >>> 16);
                packet[6] = (byte) (tag >>> 8);
                packet[7] = (byte) tag;
            }
            if ((mode & 2) != 0) {
                SctpPacket.writeChecksum(packet, 0, packet.length);
            }
        }
        // From an exact-size array (a read past the end throws) and from inside a larger one.
        server.receive(packet, 0, packet.length, net.now);
        byte[] surrounded = new byte[packet.length + 16];
        System.arraycopy(packet, 0, surrounded, 8, packet.length);
        server.receive(surrounded, 8, packet.length, net.now + 1);
        // Whatever state that left, both sides keep running.
        net.runFor(5 * SctpConfig.SECOND);
        if (target.isEstablished()) {
            ch.send("still there", net.now);
            net.runFor(5 * SctpConfig.SECOND);
        }
    }

    /**
     * Arbitrary bytes during the handshake: to an association that has not started (it answers INITs
     * statelessly) and to one waiting for its INIT ACK (COOKIE-WAIT). Bit 0 of the first byte writes the
     * association's own tag into the header (as its INIT announced it), bit 1 a correct CRC32c, bit 2 picks
     * which of the two gets the packet.
     */
    @FuzzTest(maxDuration = "10s")
    void handshakePacket(byte[] input) {
        if (input.length < 1) {
            return;
        }
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        SctpAssociation a = new SctpAssociation(SctpConfig.defaults(), out::add, new AssociationListener() {},
                new java.util.Random(5));
        long now = 1_000_000_000L;
        boolean waiting = (input[0] & 4) != 0;
        int tag;
        if (waiting) {
            a.connect(now);
            tag = ((dev.sfu.sctp.chunk.InitChunk) SctpPacket.parse(out.get(0), 0, out.get(0).length).chunks.get(0))
                    .initiateTag;
        } else {
            // Our tag is what our INIT ACK carries as initiate tag: ask with a valid INIT.
            byte[] init = Crc32cTest.chromeInit();
            a.receive(init, 0, init.length, now);
            tag = ((dev.sfu.sctp.chunk.InitChunk) SctpPacket.parse(out.get(0), 0, out.get(0).length).chunks.get(0))
                    .initiateTag;
        }
        byte[] packet = java.util.Arrays.copyOfRange(input, 1, input.length);
        if (packet.length >= SctpPacket.COMMON_HEADER) {
            if ((input[0] & 1) != 0) {
                packet[4] = (byte) (tag >>> 24);
                packet[5] = (byte) (tag >>> 16);
                packet[6] = (byte) (tag >>> 8);
                packet[7] = (byte) tag;
            }
            if ((input[0] & 2) != 0) {
                SctpPacket.writeChecksum(packet, 0, packet.length);
            }
        }
        a.receive(packet, 0, packet.length, now + 1);
        // Whatever it did, its timers run without throwing, and it ends (fails or stays) within bounds.
        for (int i = 0; i < 20 && a.nextTimeoutNanos() != Long.MAX_VALUE; i++) {
            a.handleTimeout(Math.max(a.nextTimeoutNanos(), now + 2));
        }
        a.send(0, 51, new byte[] {1}, SendOptions.RELIABLE, now + 3);
    }

    /**
     * Several packets in a row to an established association that carries a channel, each with the tag and
     * checksum fixed up, with time moving between them, to reach the states one packet cannot (shutdown,
     * deferred resets, abandoned data). Input: repeated [delay ms (1 byte)][length (1 byte)][packet bytes
     * after the 12-byte header (length bytes)].
     */
    @FuzzTest(maxDuration = "10s")
    void packetSequence(byte[] input) {
        VirtualNetwork net = new VirtualNetwork(7);
        net.capture = true;
        DataChannelsTest.Side client = new DataChannelsTest.Side(false, net.sinkOfA(), 1);
        DataChannelsTest.Side server = new DataChannelsTest.Side(true, net.sinkOfB(), 2);
        net.a = client;
        net.b = server;
        client.channels.connect(net.now);
        server.channels.connect(net.now);
        net.runUntil(() -> client.connected && server.connected, 10 * SctpConfig.SECOND, "up");
        DataChannel ch = client.channels.open("fuzz", DataChannelOptions.RELIABLE, net.now);
        net.runUntil(() -> server.openedByPeer.size() == 1, 10 * SctpConfig.SECOND, "open");
        int tag = tagOf(net);
        int p = 0;
        for (int n = 0; n < 16 && input.length - p >= 2; n++) {
            int delay = input[p] & 0xFF;
            int len = Math.min(input[p + 1] & 0xFF, input.length - p - 2);
            byte[] packet = new byte[SctpPacket.COMMON_HEADER + len];
            packet[0] = (byte) 0x13;
            packet[1] = (byte) 0x88;
            packet[2] = (byte) 0x13;
            packet[3] = (byte) 0x88;
            packet[4] = (byte) (tag >>> 24);
            packet[5] = (byte) (tag >>> 16);
            packet[6] = (byte) (tag >>> 8);
            packet[7] = (byte) tag;
            System.arraycopy(input, p + 2, packet, SctpPacket.COMMON_HEADER, len);
            SctpPacket.writeChecksum(packet, 0, packet.length);
            p += 2 + len;
            net.runFor(delay * SctpConfig.MS);
            server.receive(packet, 0, packet.length, net.now);
            if ((delay & 1) != 0) {
                server.channels.channels().forEach(c -> c.send("x", net.now));
            }
        }
        net.runFor(10 * SctpConfig.SECOND);
        if (server.channels.association().isEstablished()) {
            ch.send("still there", net.now);
            net.runFor(5 * SctpConfig.SECOND);
        }
    }

    /** The tag that packets to the server must carry: the one the client puts on what it sends. */
    private static int tagOf(VirtualNetwork net) {
        byte[] last = net.capturedAtoB.get(net.capturedAtoB.size() - 1);
        return SctpPacket.verificationTag(last, 0);
    }
}
