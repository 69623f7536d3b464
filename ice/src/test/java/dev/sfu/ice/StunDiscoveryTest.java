package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StunDiscoveryTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] TRANSACTION = HEX.parseHex("b7e7a701bc34d686fa87dfae");

    /** RFC 5769 §2.2: sample IPv4 response, XOR-MAPPED-ADDRESS 192.0.2.1 port 32853. */
    private static final byte[] IPV4_RESPONSE = HEX.parseHex("0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000080001a147e112a643"
            + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" + "80280004c07d4c96");

    /** RFC 5769 §2.3: sample IPv6 response, 2001:db8:1234:5678:11:2233:4455:6677 port 32853. */
    private static final byte[] IPV6_RESPONSE = HEX.parseHex("010100482112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
            + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" + "80280004c8fb0b4c");

    @Test
    void readsTheXorMappedAddressOfRfc5769SampleResponses() throws Exception {
        assertEquals(InetAddress.getByName("192.0.2.1"),
                StunDiscovery.mappedAddress(IPV4_RESPONSE, IPV4_RESPONSE.length, TRANSACTION));
        assertEquals(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"),
                StunDiscovery.mappedAddress(IPV6_RESPONSE, IPV6_RESPONSE.length, TRANSACTION));
    }

    @Test
    void refusesOtherTransactionsTruncationsAndGarbage() {
        byte[] otherTransaction = TRANSACTION.clone();
        otherTransaction[0] ^= 1;
        assertNull(StunDiscovery.mappedAddress(IPV4_RESPONSE, IPV4_RESPONSE.length, otherTransaction));
        for (int cut = 0; cut < IPV4_RESPONSE.length; cut++) {
            byte[] truncated = Arrays.copyOf(IPV4_RESPONSE, cut);
            // Cut inside the header or the address: nothing; cut after it: still the address.
            InetAddress a = StunDiscovery.mappedAddress(truncated, cut, TRANSACTION);
            if (cut < 20 + 16 + 12) {
                assertNull(a, "cut at " + cut);
            }
        }
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = IPV4_RESPONSE.clone();
            junk[random.nextInt(junk.length)] = (byte) random.nextInt(256);
            StunDiscovery.mappedAddress(junk, junk.length, TRANSACTION); // must not throw
        }
    }

    /** A real STUN server (Debian's coturn) on loopback tells us we are 127.0.0.1. */
    @Test
    @Timeout(30)
    void discoversTheAddressThroughCoturn() throws Exception {
        Path turnserver = Path.of("/usr/bin/turnserver");
        assumeTrue(Files.isExecutable(turnserver), "coturn is not installed (.ci/run installs it)");
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process coturn = new ProcessBuilder(List.of(turnserver.toString(), "-n", "--listening-ip=127.0.0.1",
                "--listening-port=" + port, "--stun-only", "--no-cli", "--no-tls", "--no-dtls",
                "--no-software-attribute", "--log-file=stdout")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Optional<InetAddress> found = Optional.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (found.isEmpty() && System.nanoTime() < deadline) { // until coturn listens
                found = StunDiscovery.publicAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        InetAddress.getLoopbackAddress());
            }
            assertEquals(Optional.of(InetAddress.getLoopbackAddress()), found);
        } finally {
            coturn.destroy();
            coturn.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(10)
    void givesUpQuietlyWhenNoServerAnswers() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        assertEquals(Optional.empty(), StunDiscovery.publicAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), InetAddress.getLoopbackAddress()));
    }
}
