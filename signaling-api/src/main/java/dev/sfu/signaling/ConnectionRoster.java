package dev.sfu.signaling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open signaling connections and the conference each joined, so that a draining server can send the
 * clients still there at its deadline elsewhere ({@code redirect} without id), or say they were removed.
 */
final class ConnectionRoster {
    /** One session's connection and the conference it joined (null before its join). */
    static final class Entry {
        final SignalingSession.Connection connection;
        volatile String conference;

        Entry(SignalingSession.Connection connection) {
            this.connection = connection;
        }
    }

    private final Map<SignalingSession, Entry> sessions = new ConcurrentHashMap<>();

    void add(SignalingSession session, Entry entry) {
        sessions.put(session, entry);
    }

    void remove(SignalingSession session) {
        sessions.remove(session);
    }

    /**
     * Sends every client of {@code conference} to {@code url} (a {@code redirect} without id), or, with no
     * url (no other node can take it), tells it it was removed; then closes its WebSocket.
     *
     * @return how many clients were sent away
     */
    int sendAway(String conference, String url) {
        List<Entry> matching = new ArrayList<>();
        for (Map.Entry<SignalingSession, Entry> e : sessions.entrySet()) {
            // The session's endpoint, not only its join: a session that resumed an endpoint never joined.
            dev.sfu.core.EndpointHandle endpoint = e.getKey().endpoint();
            if (conference.equals(e.getValue().conference)
                    || (endpoint != null && conference.equals(endpoint.conferenceId()))) {
                matching.add(e.getValue());
            }
        }
        for (Entry e : matching) {
            var message = SignalingSession.JSON.createObjectNode();
            if (url != null) {
                message.put("type", "redirect").put("url", url);
            } else {
                message.put("type", "removed").put("reason", "drained");
            }
            e.connection.send(message.toString());
            e.connection.close(1000, "drained");
        }
        return matching.size();
    }
}
