package dev.sfu.ice;

import static dev.sfu.ice.IceTestSupport.listener;
import static dev.sfu.ice.IceTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server transport's {@link RemoteCandidatePolicy} on real sockets, all on 127.0.0.1: loopback is what a
 * strict policy refuses, so a "trap" socket there shows whether anything was sent to a refused candidate.
 */
class RemoteCandidatePolicyTest {
    private static final String PEER_UFRAG = "peerUfrag";
    private static final String PEER_PASSWORD = "peerPassword0123456789+/";

    private static MediaPort openPort() throws IOException {
        return MediaPort.open(IceConfig.loopback(0).toBuilder().consentTimeout(Duration.ofSeconds(30)).build());
    }

    private static String hostCandidate(int port) {
        return "candidate:1 1 udp 2122260223 127.0.0.1 " + port + " typ host generation 0";
    }

    /** The first datagram the trap receives within {@code millis}, or null. */
    private static byte[] receive(DatagramSocket trap, int millis) throws IOException {
        trap.setSoTimeout(millis);
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            trap.receive(p);
            return Arrays.copyOf(buf, p.getLength());
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /**
     * The trap is both a signalled candidate and the source of valid Binding requests (the two ways a peer
     * points the server somewhere). Under a strict policy it receives nothing in 3 s of requests every
     * 300 ms; the control, the same under a policy that allows loopback, gets answers and the server's own
     * checks. (ice4j's single-port candidates send nothing to a signalled candidate before that address has
     * sent a request: the control's first datagram is the answer to its request.)
     */
    @Test
    @Timeout(60)
    void aStrictPolicyNeverSendsToARefusedCandidate() throws Exception {
        try (MediaPort port = openPort();
                DatagramSocket trap = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket control = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            IceTransport strict = port.createTransport("strict", RemoteCandidatePolicy.strict());
            IceTransport loopbackAllowed = port.createTransport("loopback", RemoteCandidatePolicy.allowLoopback());
            try {
                // Before and after start (trickle): neither reaches ice4j.
                strict.addRemoteCandidate(hostCandidate(trap.getLocalPort()));
                strict.start(PEER_UFRAG, PEER_PASSWORD);
                strict.addRemoteCandidate("candidate:2 1 udp 2122260222 127.0.0.2 " + trap.getLocalPort()
                        + " typ host generation 0");
                loopbackAllowed.addRemoteCandidate(hostCandidate(control.getLocalPort()));
                loopbackAllowed.start(PEER_UFRAG, PEER_PASSWORD);
                int trapReceived = 0;
                int controlAnswers = 0;
                int controlChecks = 0;
                for (int round = 0; round < 10; round++) {
                    bind(trap, port, strict);
                    bind(control, port, loopbackAllowed);
                    if (receive(trap, 300) != null) {
                        trapReceived++;
                    }
                    for (byte[] m; (m = receive(control, 1)) != null; ) {
                        if (Stun.isMessage(m, 0, m.length) && Stun.type(m, 0) == Stun.BINDING_SUCCESS) {
                            controlAnswers++;
                        } else if (Stun.isMessage(m, 0, m.length) && Stun.type(m, 0) == Stun.BINDING_REQUEST) {
                            controlChecks++;
                        }
                    }
                }
                assertEquals(0, trapReceived, "datagrams to a refused address");
                assertTrue(controlAnswers > 0, "the control is answered");
                System.out.printf("policy: trap got %d datagrams; control got %d answers and %d checks%n",
                        trapReceived, controlAnswers, controlChecks);
                assertEquals(2, port.drops().get(IceDrops.Reason.CANDIDATE_ADDRESS_REFUSED));
                assertEquals(10, port.drops().get(IceDrops.Reason.SOURCE_ADDRESS_REFUSED));
            } finally {
                strict.close();
                loopbackAllowed.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void candidatesBeyondTheLimitAreIgnoredAndCounted() throws Exception {
        try (MediaPort port = openPort()) {
            // Strict: every loopback candidate is refused anyway, so nothing is sent whatever the count.
            IceTransport t = port.createTransport("many", RemoteCandidatePolicy.strict());
            try {
                for (int i = 0; i < 40; i++) {
                    t.addRemoteCandidate("candidate:" + i + " 1 udp 2122260223 127.0.0.1 " + (20000 + i)
                            + " typ host generation 0");
                }
                t.addRemoteCandidate("candidate:x 1 udp 2122260223 4d2c7a3b.local 9 typ host");
                assertEquals(32, port.drops().get(IceDrops.Reason.CANDIDATE_ADDRESS_REFUSED));
                assertEquals(9, port.drops().get(IceDrops.Reason.TOO_MANY_CANDIDATES));
            } finally {
                t.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void invalidRemoteCredentialsFailTheTransportUnderAStrictPolicy() throws Exception {
        try (MediaPort port = openPort()) {
            IceTransport t = port.createTransport("creds", RemoteCandidatePolicy.allowLoopback());
            CompletableFuture<String> failed = new CompletableFuture<>();
            t.setListener(listener(null, failed));
            t.start("bad ufrag\u0000", PEER_PASSWORD);
            assertTrue(failed.get(5, TimeUnit.SECONDS).startsWith("invalid remote ICE credentials"));
            assertEquals(1, port.drops().get(IceDrops.Reason.BAD_REMOTE_CREDENTIALS));
            assertEquals(0, port.openTransports());
            // A port that advertises loopback takes loopback peers by default (auto), nothing special.
            assertTrue(port.remoteCandidatePolicy().allows(java.net.InetAddress.getLoopbackAddress()));
            assertFalse(port.remoteCandidatePolicy().allows(java.net.InetAddress.getByName("169.254.169.254")));
            // A permissive port takes what it is given, as before the policy existed.
            port.setRemoteCandidatePolicy(RemoteCandidatePolicy.permissive());
            IceTransport old = port.createTransport("old");
            old.start("peer", "peer-password-0123456789");
            assertFalse(old.isClosed());
            old.close();
            // A port-wide policy applies to every transport made after it is set.
            port.setRemoteCandidatePolicy(RemoteCandidatePolicy.allowLoopback());
            IceTransport later = port.createTransport("later");
            later.start("peer", "peer-password-0123456789"); // '-' is no ice-char
            assertTrue(later.isClosed());
            assertEquals(2, port.drops().get(IceDrops.Reason.BAD_REMOTE_CREDENTIALS));
        }
    }

    @Test
    @Timeout(60)
    void aStrictPolicyRefusesALoopbackSourceAndCapsSourcesPerUfrag() throws Exception {
        try (MediaPort port = openPort()) {
            IceTransport strict = port.createTransport("strict-src", RemoteCandidatePolicy.strict());
            IceTransport capped = port.createTransport("capped-src",
                    RemoteCandidatePolicy.allowLoopback().withLimits(32, 2));
            List<DatagramSocket> peers = new ArrayList<>();
            try {
                strict.start(PEER_UFRAG, PEER_PASSWORD);
                capped.start(PEER_UFRAG, PEER_PASSWORD);
                // A valid first Binding request from 127.0.0.1 to the strict transport: dropped, unanswered.
                DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                peers.add(s);
                bind(s, port, strict);
                assertNull(receive(s, 1500), "no answer to a refused source");
                assertEquals(1, port.drops().get(IceDrops.Reason.SOURCE_ADDRESS_REFUSED));
                // Three sources for the capped transport: two answered, the third dropped and counted. (A
                // source takes its place when its first request is accepted, answered or not: on a loaded
                // machine the answer can take a while, so the first two retry for up to 10 s.)
                for (int i = 0; i < 2; i++) {
                    DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                    peers.add(peer);
                    byte[] answer = null;
                    for (int attempt = 0; attempt < 10 && answer == null; attempt++) {
                        bind(peer, port, capped);
                        answer = receive(peer, 1000);
                    }
                    assertTrue(answer != null && Stun.type(answer, 0) == Stun.BINDING_SUCCESS, "source " + i);
                }
                DatagramSocket third = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                peers.add(third);
                for (int attempt = 0; attempt < 3; attempt++) {
                    bind(third, port, capped);
                    assertNull(receive(third, 500), "a third source is not answered");
                }
                assertEquals(3, port.drops().get(IceDrops.Reason.TOO_MANY_SOURCES));
            } finally {
                peers.forEach(DatagramSocket::close);
                strict.close();
                capped.close();
            }
        }
    }

    /** A Binding request as a controlling browser sends it to {@code server}. */
    private static void bind(DatagramSocket from, MediaPort port, IceTransport server) throws IOException {
        byte[] m = new byte[200];
        byte[] transaction = new byte[12];
        new Random().nextBytes(transaction);
        int n = Stun.bindingRequest(m, 0, transaction, server.localUfrag() + ":" + PEER_UFRAG, 0x6e7fffffL, 7,
                false, server.localPassword().getBytes(StandardCharsets.UTF_8));
        from.send(new DatagramPacket(m, n, new InetSocketAddress(InetAddress.getLoopbackAddress(), port.udpPort())));
    }
}
