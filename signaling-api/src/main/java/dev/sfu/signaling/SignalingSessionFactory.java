package dev.sfu.signaling;

import dev.sfu.cluster.ClusterNode;
import dev.sfu.cluster.Route;
import dev.sfu.core.ConferenceService;
import dev.sfu.core.EndpointHandle;
import dev.sfu.core.EndpointListener;
import dev.sfu.core.JoinOptions;
import dev.sfu.core.SignalingException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** Makes the session of a new WebSocket connection with the server's shared parts. */
final class SignalingSessionFactory {
    private final ConferenceService conferences;
    private final IceServers iceServers;
    private final JoinAuthorizer authorizer;
    private final SignalingMetrics metrics;
    private final int messagesPerSecond;
    private final AtomicBoolean draining;
    private final ResumeRegistry resumes;
    private final SessionRegistry participants;
    private final boolean clustered;
    private final AtomicReference<ClusterNode> cluster;
    private final ConnectionRoster roster;

    /** A standalone server's. */
    SignalingSessionFactory(ConferenceService conferences, IceServers iceServers, JoinAuthorizer authorizer,
            SignalingMetrics metrics, int messagesPerSecond, AtomicBoolean draining, ResumeRegistry resumes) {
        this(conferences, iceServers, authorizer, metrics, messagesPerSecond, draining, resumes, new SessionRegistry(),
                false, new AtomicReference<>(), new ConnectionRoster());
    }

    /**
     * @param participants the joined participants (admin API, identities)
     * @param roster the open connections (a drain's deadline sends them elsewhere)
     */
    SignalingSessionFactory(ConferenceService conferences, IceServers iceServers, JoinAuthorizer authorizer,
            SignalingMetrics metrics, int messagesPerSecond, AtomicBoolean draining, ResumeRegistry resumes,
            SessionRegistry participants, boolean clustered, AtomicReference<ClusterNode> cluster,
            ConnectionRoster roster) {
        this.conferences = conferences;
        this.iceServers = iceServers;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.messagesPerSecond = messagesPerSecond;
        this.draining = draining;
        this.resumes = resumes;
        this.participants = participants;
        this.clustered = clustered;
        this.cluster = cluster;
        this.roster = roster;
    }

    SignalingMetrics metrics() {
        return metrics;
    }

    SignalingSession create(SignalingSession.Connection connection) {
        return create(connection, null);
    }

    /** @param urlConference the {@code conference} of the WebSocket URL, or null */
    SignalingSession create(SignalingSession.Connection connection, String urlConference) {
        ConnectionRoster.Entry entry = new ConnectionRoster.Entry(connection);
        ConferenceService gate = new ConferenceService() {
            @Override
            public EndpointHandle join(String conferenceId, String displayName, EndpointListener listener)
                    throws SignalingException {
                return join(conferenceId, displayName, listener, JoinOptions.DEFAULT);
            }

            @Override
            public EndpointHandle join(String conferenceId, String displayName, EndpointListener listener,
                    JoinOptions options) throws SignalingException {
                if (urlConference != null && !urlConference.equals(conferenceId)) {
                    throw new SignalingException(SignalingException.Code.BAD_REQUEST,
                            "this connection was opened for another conference (the URL's conference parameter)");
                }
                route(conferenceId);
                EndpointHandle handle = conferences.join(conferenceId, displayName, listener, options);
                entry.conference = conferenceId;
                return handle;
            }

            @Override
            public List<ConferenceSummary> conferences() {
                return conferences.conferences();
            }
        };
        SignalingSession session = new SignalingSession(gate, connection, iceServers, authorizer, metrics,
                new RateLimiter(messagesPerSecond), resumes, participants);
        roster.add(session, entry);
        return session;
    }

    /** The connection of {@code session} closed. */
    void closed(SignalingSession session) {
        roster.remove(session);
    }

    /** Returns when the join may go on here; throws a redirect or an {@code unavailable} error otherwise. */
    private void route(String conferenceId) throws SignalingException {
        if (clustered) {
            ClusterNode node = cluster.get();
            if (node == null) {
                throw new SignalingException(SignalingException.Code.UNAVAILABLE, "the server is starting: try again");
            }
            Route route = node.route(conferenceId);
            if (route instanceof Route.Redirect r) {
                throw new JoinRedirect(r.url());
            }
            if (route instanceof Route.Unavailable u) {
                throw new SignalingException(SignalingException.Code.UNAVAILABLE, u.message());
            }
            return;
        }
        if (draining.get() && conferences.conferences().stream().noneMatch(c -> c.conferenceId().equals(conferenceId))) {
            throw new SignalingException(SignalingException.Code.UNAVAILABLE,
                    "the server is draining: it takes no new conference, join another instance");
        }
    }
}
