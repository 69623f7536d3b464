package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 8839 §5.4: ice-ufrag 4..256 and ice-pwd 22..256 ice-chars (ALPHA / DIGIT / "+" / "/"). */
class IceCredentialsTest {

    @Test
    void ufrags() {
        assertTrue(IceCredentials.isValidUfrag("EsAw"));
        assertTrue(IceCredentials.isValidUfrag("a+/9"));
        assertTrue(IceCredentials.isValidUfrag("x".repeat(256)));
        assertFalse(IceCredentials.isValidUfrag("abc"));
        assertFalse(IceCredentials.isValidUfrag("x".repeat(257)));
        assertFalse(IceCredentials.isValidUfrag(null));
        for (String bad : new String[] {"ab:cd", "ab cd", "abc\u0000", "abc\n", "abcé", "ab-cd", "ab=cd", "ab_cd"}) {
            assertFalse(IceCredentials.isValidUfrag(bad), bad);
        }
    }

    @Test
    void passwords() {
        assertTrue(IceCredentials.isValidPassword("bP+c0Ze7pH4/YmlKvkAbRX+x"));
        assertTrue(IceCredentials.isValidPassword("p".repeat(22)));
        assertFalse(IceCredentials.isValidPassword("p".repeat(21)));
        assertFalse(IceCredentials.isValidPassword("p".repeat(257)));
        assertFalse(IceCredentials.isValidPassword("peer-password-0123456789")); // '-' is no ice-char
        assertNull(IceCredentials.problem("EsAw", "bP+c0Ze7pH4/YmlKvkAbRX+x"));
        assertNotNull(IceCredentials.problem("EsA", "bP+c0Ze7pH4/YmlKvkAbRX+x"));
        assertNotNull(IceCredentials.problem("EsAw", "short"));
    }

    /** What ice4j makes for our own side passes the check we apply to the peer's. */
    @Test
    void ice4jCredentialsAreValid() {
        IceTransport client = IceTransport.client("creds", java.net.InetAddress.getLoopbackAddress());
        try {
            assertNull(IceCredentials.problem(client.localUfrag(), client.localPassword()));
        } finally {
            client.close();
        }
    }
}
