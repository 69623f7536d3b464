package dev.sfu.dtls;

import dev.sfu.dtls.srtp.SrtpProfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Our DTLS client and server roles against each other over an in-memory datagram link. */
class DtlsHandshakeTest {
    private static final ExecutorService HANDSHAKES = Executors.newFixedThreadPool(4);
    private static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();

    @AfterAll
    static void stop() {
        HANDSHAKES.shutdownNow();
    }

    /** One side's view of a handshake outcome. */
    private static final class Outcome implements DtlsTransport.Listener {
        final CompletableFuture<SrtpSession> session = new CompletableFuture<>();

        @Override
        public void onConnected(SrtpSession s) {
            session.complete(s);
        }

        @Override
        public void onFailed(String reason) {
            session.completeExceptionally(new IllegalStateException(reason));
        }

        @Override
        public void onClosed() {
        }
    }

    /** A link that drops a share of datagrams and delivers the rest, some out of order. */
    private static final class Link {
        final Random random = new Random(1);
        final double loss;
        DtlsTransport a;
        DtlsTransport b;
        byte[] held; // one datagram held back to reorder it after the next
        DtlsTransport heldFor;

        Link(double loss) {
            this.loss = loss;
        }

        synchronized void deliver(DtlsTransport to, byte[] buf, int off, int len) {
            if (random.nextDouble() < loss) {
                return;
            }
            byte[] copy = Arrays.copyOfRange(buf, off, off + len);
            if (held == null && random.nextDouble() < 0.2) {
                held = copy;
                heldFor = to;
                return;
            }
            to.receive(copy, 0, copy.length);
            if (held != null) {
                heldFor.receive(held, 0, held.length);
                held = null;
            }
        }
    }

    private static SrtpSession[] handshake(double loss, String clientFingerprintSignalled) throws Exception {
        return handshake(loss, clientFingerprintSignalled, SrtpProfile.values());
    }

    private static SrtpSession[] handshake(double loss, String clientFingerprintSignalled,
            SrtpProfile... clientOffers) throws Exception {
        Link link = new Link(loss);
        Outcome server = new Outcome();
        Outcome client = new Outcome();
        link.a = new DtlsTransport(DtlsRole.SERVER, SERVER_CERT, HANDSHAKES, (b, o, l) -> link.deliver(link.b, b, o, l), server);
        link.b = new DtlsTransport(DtlsRole.CLIENT, CLIENT_CERT, HANDSHAKES, (b, o, l) -> link.deliver(link.a, b, o, l), client);
        link.b.setSrtpProfiles(clientOffers);
        link.a.setRemoteFingerprint("sha-256", clientFingerprintSignalled);
        link.b.setRemoteFingerprint("sha-256", SERVER_CERT.fingerprintSha256());
        link.a.start();
        link.b.start();
        try {
            return new SrtpSession[] {server.session.get(30, TimeUnit.SECONDS), client.session.get(30, TimeUnit.SECONDS)};
        } finally {
            link.a.close();
            link.b.close();
        }
    }

    @Test
    @Timeout(60)
    void handshakeOverALossyReorderingLinkThenSrtpBothWays() throws Exception {
        SrtpSession[] sessions = handshake(0.2, CLIENT_CERT.fingerprintSha256());
        SrtpSession server = sessions[0];
        SrtpSession client = sessions[1];
        assertEquals(server.profile(), client.profile());
        assertEquals(dev.sfu.dtls.srtp.SrtpProfile.AEAD_AES_128_GCM, server.profile());
        for (int seq = 0; seq < 100; seq++) {
            roundTrip(client, server, seq);
            roundTrip(server, client, seq);
        }
    }

    /** A client that offers only AES-CM (as some non-browser clients do) gets AES-CM, lossy link and all. */
    @Test
    @Timeout(60)
    void handshakeNegotiatesAesCmWhenTheClientOffersOnlyThat() throws Exception {
        SrtpSession[] sessions = handshake(0.2, CLIENT_CERT.fingerprintSha256(), SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, sessions[0].profile());
        assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, sessions[1].profile());
        for (int seq = 0; seq < 100; seq++) {
            roundTrip(sessions[1], sessions[0], seq);
            roundTrip(sessions[0], sessions[1], seq);
        }
    }

    @Test
    @Timeout(60)
    void aPeerWhoseCertificateDoesNotMatchItsFingerprintIsRejected() {
        String someoneElse = DtlsCertificate.generate().fingerprintSha256();
        long mismatchesBefore = DtlsTransport.fingerprintMismatches();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> handshake(0, someoneElse));
        assertTrue(e.toString().contains("bad_certificate") || e.getCause() != null, e.toString());
        assertTrue(DtlsTransport.fingerprintMismatches() > mismatchesBefore, "the mismatch is counted");
    }

    @Test
    @Timeout(30)
    void warmUpCompletesAnInMemoryHandshake() {
        assertTrue(DtlsTransport.warmUp());
    }

    /** Both profiles: the client's and the server's halves of one keying material talk to each other. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(dev.sfu.dtls.srtp.SrtpProfile.class)
    void keyingMaterialSplitsIntoMatchingClientAndServerSessions(dev.sfu.dtls.srtp.SrtpProfile profile) {
        byte[] material = new byte[2 * (profile.keyLength() + profile.saltLength())];
        new java.util.Random(3).nextBytes(material);
        SrtpSession client = SrtpSession.fromKeyingMaterial(profile, material, true);
        SrtpSession server = SrtpSession.fromKeyingMaterial(profile, material, false);
        for (int seq = 65_000; seq < 67_000; seq++) { // across the sequence wrap
            roundTrip(client, server, seq & 0xffff);
            roundTrip(server, client, seq & 0xffff);
        }
        // Each side's own keys must not open its own packets: the directions use different keys.
        SrtpSession other = SrtpSession.fromKeyingMaterial(profile, material, true);
        byte[] packet = new byte[100 + SrtpSession.MAX_OVERHEAD];
        packet[0] = (byte) 0x80;
        int n = client.protectRtp(packet, 0, 100);
        assertEquals(SrtpSession.ERR_AUTH, other.unprotectRtp(packet, 0, n));
    }

    @Test
    void sessionCountsWhatItProtectsAndDropsByReason() {
        byte[] key = new byte[16];
        byte[] salt = new byte[12];
        SrtpSession a = SrtpSession.create(dev.sfu.dtls.srtp.SrtpProfile.AEAD_AES_128_GCM, key, salt, key, salt);
        SrtpSession b = SrtpSession.create(dev.sfu.dtls.srtp.SrtpProfile.AEAD_AES_128_GCM, key, salt, key, salt);
        byte[] packet = new byte[100 + SrtpSession.MAX_OVERHEAD];
        packet[0] = (byte) 0x80;
        int n = a.protectRtp(packet, 0, 100);
        byte[] copy = packet.clone();
        assertEquals(100, b.unprotectRtp(packet, 0, n));
        assertEquals(SrtpSession.ERR_REPLAY, b.unprotectRtp(copy, 0, n));
        assertEquals(SrtpSession.ERR_TRUNCATED, b.unprotectRtp(copy, 0, 3));
        assertEquals(1, a.rtpProtected());
        assertEquals(1, b.rtpUnprotected());
        assertEquals(1, b.dropped(SrtpSession.ERR_REPLAY));
        assertEquals(1, b.dropped(SrtpSession.ERR_TRUNCATED));
        assertEquals(0, b.dropped(SrtpSession.ERR_AUTH));
        assertEquals(2, b.dropped());
    }

    static void roundTrip(SrtpSession from, SrtpSession to, int seq) {
        byte[] packet = new byte[200 + SrtpSession.MAX_OVERHEAD];
        packet[0] = (byte) 0x80;
        packet[1] = 96;
        packet[2] = (byte) (seq >> 8);
        packet[3] = (byte) seq;
        packet[11] = 7;
        for (int i = 12; i < 200; i++) {
            packet[i] = (byte) (i * seq);
        }
        byte[] original = Arrays.copyOf(packet, 200);
        int protectedLength = from.protectRtp(packet, 0, 200);
        assertTrue(protectedLength > 200);
        assertEquals(200, to.unprotectRtp(packet, 0, protectedLength));
        assertArrayEquals(original, Arrays.copyOf(packet, 200));
    }

    @Test
    void fingerprintIsUppercaseHexPairs() {
        assertTrue(SERVER_CERT.fingerprintSha256().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"));
    }

    @Test
    void roleFollowsSetupAttributes() {
        assertEquals(DtlsRole.SERVER, DtlsRole.of("passive", "actpass"));
        assertEquals(DtlsRole.CLIENT, DtlsRole.of("active", "actpass"));
        assertEquals(DtlsRole.SERVER, DtlsRole.of("actpass", "active"));
        assertEquals(DtlsRole.CLIENT, DtlsRole.of("actpass", "passive"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DtlsRole.of("active", "active"));
        assertEquals(DtlsRole.SERVER, DtlsRole.fromRemoteSetup("active"));
        assertEquals(DtlsRole.CLIENT, DtlsRole.fromRemoteSetup("passive"));
        assertEquals(DtlsRole.CLIENT, DtlsRole.fromRemoteSetup("actpass"));
        assertEquals("active", DtlsRole.fromRemoteSetup("actpass").setupValue());
        assertEquals("passive", DtlsRole.fromRemoteSetup("active").setupValue());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DtlsRole.fromRemoteSetup("holdconn"));
    }

    /**
     * Issue 17 point 4: a server started with startOnClientHello costs no handshake thread until the peer's
     * ClientHello arrives, whatever else comes first, and then completes the handshake as usual.
     */
    @Test
    @Timeout(60)
    void aLazyServerTakesAThreadOnlyWhenTheClientHelloArrives() throws Exception {
        java.util.concurrent.atomic.AtomicInteger serverTasks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Executor countingExecutor = task -> {
            serverTasks.incrementAndGet();
            HANDSHAKES.execute(task);
        };
        Link link = new Link(0);
        Outcome server = new Outcome();
        Outcome client = new Outcome();
        link.a = new DtlsTransport(DtlsRole.SERVER, SERVER_CERT, countingExecutor, (b, o, l) -> link.deliver(link.b, b, o, l), server);
        link.b = new DtlsTransport(DtlsRole.CLIENT, CLIENT_CERT, HANDSHAKES, (b, o, l) -> link.deliver(link.a, b, o, l), client);
        link.a.setRemoteFingerprint("sha-256", CLIENT_CERT.fingerprintSha256());
        link.b.setRemoteFingerprint("sha-256", SERVER_CERT.fingerprintSha256());
        try {
            link.a.startOnClientHello();
            // Not a ClientHello: an application-data record, a handshake record of another type, a fragment.
            byte[] notHello = new byte[40];
            notHello[0] = 23;
            notHello[1] = (byte) 0xfe;
            link.a.receive(notHello, 0, notHello.length);
            notHello[0] = 22;
            notHello[13] = 2; // server_hello
            link.a.receive(notHello, 0, notHello.length);
            notHello[13] = 1;
            notHello[13 + 8] = 5; // a later fragment of a ClientHello
            link.a.receive(notHello, 0, notHello.length);
            Thread.sleep(200);
            assertEquals(0, serverTasks.get(), "no handshake thread before a ClientHello");
            assertTrue(!link.a.isStarted());
            link.b.start(); // its ClientHello starts the server
            SrtpSession s = server.session.get(30, TimeUnit.SECONDS);
            client.session.get(30, TimeUnit.SECONDS);
            assertTrue(link.a.isStarted());
            assertEquals(1, serverTasks.get(), "one handshake task");
            assertEquals(SrtpProfile.AEAD_AES_128_GCM, s.profile());
        } finally {
            link.a.close();
            link.b.close();
        }
    }

    /** Admits nothing until opened; counts what it admitted and what was released. */
    private static final class Gate implements DtlsTransport.Admission {
        final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        volatile boolean open;

        @Override
        public boolean tryAcquire() {
            if (!open) {
                refused.incrementAndGet();
                return false;
            }
            held.incrementAndGet();
            return true;
        }

        @Override
        public void release() {
            held.decrementAndGet();
        }
    }

    /**
     * Issue 17 point 4, quotas: a server refused by its admission takes no thread and waits for the
     * client's retransmitted ClientHello, which starts the handshake once admitted; the admission is
     * released when the handshake is over.
     */
    @Test
    @Timeout(60)
    void aServerOverItsQuotaWaitsForTheRetransmittedClientHello() throws Exception {
        Gate gate = new Gate();
        // A plain link (no loss, no reordering): what is tested is the admission, not the network.
        Link link = new Link(0);
        Outcome server = new Outcome();
        Outcome client = new Outcome();
        link.a = new DtlsTransport(DtlsRole.SERVER, SERVER_CERT, HANDSHAKES,
                (b, o, l) -> link.b.receive(Arrays.copyOfRange(b, o, o + l), 0, l), server, 10_000, gate);
        link.b = new DtlsTransport(DtlsRole.CLIENT, CLIENT_CERT, HANDSHAKES,
                (b, o, l) -> link.a.receive(Arrays.copyOfRange(b, o, o + l), 0, l), client);
        link.a.setRemoteFingerprint("sha-256", CLIENT_CERT.fingerprintSha256());
        link.b.setRemoteFingerprint("sha-256", SERVER_CERT.fingerprintSha256());
        try {
            link.a.start(); // ICE connected: refused, so it waits for a ClientHello instead
            link.b.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gate.refused.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }

            assertTrue(!link.a.isStarted());
            assertEquals(2, gate.refused.get(), "the start and the first ClientHello were refused");
            gate.open = true; // the retransmission (after ~1 s) is admitted
            server.session.get(30, TimeUnit.SECONDS);
            client.session.get(30, TimeUnit.SECONDS);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gate.held.get() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, gate.held.get(), "released when the handshake ended");
        } finally {
            link.a.close();
            link.b.close();
        }
    }

    @Test
    void aClientOverItsQuotaFailsAtOnce() throws Exception {
        Outcome client = new Outcome();
        DtlsTransport t = new DtlsTransport(DtlsRole.CLIENT, CLIENT_CERT, HANDSHAKES, (b, o, l) -> { }, client, 10_000,
                new Gate());
        t.start();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> client.session.get(1, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("too many DTLS handshakes"), e.toString());
    }

    /** A ClientHello that arrived before the server was armed (queued as before) starts it when armed. */
    @Test
    @Timeout(60)
    void aClientHelloQueuedBeforeArmingStartsTheServerWhenArmed() throws Exception {
        Link link = new Link(0);
        Outcome server = new Outcome();
        Outcome client = new Outcome();
        link.a = new DtlsTransport(DtlsRole.SERVER, SERVER_CERT, HANDSHAKES, (b, o, l) -> link.deliver(link.b, b, o, l), server);
        link.b = new DtlsTransport(DtlsRole.CLIENT, CLIENT_CERT, HANDSHAKES, (b, o, l) -> link.deliver(link.a, b, o, l), client);
        link.a.setRemoteFingerprint("sha-256", CLIENT_CERT.fingerprintSha256());
        link.b.setRemoteFingerprint("sha-256", SERVER_CERT.fingerprintSha256());
        try {
            link.b.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!link.a.hasQueuedRecords() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(!link.a.isStarted());
            link.a.startOnClientHello();
            assertTrue(link.a.isStarted());
            server.session.get(30, TimeUnit.SECONDS);
            client.session.get(30, TimeUnit.SECONDS);
        } finally {
            link.a.close();
            link.b.close();
        }
    }

    @Test
    void aClientCannotWaitForAClientHello() {
        DtlsTransport client = new DtlsTransport(DtlsRole.CLIENT, CLIENT_CERT, HANDSHAKES, (b, o, l) -> { }, new Outcome());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, client::startOnClientHello);
    }
}
