package dev.sfu.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The join token each peer presents to a server with authentication on (docs/tokens.md): none, one of
 * the tokens given ({@code --token}), or one minted per peer under the server's secret ({@code
 * --auth-secret}). Minted here rather than through signaling-api's token tool, whose signing is package
 * private; the claims are the same ({@code room}, {@code sub}, {@code iat}, {@code nbf}, {@code exp}).
 */
abstract class JoinTokens {
    /** A token's lifetime: joins happen right after minting, and a server's maximum may be short. */
    static final long LIFETIME_SECONDS = 600;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** No authentication: joins carry no token. */
    static final JoinTokens NONE = new JoinTokens() {
        @Override
        String forPeer(String conference, int index) {
            return null;
        }

        @Override
        String describe() {
            return "none";
        }
    };

    /** @return the token peer {@code index} joins {@code conference} with, or null for none */
    abstract String forPeer(String conference, int index);

    /** What the report shows: the kind of authentication, never a secret. */
    abstract String describe();

    /**
     * From the flags: {@code --token} (a token, tokens separated by commas, or {@code @FILE} with one a
     * line) or {@code --auth-secret} (the secret, or {@code @FILE} holding it, which keeps it out of ps).
     */
    static JoinTokens of(String token, String authSecret) {
        if (token != null && authSecret != null) {
            throw new IllegalArgumentException("--token and --auth-secret exclude each other");
        }
        if (token != null) {
            List<String> tokens = Arrays.stream(read(token).split("[,\\s]+")).filter(t -> !t.isBlank()).toList();
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("--token gave no token");
            }
            return new Given(tokens);
        }
        if (authSecret != null) {
            String secret = read(authSecret).strip();
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("--auth-secret is empty");
            }
            return minting(secret, Clock.systemUTC());
        }
        return NONE;
    }

    private static String read(String value) {
        if (!value.startsWith("@")) {
            return value;
        }
        try {
            return Files.readString(Path.of(value.substring(1)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + value.substring(1) + ": " + e.getMessage());
        }
    }

    /** Mints an HS256 JWT per peer: its conference as {@code room}, {@code load-peer-INDEX} as identity. */
    static JoinTokens minting(String secret, Clock clock) {
        return new JoinTokens() {
            @Override
            String forPeer(String conference, int index) {
                long now = clock.instant().getEpochSecond();
                var claims = JSON.createObjectNode().put("room", conference).put("sub", "load-peer-" + index)
                        .put("iat", now).put("nbf", now).put("exp", now + LIFETIME_SECONDS);
                return sign(claims.toString(), secret);
            }

            @Override
            String describe() {
                return "a token minted per peer (--auth-secret)";
            }
        };
    }

    /**
     * Tokens made elsewhere, one per peer in join order: the server admits one live endpoint per identity
     * (or per token without {@code sub}), so peers cannot share one.
     */
    private static final class Given extends JoinTokens {
        private final List<String> tokens;

        Given(List<String> tokens) {
            this.tokens = tokens;
        }

        @Override
        String forPeer(String conference, int index) {
            if (index >= tokens.size()) {
                throw new IllegalStateException("--token gave " + tokens.size() + " token(s) and peer " + (index + 1)
                        + " needs one: give one per peer, or --auth-secret to mint them");
            }
            String token = tokens.get(index);
            String room = room(token);
            if (room != null && !room.equals(conference)) {
                // Caught here, with the names the scenarios use, rather than as the server's bare refusal.
                throw new IllegalStateException("token " + (index + 1) + " is for room \"" + room + "\" and the peer joins \""
                        + conference + "\" (the scenarios' conferences: fanout, meeting-N, data-N)");
            }
            return token;
        }

        @Override
        String describe() {
            return tokens.size() + " token(s) given (--token)";
        }
    }

    /** A JWT's {@code room} claim, read without checking the signature (the server checks it); null if unreadable. */
    static String room(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return claims.hasNonNull("room") ? claims.get("room").asText() : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** An HS256 JWT (RFC 7519) of these claims. */
    static String sign(String claimsJson, String secret) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String body = b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal((header + "." + body).getBytes(StandardCharsets.US_ASCII));
            return header + "." + body + "." + b64.encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
