package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The flags of issue 21: where peers bind, how they authenticate, how many threads they run on. */
class HarnessOptionsTest {

    @Test
    void defaultsAreLoopbackNoAuthAndUpToFourThreads() {
        Options o = Options.parse(new String[0]);
        assertEquals("127.0.0.1", o.bind());
        assertNull(o.tokens().forPeer("fanout", 0));
        assertEquals(Math.min(4, Runtime.getRuntime().availableProcessors()), o.threads());
        assertEquals(5, Options.parse(new String[] {"--threads", "5"}).threads());
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--threads", "0"}));
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"--token", "a.b.c", "--auth-secret", "s"}));
    }

    @Test
    void wildcardBindMeansTheAddressRoutedToTheServer() throws Exception {
        assertEquals(InetAddress.getByName("127.0.0.1"), PeerAddress.resolve("0.0.0.0", URI.create("ws://127.0.0.1:1/ws")));
        assertEquals(InetAddress.getByName("127.0.0.1"), PeerAddress.resolve("0.0.0.0", null));
        assertEquals(InetAddress.getByName("127.0.0.2"), PeerAddress.resolve("127.0.0.2", null));
        assertThrows(IllegalArgumentException.class, () -> PeerAddress.resolve("no such host.invalid", null));
    }

    @Test
    void mintedTokensAreHs256WithRoomIdentityAndExpiry() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
        String secret = "load-test-secret-0123456789abcdef0123";
        String token = JoinTokens.minting(secret, clock).forPeer("meeting-3", 7);
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        ObjectMapper json = new ObjectMapper();
        JsonNode header = json.readTree(Base64.getUrlDecoder().decode(parts[0]));
        assertEquals("HS256", header.path("alg").asText());
        JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("meeting-3", claims.path("room").asText());
        assertEquals("load-peer-7", claims.path("sub").asText(), "one identity per peer: the server keeps one endpoint each");
        assertEquals(1_800_000_000L + JoinTokens.LIFETIME_SECONDS, claims.path("exp").asLong());
        assertEquals(1_800_000_000L, claims.path("iat").asLong());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(expected), parts[2]);
    }

    @Test
    void givenTokensGoOnePerPeerAndMustMatchTheRoom() {
        String a = JoinTokens.sign("{\"room\":\"fanout\",\"sub\":\"a\",\"exp\":1}", "s");
        String b = JoinTokens.sign("{\"room\":\"fanout\",\"sub\":\"b\",\"exp\":1}", "s");
        JoinTokens tokens = JoinTokens.of(a + "," + b, null);
        assertEquals(a, tokens.forPeer("fanout", 0));
        assertEquals(b, tokens.forPeer("fanout", 1));
        IllegalStateException tooFew = assertThrows(IllegalStateException.class, () -> tokens.forPeer("fanout", 2));
        assertTrue(tooFew.getMessage().contains("--auth-secret"), tooFew.getMessage());
        IllegalStateException room = assertThrows(IllegalStateException.class, () -> tokens.forPeer("meeting-0", 0));
        assertTrue(room.getMessage().contains("\"fanout\""), room.getMessage());
        assertTrue(tokens.describe().startsWith("2 token"));
    }
}
