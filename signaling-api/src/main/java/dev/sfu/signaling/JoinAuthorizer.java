package dev.sfu.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.core.SignalingException;
import dev.sfu.core.SignalingException.Code;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * When an auth secret is set, {@code join} needs a JWT (RFC 7519) signed with HS256 under that secret,
 * whose {@code room} claim names the conference, whose {@code exp} lies in the future, whose {@code nbf}
 * (if any) has passed, whose lifetime ({@code exp - iat}, or {@code exp - now} without {@code iat}) is at
 * most the configured maximum, and whose {@code aud} and {@code iss} match when those are configured. A
 * refusal says which claim failed. Its other claims are the participant's {@link Grants} (docs/tokens.md).
 */
final class JoinAuthorizer {
    private final byte[] secret;
    private final Duration maxLifetime;
    private final String audience;
    private final String issuer;
    private final Clock clock;

    /** @param secret null = no authentication; no lifetime limit, audience or issuer */
    JoinAuthorizer(String secret, Clock clock) {
        this(new ServerConfig.Auth(secret, Duration.ofDays(366), null, null), clock);
    }

    JoinAuthorizer(ServerConfig.Auth auth, Clock clock) {
        this.secret = auth.secret() == null ? null : auth.secret().getBytes(StandardCharsets.UTF_8);
        this.maxLifetime = auth.maxTokenLifetime();
        this.audience = auth.audience();
        this.issuer = auth.issuer();
        this.clock = clock;
    }

    boolean enabled() {
        return secret != null;
    }

    /** @return what the participant may do: {@link Grants#ALL} when authentication is off */
    Grants authorize(String conference, String token) throws SignalingException {
        if (secret == null) {
            return Grants.ALL;
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
            if (claims == null || !claims.isObject()) {
                throw new SignalingException(Code.UNAUTHORIZED, "the token's claims are not a JSON object");
            }
            checkTimes(claims);
            if (!conference.equals(claims.path("room").asText(null))) {
                throw new SignalingException(Code.UNAUTHORIZED, "the token is for another conference (claim room)");
            }
            if (audience != null && !hasAudience(claims.get("aud"))) {
                throw new SignalingException(Code.UNAUTHORIZED, "the token is not for this server (claim aud)");
            }
            if (issuer != null && !issuer.equals(claims.path("iss").asText(null))) {
                throw new SignalingException(Code.UNAUTHORIZED, "the token is from another issuer (claim iss)");
            }
            return Grants.fromClaims(claims, tokenDigest(token));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new SignalingException(Code.UNAUTHORIZED, "the token cannot be read");
        }
    }

    /**
     * The identity of a token without {@code sub}: a digest of the whole token, so that the same token
     * admits one live endpoint at a time (a second join with it replaces the first).
     */
    static String tokenDigest(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return "token:" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 12));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void checkTimes(JsonNode claims) throws SignalingException {
        long now = clock.instant().getEpochSecond();
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.canConvertToLong()) {
            throw new SignalingException(Code.UNAUTHORIZED, "the token has no expiry (claim exp)");
        }
        if (exp.asLong() <= now) {
            throw new SignalingException(Code.UNAUTHORIZED, "the token has expired (claim exp)");
        }
        JsonNode nbf = claims.get("nbf");
        if (nbf != null && (!nbf.canConvertToLong() || nbf.asLong() > now)) {
            throw new SignalingException(Code.UNAUTHORIZED, "the token is not valid yet (claim nbf)");
        }
        JsonNode iat = claims.get("iat");
        if (iat != null && !iat.canConvertToLong()) {
            throw new SignalingException(Code.UNAUTHORIZED, "the token's issue time cannot be read (claim iat)");
        }
        long from = iat != null ? iat.asLong() : now;
        if (exp.asLong() - from > maxLifetime.toSeconds()) {
            throw new SignalingException(Code.UNAUTHORIZED, "the token lives longer than this server allows ("
                    + (iat != null ? "claims exp - iat" : "claim exp") + " over " + maxLifetime.toSeconds() + " s)");
        }
    }

    private boolean hasAudience(JsonNode aud) {
        if (aud == null) {
            return false;
        }
        if (aud.isTextual()) {
            return audience.equals(aud.asText());
        }
        if (aud.isArray()) {
            for (JsonNode a : aud) {
                if (a.isTextual() && audience.equals(a.asText())) {
                    return true;
                }
            }
        }
        return false;
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

    /** Checks an admin bearer token in constant time; without a configured token nothing is allowed. */
    static boolean adminAllowed(String configuredToken, String presented) {
        return configuredToken != null && presented != null && MessageDigest.isEqual(
                configuredToken.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
