package dev.sfu.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.core.SignalingException;
import dev.sfu.core.SignalingException.Code;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * When an auth secret is set, {@code join} needs a JWT (RFC 7519) signed with HS256 under that secret,
 * whose {@code room} claim names the conference and whose {@code exp} lies in the future.
 */
final class JoinAuthorizer {
    private final byte[] secret;
    private final Clock clock;

    /** @param secret null = no authentication */
    JoinAuthorizer(String secret, Clock clock) {
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    boolean enabled() {
        return secret != null;
    }

    void authorize(String conference, String token) throws SignalingException {
        if (secret == null) {
            return;
        }
        if (token == null || token.length() > 4096) {
            throw new SignalingException(Code.UNAUTHORIZED, "this server needs a token to join");
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            throw new SignalingException(Code.UNAUTHORIZED, "the token is not a JWT");
        }
        try {
            JsonNode header = SignalingSession.JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            if (!"HS256".equals(header.path("alg").asText())) {
                throw new SignalingException(Code.UNAUTHORIZED, "the token must be signed with HS256");
            }
            byte[] expected = sign(parts[0] + "." + parts[1]);
            byte[] actual = Base64.getUrlDecoder().decode(parts[2]);
            if (!MessageDigest.isEqual(expected, actual)) {
                throw new SignalingException(Code.UNAUTHORIZED, "the token's signature is not valid");
            }
            JsonNode claims = SignalingSession.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            if (!claims.path("exp").canConvertToLong() || claims.path("exp").asLong() <= clock.instant().getEpochSecond()) {
                throw new SignalingException(Code.UNAUTHORIZED, "the token has expired");
            }
            if (!conference.equals(claims.path("room").asText(null))) {
                throw new SignalingException(Code.UNAUTHORIZED, "the token is for another conference");
            }
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new SignalingException(Code.UNAUTHORIZED, "the token cannot be read");
        }
    }

    /** HMAC-SHA256 of the signing input (also used by tests to make tokens). */
    byte[] sign(String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks an admin bearer token in constant time. */
    static boolean adminAllowed(String configuredToken, String presented) {
        return configuredToken == null || (presented != null && MessageDigest.isEqual(
                configuredToken.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8)));
    }
}
