package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking STUN transaction of the start-up and command-line checks. */
class StunRetransmitterTest {

    @Test
    void waitsDoubleWithinTheTotal() {
        assertArrayEquals(new int[] {1142, 2284, 4568}, StunRetransmitter.doubling(8000 / 7, 8000));
        assertArrayEquals(new int[] {100, 200, 400}, StunRetransmitter.doubling(100, 700));
        assertArrayEquals(new int[] {1}, StunRetransmitter.doubling(0, 0), "always one try");
    }

    @Test
    @Timeout(10)
    void strayDatagramsAreSkippedAndALostRequestIsSentAgain() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket client = new DatagramSocket(0, loopback); DatagramSocket server = new DatagramSocket(0, loopback)) {
            Thread peer = new Thread(() -> {
                try {
                    byte[] in = new byte[64];
                    DatagramPacket first = new DatagramPacket(in, in.length);
                    server.receive(first); // "lost": not answered
                    DatagramPacket second = new DatagramPacket(in, in.length);
                    server.receive(second);
                    server.send(new DatagramPacket(new byte[] {9, 9}, 2, second.getSocketAddress())); // a stray
                    server.send(new DatagramPacket(new byte[] {7, 7, 7}, 3, second.getSocketAddress())); // the answer
                } catch (Exception e) {
                    // the test's assertion says what went wrong
                }
            });
            peer.start();
            byte[] reply = new byte[16];
            int n = StunRetransmitter.exchange(client, server.getLocalSocketAddress(), new byte[] {1}, 1, reply,
                    new int[] {200, 2000}, length -> reply[0] == 7);
            assertEquals(3, n);
            peer.join(2000);
        }
    }
}
