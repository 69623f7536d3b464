package dev.sfu.signaling;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The joined participants of this server, by endpoint and by identity, so that the admin API can reach
 * one and a second join with an identity replaces the first. An entry goes when its endpoint ends in the
 * core (whatever the reason: leave, expired resumption, failure, removal), so the registry is bounded by
 * the server's endpoints. Any thread.
 */
final class SessionRegistry {
    private final ConcurrentHashMap<String, JoinedParticipant> byEndpoint = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, JoinedParticipant> byIdentity = new ConcurrentHashMap<>();

    /**
     * Adds a participant that just joined; returns the one that held the same identity in the same
     * conference before, which the caller removes (reason {@code duplicate-identity}), or null.
     */
    JoinedParticipant register(JoinedParticipant p) {
        byEndpoint.put(p.endpointId(), p);
        if (p.identity() == null) {
            return null;
        }
        JoinedParticipant previous = byIdentity.put(key(p.conferenceId(), p.identity()), p);
        return previous == p ? null : previous;
    }

    void unregister(JoinedParticipant p) {
        byEndpoint.remove(p.endpointId(), p);
        if (p.identity() != null) {
            byIdentity.remove(key(p.conferenceId(), p.identity()), p);
        }
    }

    JoinedParticipant participant(String endpointId) {
        return endpointId == null ? null : byEndpoint.get(endpointId);
    }

    /** The participants of a conference now. */
    List<JoinedParticipant> participants(String conference) {
        List<JoinedParticipant> list = new ArrayList<>();
        for (JoinedParticipant p : byEndpoint.values()) {
            if (conference.equals(p.conferenceId())) {
                list.add(p);
            }
        }
        return list;
    }

    private static String key(String conference, String identity) {
        return conference + '\n' + identity;
    }
}
