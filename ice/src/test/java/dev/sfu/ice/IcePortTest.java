package dev.sfu.ice;

import static dev.sfu.ice.IceTestSupport.exchange;
import static dev.sfu.ice.IceTestSupport.listener;
import static dev.sfu.ice.IceTestSupport.rtpLike;
import static dev.sfu.ice.IceTestSupport.waitFor;
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
import dev.sfu.ice.IceTestSupport.Pair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared port under many transports, garbage, and peers that vanish. */
class IcePortTest {

    private static IceConfig loopback(Duration consentTimeout) {
        return new IceConfig("127.0.0.1", 0, List.of("127.0.0.1"), 0, null, consentTimeout, RemoteCandidateScope.PERMISSIVE);
    }

    @Test
    @Timeout(180)
    void manyTransportsShareOnePortAndEachGetsOnlyItsOwnPackets() throws Exception {
        int count = 200;
        try (MediaPort port = MediaPort.open(loopback(Duration.ofSeconds(30)))) {
            List<Pair> pairs = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    pairs.add(new Pair(port, Integer.toString(i), IceTransport.Mode.UDP));
                }
                for (Pair p : pairs) {
                    p.awaitConnected();
                }
                for (int i = 0; i < count; i++) {
                    byte[] mine = rtpLike(i);
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
                pairs.forEach(Pair::close);
            }
            assertEquals(0, port.openTransports());
        }
    }

    @Test
    @Timeout(60)
    void garbageIsDroppedAndCountedAndValidTransportsGoOn() throws Exception {
        try (MediaPort port = MediaPort.open(loopback(Duration.ofSeconds(30)))) {
            try (Pair pair = new Pair(port, "g", IceTransport.Mode.UDP)) {
                pair.awaitConnected();
                assertArrayEquals(rtpLike(1), exchange(pair.client, pair.serverReceived, rtpLike(1)));
                // From a stranger: random bytes, a truncated STUN header, and first Binding requests that
                // fail each check made before ice4j sees them.
                Random random = new Random(1);
                InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port.udpPort());
                byte[] key = pair.server.localPassword().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] wrongKey = "not-the-password-of-it".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                String username = pair.server.localUfrag() + ":x";
                try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    for (int i = 0; i < 500; i++) {
                        byte[] junk = new byte[1 + random.nextInt(200)];
                        random.nextBytes(junk);
                        stranger.send(new DatagramPacket(junk, junk.length, target));
                    }
                    byte[] truncatedStun = HexFormat.of().parseHex("0001000c2112a442");
                    stranger.send(new DatagramPacket(truncatedStun, truncatedStun.length, target));
                    byte[] unknownUfrag = binding("nobody:x", key);
                    byte[] wrongPassword = binding(username, wrongKey);
                    byte[] signed = binding(username, key);
                    // Without FINGERPRINT (the header's length shortened by it): reaches our check.
                    byte[] noFingerprint = java.util.Arrays.copyOf(signed, signed.length - 8);
                    Stun.writeUint16(noFingerprint, 2, noFingerprint.length - 20);
                    // With a wrong one: ice4j's STUN decoder rejects it before our check (not counted).
                    byte[] wrongFingerprint = signed.clone();
                    wrongFingerprint[wrongFingerprint.length - 1] ^= 1;
                    for (int i = 0; i < 3; i++) {
                        stranger.send(new DatagramPacket(unknownUfrag, unknownUfrag.length, target));
                        stranger.send(new DatagramPacket(wrongPassword, wrongPassword.length, target));
                        stranger.send(new DatagramPacket(noFingerprint, noFingerprint.length, target));
                        stranger.send(new DatagramPacket(wrongFingerprint, wrongFingerprint.length, target));
                    }
                }
                IceDrops drops = port.drops();
                waitFor(() -> drops.get(IceDrops.Reason.UNKNOWN_UFRAG) == 3 && drops.get(IceDrops.Reason.WRONG_PASSWORD) == 3
                        && drops.get(IceDrops.Reason.BAD_FINGERPRINT) == 3);
                assertEquals(3, drops.get(IceDrops.Reason.UNKNOWN_UFRAG));
                assertEquals(3, drops.get(IceDrops.Reason.WRONG_PASSWORD));
                assertEquals(3, drops.get(IceDrops.Reason.BAD_FINGERPRINT), "the three without FINGERPRINT only");
                // Random bytes, the truncated header and the wrong FINGERPRINT from a new address never reach
                // our code: ice4j drops them uncounted when it cannot decode a USERNAME (docs/security.md).
                assertEquals(9, drops.total());
                // From the connected peer itself: bytes that are neither STUN, DTLS nor RTP (RFC 7983).
                long before = port.packetsDropped();
                byte[] notMedia = new byte[40];
                notMedia[0] = (byte) 0xff;
                for (int i = 0; i < 10; i++) {
                    pair.client.send(notMedia, 0, notMedia.length);
                }
                waitFor(() -> port.packetsDropped() >= before + 10);
                assertEquals(before + 10, port.packetsDropped());
                assertEquals(10, drops.get(IceDrops.Reason.NOT_DEMULTIPLEXABLE));
                pair.serverReceived.clear();
                byte[] after = rtpLike(2);
                assertArrayEquals(after, exchange(pair.client, pair.serverReceived, after), "the valid transport goes on");
            }
        }
    }

    @Test
    @Timeout(60)
    void aPeerThatVanishesIsDeclaredFailedWhenConsentExpires() throws Exception {
        try (MediaPort port = MediaPort.open(loopback(Duration.ofSeconds(2)))) {
            try (Pair alive = new Pair(port, "alive", IceTransport.Mode.UDP);
                    Pair gone = new Pair(port, "gone", IceTransport.Mode.UDP)) {
                CompletableFuture<String> aliveFailed = new CompletableFuture<>();
                CompletableFuture<String> goneFailed = new CompletableFuture<>();
                alive.awaitConnected();
                gone.awaitConnected();
                alive.server.setListener(listener(null, aliveFailed));
                gone.server.setListener(listener(null, goneFailed));
                long vanished = System.nanoTime();
                gone.client.close(); // its network is gone: nothing more arrives from it
                // The other peer keeps sending media.
                while (!goneFailed.isDone() && System.nanoTime() - vanished < TimeUnit.SECONDS.toNanos(10)) {
                    alive.client.send(rtpLike(3), 0, 100);
                    Thread.sleep(20);
                }
                assertEquals("consent expired", goneFailed.get(1, TimeUnit.SECONDS));
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - vanished);
                assertTrue(seconds >= 2 && seconds <= 4, "declared failed after " + seconds + " s");
                assertTrue(!aliveFailed.isDone(), "a peer that keeps sending stays connected");
            }
        }
    }

    @Test
    @Timeout(60)
    void consentIsCheckedOnlyWhileTransportsExist() throws Exception {
        try (MediaPort port = MediaPort.open(loopback(Duration.ofSeconds(2)))) {
            assertTrue(!port.consentChecksScheduled(), "an idle port schedules nothing");
            try (Pair first = new Pair(port, "first", IceTransport.Mode.UDP)) {
                first.awaitConnected();
                assertTrue(port.consentChecksScheduled());
            }
            waitFor(() -> !port.consentChecksScheduled());
            assertTrue(!port.consentChecksScheduled(), "the check stops with the last transport");
            // Scheduled again for the next transport: a peer that vanishes is still found out.
            try (Pair gone = new Pair(port, "gone", IceTransport.Mode.UDP)) {
                CompletableFuture<String> failed = new CompletableFuture<>();
                gone.awaitConnected();
                gone.server.setListener(listener(null, failed));
                gone.client.close();
                assertEquals("consent expired", failed.get(10, TimeUnit.SECONDS));
            }
        }
    }

    /** A first Binding request as a controlling peer sends it, signed with {@code key}. */
    private static byte[] binding(String username, byte[] key) {
        byte[] m = new byte[200];
        byte[] transaction = new byte[12];
        new Random().nextBytes(transaction);
        int n = Stun.bindingRequest(m, 0, transaction, username, 0x6e7fffffL, 3, false, key);
        return java.util.Arrays.copyOf(m, n);
    }
}
