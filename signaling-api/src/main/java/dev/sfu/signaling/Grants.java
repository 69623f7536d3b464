package dev.sfu.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.core.JoinOptions;
import dev.sfu.core.SignalingException;
import dev.sfu.core.SignalingException.Code;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a participant may do, from its join token's claims (docs/tokens.md) or, without authentication,
 * everything. The admin API may replace them during the call ({@link #withUpdates}).
 *
 * @param identity the token's {@code sub}, else a digest of the token itself (so one token admits one live
 *     endpoint at a time); null without authentication
 * @param name the token's {@code name}: when set, the display name (the join's displayName is ignored)
 * @param sources what it may publish: {@code camera}, {@code microphone}, {@code screen}, {@code screen-audio}
 * @param hidden never announced to the others; implies it publishes no media
 * @param metadata opaque application text, shown by the admin API and webhooks
 */
record Grants(String identity, String name, boolean canPublish, boolean canSubscribe, boolean canPublishData,
        Set<String> sources, boolean hidden, String metadata) {

    static final List<String> SOURCES = List.of("camera", "microphone", "screen", "screen-audio");
    static final int MAX_IDENTITY = 128;
    static final int MAX_METADATA = 4096;

    /** A server without authentication: everything, no identity. */
    static final Grants ALL = new Grants(null, null, true, true, true, Set.copyOf(SOURCES), false, null);

    Grants {
        sources = Set.copyOf(sources);
    }

    /** Whether it may send media of this source now. */
    boolean mayPublish(String source) {
        return canPublish && !hidden && sources.contains(source);
    }

    JoinOptions joinOptions() {
        return new JoinOptions(identity, hidden, canSubscribe, canPublishData && !hidden, metadata);
    }

    /**
     * The grants in a token's claims. A claim that is absent grants (LiveKit's defaults); one of the wrong
     * type is refused, naming it.
     *
     * @param tokenDigest the identity of a token without {@code sub}
     */
    static Grants fromClaims(JsonNode claims, String tokenDigest) throws SignalingException {
        String identity = text(claims, "sub", MAX_IDENTITY);
        String name = text(claims, "name", DisplayNames.MAX_LENGTH);
        JsonNode metadata = claims.get("metadata");
        String meta = null;
        if (metadata != null && !metadata.isNull()) {
            meta = metadata.isTextual() ? metadata.asText() : metadata.toString();
            if (meta.length() > MAX_METADATA) {
                throw refuse("the token's metadata is over " + MAX_METADATA + " characters (claim metadata)");
            }
        }
        return new Grants(identity != null ? identity : tokenDigest, name == null ? null : DisplayNames.clean(name),
                bool(claims, "canPublish"), bool(claims, "canSubscribe"), bool(claims, "canPublishData"),
                sources(claims.get("sources")), claims.has("hidden") && !claims.get("hidden").isNull() && boolValue(claims,
                "hidden"), meta);
    }

    /**
     * These grants with the fields of an admin update applied ({@code canPublish}, {@code canSubscribe},
     * {@code canPublishData}, {@code sources}); a field that is absent stays.
     */
    Grants withUpdates(JsonNode update) throws SignalingException {
        return new Grants(identity, name,
                update.has("canPublish") ? boolValue(update, "canPublish") : canPublish,
                update.has("canSubscribe") ? boolValue(update, "canSubscribe") : canSubscribe,
                update.has("canPublishData") ? boolValue(update, "canPublishData") : canPublishData,
                update.has("sources") ? sources(update.get("sources")) : sources, hidden, metadata);
    }

    private static boolean bool(JsonNode claims, String claim) throws SignalingException {
        JsonNode v = claims.get(claim);
        return v == null || v.isNull() || boolValue(claims, claim);
    }

    private static boolean boolValue(JsonNode node, String field) throws SignalingException {
        JsonNode v = node.get(field);
        if (!v.isBoolean()) {
            throw refuse(field + " must be true or false (claim " + field + ")");
        }
        return v.asBoolean();
    }

    private static String text(JsonNode claims, String claim, int max) throws SignalingException {
        JsonNode v = claims.get(claim);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty() || v.asText().length() > max) {
            throw refuse(claim + " must be a string of 1-" + max + " characters (claim " + claim + ")");
        }
        return v.asText();
    }

    private static Set<String> sources(JsonNode v) throws SignalingException {
        if (v == null || v.isNull()) {
            return Set.copyOf(SOURCES);
        }
        if (!v.isArray() || v.size() > SOURCES.size() * 2) {
            throw refuse("sources must be an array of " + String.join(", ", SOURCES) + " (claim sources)");
        }
        Set<String> set = new LinkedHashSet<>();
        for (JsonNode s : v) {
            if (!s.isTextual() || !SOURCES.contains(s.asText())) {
                throw refuse("sources may name only " + String.join(", ", SOURCES) + " (claim sources)");
            }
            set.add(s.asText());
        }
        return set;
    }

    private static SignalingException refuse(String message) {
        return new SignalingException(Code.UNAUTHORIZED, message);
    }

    /** The grants as JSON, for the admin API. */
    com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        com.fasterxml.jackson.databind.node.ObjectNode o = SignalingSession.JSON.createObjectNode();
        o.put("canPublish", canPublish).put("canSubscribe", canSubscribe).put("canPublishData", canPublishData)
                .put("hidden", hidden);
        com.fasterxml.jackson.databind.node.ArrayNode a = o.putArray("sources");
        new ArrayList<>(SOURCES).stream().filter(sources::contains).forEach(a::add);
        return o;
    }
}
