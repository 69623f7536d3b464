package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reachability warnings the server logs at start. */
class StartupChecksTest {

    @Test
    void privateAddressesWithoutTurnAreWarnedAbout() {
        List<String> w = StartupChecks.warnings(List.of("127.0.0.1", "192.168.1.20"), List.of("stun:stun.example:3478"),
                10000, a -> true, a -> false);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("no TURN server"));
        assertTrue(StartupChecks.warnings(List.of("192.168.1.20"), List.of("turn:turn.example:3478"), 10000, a -> true, a -> false)
                .isEmpty(), "TURN makes private addresses fine");
        assertTrue(StartupChecks.warnings(List.of("203.0.113.7"), List.of(), 10000, a -> true, a -> false).isEmpty(),
                "a public address of this machine is fine");
    }

    @Test
    void anAdvertisedAddressThatIsNotThisMachinesIsNamed() {
        List<String> w = StartupChecks.warnings(List.of("203.0.113.7"), List.of(), 10000, a -> false, a -> false);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("203.0.113.7") && w.get(0).contains("UDP port 10000"), w.get(0));
        assertTrue(StartupChecks.warnings(List.of("100.64.1.1"), List.of(), 10000, a -> true, a -> false).get(0)
                .contains("no TURN server"), "carrier-grade NAT space is private");
    }

    @Test
    void aNatAddressThatForwardsTheMediaPortIsFine() {
        List<InetAddress> asked = new java.util.ArrayList<>();
        List<String> w = StartupChecks.warnings(List.of("127.0.0.1", "203.0.113.7"), List.of(), 10000,
                InetAddress::isLoopbackAddress, a -> asked.add(a));
        assertTrue(w.isEmpty(), w.toString());
        assertEquals(1, asked.size(), "only the address that is not this machine's is probed");
        assertEquals("203.0.113.7", asked.get(0).getHostAddress());
    }

    /** The real probe: a started server's media port answers at its own loopback address. */
    @Test
    void aStartedServerAnswersItsOwnProbe() throws Exception {
        ServerConfig config = ServerConfig.load(new String[0], java.util.Map.of("SFU_HTTP_PORT", "0", "SFU_MEDIA_PORT",
                "0", "SFU_ICE_TCP_PORT", "0", "SFU_MEDIA_BIND_ADDRESS", "127.0.0.1", "SFU_ADVERTISED_ADDRESS", "127.0.0.1"));
        try (Main.Server server = Main.Server.start(config)) {
            assertTrue(server.mediaPortAnswersAt(InetAddress.getLoopbackAddress()));
        }
    }
}
