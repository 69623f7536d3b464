package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The reachability warnings the server logs at start. */
class StartupChecksTest {

    @Test
    void privateAddressesWithoutTurnAreWarnedAbout() {
        List<String> w = StartupChecks.warnings(List.of("127.0.0.1", "192.168.1.20"), List.of("stun:stun.example:3478"),
                10000, a -> true);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("no TURN server"));
        assertTrue(StartupChecks.warnings(List.of("192.168.1.20"), List.of("turn:turn.example:3478"), 10000, a -> true)
                .isEmpty(), "TURN makes private addresses fine");
        assertTrue(StartupChecks.warnings(List.of("203.0.113.7"), List.of(), 10000, a -> true).isEmpty(),
                "a public address of this machine is fine");
    }

    @Test
    void anAdvertisedAddressThatIsNotThisMachinesIsNamed() {
        List<String> w = StartupChecks.warnings(List.of("203.0.113.7"), List.of(), 10000, a -> false);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("203.0.113.7") && w.get(0).contains("UDP port 10000"), w.get(0));
        assertTrue(StartupChecks.warnings(List.of("100.64.1.1"), List.of(), 10000, a -> true).get(0)
                .contains("no TURN server"), "carrier-grade NAT space is private");
    }
}
