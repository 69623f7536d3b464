package dev.sfu.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * What a node says about itself in the registry, rewritten every heartbeat under a short expiry.
 *
 * @param conferences the conferences it hosts, each with its number of endpoints
 * @param stress from 0 (idle) up; at {@link ClusterSettings#fullStress()} the node is full
 * @param updatedMillis wall-clock time of writing, for display
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeRecord(String id, String url, List<String> mediaAddresses, String region, String version,
        State state, int endpoints, Map<String, Integer> conferences, double packetsPerSecond, double cpu,
        double stress, long updatedMillis) {

    /** Whether the node takes new conferences. */
    public enum State {
        SERVING, DRAINING
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public NodeRecord {
        mediaAddresses = mediaAddresses == null ? List.of() : List.copyOf(mediaAddresses);
        conferences = conferences == null ? Map.of() : Map.copyOf(conferences);
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record, or null when the text is not one (another version, or garbage in the store). */
    static NodeRecord fromJson(String json) {
        try {
            return json == null ? null : JSON.readValue(json, NodeRecord.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
