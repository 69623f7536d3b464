package dev.sfu.core;

import java.util.List;

/** The SFU as the signaling layer sees it. */
public interface ConferenceService {

    /**
     * Adds an endpoint to a conference, creating the conference if needed.
     *
     * @throws SignalingException {@code conference-full} when the conference or the server is full,
     *     {@code bad-request} for an invalid conference id or display name
     */
    EndpointHandle join(String conferenceId, String displayName, EndpointListener listener)
            throws SignalingException;

    /**
     * A join with the participant's identity and grants; by default the grants are ignored, which only
     * suits a server without authentication.
     */
    default EndpointHandle join(String conferenceId, String displayName, EndpointListener listener,
            JoinOptions options) throws SignalingException {
        return join(conferenceId, displayName, listener);
    }

    /** One conference in detail (taken on its media thread), or a null result when there is none. */
    default java.util.concurrent.CompletionStage<ConferenceDetail> conference(String conferenceId) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** A snapshot of every conference and its endpoints, for the admin API. */
    List<ConferenceSummary> conferences();

    /** A conference as reported by the admin API. */
    record ConferenceSummary(String conferenceId, List<Participant> endpoints) {
    }
}
