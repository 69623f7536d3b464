package dev.sfu.signaling;

import dev.sfu.core.ConferenceService;
import dev.sfu.core.EndpointHandle;
import dev.sfu.core.EndpointListener;
import dev.sfu.core.SignalingException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Makes the session of a new WebSocket connection with the server's shared parts. */
final class SignalingSessionFactory {
    private final ConferenceService conferences;
    private final IceServers iceServers;
    private final JoinAuthorizer authorizer;
    private final SignalingMetrics metrics;
    private final int messagesPerSecond;
    private final AtomicBoolean draining;
    private final ResumeRegistry resumes;
    private final SessionRegistry registry;

    SignalingSessionFactory(ConferenceService conferences, IceServers iceServers, JoinAuthorizer authorizer,
            SignalingMetrics metrics, int messagesPerSecond, AtomicBoolean draining, ResumeRegistry resumes) {
        this(conferences, iceServers, authorizer, metrics, messagesPerSecond, draining, resumes, new SessionRegistry());
    }

    SignalingSessionFactory(ConferenceService conferences, IceServers iceServers, JoinAuthorizer authorizer,
            SignalingMetrics metrics, int messagesPerSecond, AtomicBoolean draining, ResumeRegistry resumes,
            SessionRegistry registry) {
        this.registry = registry;
        this.conferences = conferences;
        this.iceServers = iceServers;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.messagesPerSecond = messagesPerSecond;
        this.draining = draining;
        this.resumes = resumes;
    }

    SignalingMetrics metrics() {
        return metrics;
    }

    SignalingSession create(SignalingSession.Connection connection) {
        ConferenceService gate = new ConferenceService() {
            @Override
            public EndpointHandle join(String conferenceId, String displayName, EndpointListener listener)
                    throws SignalingException {
                if (draining.get()) {
                    throw new SignalingException(SignalingException.Code.CONFERENCE_FULL,
                            "the server is shutting down: join another instance");
                }
                return conferences.join(conferenceId, displayName, listener);
            }

            @Override
            public EndpointHandle join(String conferenceId, String displayName, EndpointListener listener,
                    dev.sfu.core.JoinOptions options) throws SignalingException {
                if (draining.get()) {
                    throw new SignalingException(SignalingException.Code.CONFERENCE_FULL,
                            "the server is shutting down: join another instance");
                }
                return conferences.join(conferenceId, displayName, listener, options);
            }

            @Override
            public List<ConferenceSummary> conferences() {
                return conferences.conferences();
            }
        };
        return new SignalingSession(gate, connection, iceServers, authorizer, metrics, new RateLimiter(messagesPerSecond),
                resumes, registry);
    }
}
