package dev.sfu.signaling;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code iceServers} a client gets in {@code joined}: the configured STUN/TURN URLs, and for TURN,
 * ephemeral credentials in the TURN REST style that coturn's {@code use-auth-secret} checks: username
 * {@code expiry:endpointId}, credential base64(HMAC-SHA1(secret, username)).
 */
final class IceServers {
    private final List<String> urls;
    private final String turnSecret;
    private final Duration lifetime;
    private final Clock clock;

    IceServers(List<String> urls, String turnSecret, Duration lifetime, Clock clock) {
        this.urls = List.copyOf(urls);
        this.turnSecret = turnSecret;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    ArrayNode forEndpoint(String endpointId) {
        ArrayNode servers = SignalingSession.JSON.createArrayNode();
        for (String url : urls) {
            ObjectNode server = servers.addObject();
            server.putArray("urls").add(url);
            if ((url.startsWith("turn:") || url.startsWith("turns:")) && turnSecret != null) {
                String username = (clock.instant().plus(lifetime).getEpochSecond()) + ":" + endpointId;
                server.put("username", username);
                server.put("credential", credential(turnSecret, username));
            }
        }
        return servers;
    }

    static String credential(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
