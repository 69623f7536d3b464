package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared port under many transports, garbage, and peers that vanish. */
class IcePortTest {

    private static IceConfig loopback(Duration consentTimeout) {
        return new IceConfig("127.0.0.1", 0, List.of("127.0.0.1"), 0, null, consentTimeout);
    }

    /** Sends until the other side has it (the first packets may race the selected pair). */
    private static byte[] exchange(IceTransport from, java.util.concurrent.BlockingQueue<byte[]> to, byte[] packet)
            throws InterruptedException {
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
    @Timeout(180)
    void manyTransportsShareOnePortAndEachGetsOnlyItsOwnPackets() throws Exception {
        int count = 200;
        try (MediaPort port = MediaPort.open(loopback(Duration.ofSeconds(30)))) {
            List<IceLoopbackTest.Pair> pairs = new ArrayList<>();
            IceLoopbackTestPort.set(port);
            try {
                for (int i = 0; i < count; i++) {
                    pairs.add(new IceLoopbackTest.Pair(Integer.toString(i)));
                }
                for (IceLoopbackTest.Pair p : pairs) {
                    p.awaitConnected();
                }
                for (int i = 0; i < count; i++) {
                    byte[] mine = IceLoopbackTest.rtpLike(i);
                    mine[60] = (byte) (i >> 8);
                    assertArrayEquals(mine, exchange(pairs.get(i).client, pairs.get(i).serverReceived, mine), "transport " + i);
                }
                // Nothing of one transport reached another: every server side holds only its own marker.
                for (int i = 0; i < count; i++) {
                    for (byte[] b : pairs.get(i).serverReceived) {
                        assertEquals((byte) i, b[50], "transport " + i + " got another's packet");
                    }
                }
                assertEquals(count, port.openTransports());
            } finally {
                pairs.forEach(IceLoopbackTest.Pair::close);
                IceLoopbackTestPort.clear();
            }
            assertEquals(0, port.openTransports());
        }
    }

    @Test
    @Timeout(60)
    void garbageIsDroppedAndCountedAndValidTransportsGoOn() throws Exception {
        try (MediaPort port = MediaPort.open(loopback(Duration.ofSeconds(30)))) {
            IceLoopbackTestPort.set(port);
            try (IceLoopbackTest.Pair pair = new IceLoopbackTest.Pair("g")) {
                pair.awaitConnected();
                assertArrayEquals(IceLoopbackTest.rtpLike(1), exchange(pair.client, pair.serverReceived, IceLoopbackTest.rtpLike(1)));
                // From a stranger: random bytes, a truncated STUN header, a Binding request for an unknown ufrag.
                Random random = new Random(1);
                InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port.udpPort());
                try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    for (int i = 0; i < 500; i++) {
                        byte[] junk = new byte[1 + random.nextInt(200)];
                        random.nextBytes(junk);
                        stranger.send(new DatagramPacket(junk, junk.length, target));
                    }
                    byte[] truncatedStun = HexFormat.of().parseHex("0001000c2112a442");
                    stranger.send(new DatagramPacket(truncatedStun, truncatedStun.length, target));
                    byte[] unknownUfrag = HexFormat.of().parseHex("000100102112a442000102030405060708090a0b"
                            + "00060009" + "6e6f626f64793a78" + "78000000");
                    stranger.send(new DatagramPacket(unknownUfrag, unknownUfrag.length, target));
                }
                // From the connected peer itself: bytes that are neither STUN, DTLS nor RTP (RFC 7983).
                long before = port.packetsDropped();
                byte[] notMedia = new byte[40];
                notMedia[0] = (byte) 0xff;
                for (int i = 0; i < 10; i++) {
                    pair.client.send(notMedia, 0, notMedia.length);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (port.packetsDropped() < before + 10 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(before + 10, port.packetsDropped());
                pair.serverReceived.clear();
                byte[] after = IceLoopbackTest.rtpLike(2);
                assertArrayEquals(after, exchange(pair.client, pair.serverReceived, after), "the valid transport goes on");
            } finally {
                IceLoopbackTestPort.clear();
            }
        }
    }

    @Test
    @Timeout(60)
    void aPeerThatVanishesIsDeclaredFailedWhenConsentExpires() throws Exception {
        try (MediaPort port = MediaPort.open(loopback(Duration.ofSeconds(2)))) {
            IceLoopbackTestPort.set(port);
            try (IceLoopbackTest.Pair alive = new IceLoopbackTest.Pair("alive");
                    IceLoopbackTest.Pair gone = new IceLoopbackTest.Pair("gone")) {
                CompletableFuture<String> aliveFailed = new CompletableFuture<>();
                CompletableFuture<String> goneFailed = new CompletableFuture<>();
                alive.awaitConnected();
                gone.awaitConnected();
                alive.server.setListener(failure(aliveFailed));
                gone.server.setListener(failure(goneFailed));
                long vanished = System.nanoTime();
                gone.client.close(); // its network is gone: nothing more arrives from it
                // The other peer keeps sending media.
                while (!goneFailed.isDone() && System.nanoTime() - vanished < TimeUnit.SECONDS.toNanos(10)) {
                    alive.client.send(IceLoopbackTest.rtpLike(3), 0, 100);
                    Thread.sleep(20);
                }
                assertEquals("consent expired", goneFailed.get(1, TimeUnit.SECONDS));
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - vanished);
                assertTrue(seconds >= 2 && seconds <= 4, "declared failed after " + seconds + " s");
                assertTrue(!aliveFailed.isDone(), "a peer that keeps sending stays connected");
            } finally {
                IceLoopbackTestPort.clear();
            }
        }
    }

    private static IceTransport.Listener failure(CompletableFuture<String> failed) {
        return new IceTransport.Listener() {
            @Override
            public void onConnected(InetSocketAddress remote) {
            }

            @Override
            public void onFailed(String reason) {
                failed.complete(reason);
            }
        };
    }
}
