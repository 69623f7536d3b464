package dev.sfu.signaling;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The joined sessions of this server, by endpoint and by identity, so that the admin API can reach a
 * participant and a second join with an identity replaces the first. Holds only joined sessions (each is
 * removed when it leaves), so it is bounded by the server's endpoints. Any thread.
 */
final class SessionRegistry {
    private final ConcurrentHashMap<String, SignalingSession> byEndpoint = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SignalingSession> byIdentity = new ConcurrentHashMap<>();

    /**
     * Adds a session that just joined; returns the session that held the same identity in the same
     * conference before, which the caller removes (reason {@code duplicate-identity}), or null.
     */
    SignalingSession register(String conference, String endpointId, String identity, SignalingSession session) {
        byEndpoint.put(endpointId, session);
        if (identity == null) {
            return null;
        }
        SignalingSession previous = byIdentity.put(key(conference, identity), session);
        return previous == session ? null : previous;
    }

    void unregister(String conference, String endpointId, String identity, SignalingSession session) {
        byEndpoint.remove(endpointId, session);
        if (identity != null) {
            byIdentity.remove(key(conference, identity), session);
        }
    }

    SignalingSession session(String endpointId) {
        return endpointId == null ? null : byEndpoint.get(endpointId);
    }

    /** The sessions joined to a conference now. */
    List<SignalingSession> sessions(String conference) {
        List<SignalingSession> list = new ArrayList<>();
        for (SignalingSession s : byEndpoint.values()) {
            if (s.endpoint() != null && conference.equals(s.endpoint().conferenceId())) {
                list.add(s);
            }
        }
        return list;
    }

    private static String key(String conference, String identity) {
        return conference + '\n' + identity;
    }
}
