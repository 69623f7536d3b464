package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The media port answers the server's own reachability probe, and nothing that only looks like one. */
class StunSelfCheckTest {

    private static IceConfig loopback() {
        return new IceConfig("127.0.0.1", 0, List.of("127.0.0.1"), 0, null, Duration.ofSeconds(30),
                RemoteCandidateScope.PERMISSIVE);
    }

    @Test
    @Timeout(30)
    void theMediaPortAnswersItsOwnProbe() throws Exception {
        try (MediaPort port = MediaPort.open(loopback())) {
            assertTrue(port.answersStunAt(InetAddress.getLoopbackAddress(), Duration.ofSeconds(3)));
            assertTrue(port.answersStunAt(InetAddress.getLoopbackAddress(), Duration.ofSeconds(3)), "again");
            assertEquals(0, port.openTransports(), "a probe leaves no session behind");
        }
    }

    @Test
    @Timeout(30)
    void aPortThatIsNotOursDoesNotAnswer() throws Exception {
        try (MediaPort port = MediaPort.open(loopback()); DatagramSocket silent = new DatagramSocket(0,
                InetAddress.getLoopbackAddress())) {
            StunSelfCheck check = new StunSelfCheck();
            long start = System.nanoTime();
            assertFalse(check.probe(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()),
                    Duration.ofMillis(600)));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "bounded by its timeout");
            // A check of another instance (another password) is not answered by this port.
            assertFalse(check.probe(new InetSocketAddress(InetAddress.getLoopbackAddress(), port.udpPort()),
                    Duration.ofMillis(600)));
        }
    }

    @Test
    void onlyAnAuthenticRequestWhileACheckRunsIsAnswered() {
        StunSelfCheck check = new StunSelfCheck();
        StunSelfCheck other = new StunSelfCheck();
        InetSocketAddress from = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5000);
        byte[] out = new byte[128];
        byte[] request = new byte[200];
        int length = requestOf(other, request);
        assertEquals(-1, check.answer(request, 0, length, from, out, System.nanoTime()), "no check is running");
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[20 + i % 80];
            new java.util.Random(i).nextBytes(garbage);
            assertEquals(-1, check.answer(garbage, 0, garbage.length, from, out, System.nanoTime()));
        }
    }

    /** A request signed with another check's password. */
    private static int requestOf(StunSelfCheck check, byte[] out) {
        return Stun.bindingRequest(out, 0, new byte[12], "selfcheckXXXXXXXX:probe", 1, 1, false,
                "wrongwrongwrongwrongwron".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    @Timeout(30)
    void aProbeOfAnotherServerGetsNoAnswer() throws Exception {
        try (MediaPort port = MediaPort.open(loopback()); DatagramSocket attacker = new DatagramSocket(0,
                InetAddress.getLoopbackAddress())) {
            attacker.setSoTimeout(300);
            byte[] request = new byte[200];
            int length = requestOf(new StunSelfCheck(), request);
            attacker.send(new DatagramPacket(request, length, InetAddress.getLoopbackAddress(), port.udpPort()));
            try {
                attacker.receive(new DatagramPacket(new byte[512], 512));
                throw new AssertionError("a request without the check's password was answered");
            } catch (SocketTimeoutException expected) {
                // dropped
            }
        }
    }
}
