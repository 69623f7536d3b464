package dev.sfu.core;

import dev.sfu.core.transport.TransportRole;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One joined endpoint, as the signaling layer drives it. Every method is thread-safe and returns
 * quickly: work that takes time (ICE set-up, DTLS) completes later on the SFU's own threads.
 */
public interface EndpointHandle {

    String endpointId();

    String conferenceId();

    /** The other endpoints of the conference at the moment this one joined. */
    List<Participant> participantsAtJoin();

    /**
     * Handles the client's offer for its {@code publish} transport. Completes with the answer SDP, or
     * exceptionally with a {@link SignalingException} ({@code sdp-rejected}, {@code bad-request}).
     */
    CompletionStage<String> publishOffer(String sdp);

    /** The other endpoints of the conference now: what a client that resumes after a drop lists afresh. */
    List<Participant> participants();

    /**
     * Sends the client a fresh subscribe offer now, replacing any outstanding one (a client that resumes
     * may have lost it, or its answer). Nothing is sent before the first offer.
     */
    void resendSubscribeOffer() throws SignalingException;

    /** Handles the client's answer to the latest subscribe offer. */
    void subscribeAnswer(String sdp) throws SignalingException;

    /** A client ICE candidate for one of its transports; a null or empty {@code candidate} means end of candidates. */
    void remoteCandidate(TransportRole transport, String candidate, String sdpMid, Integer sdpMLineIndex)
            throws SignalingException;

    /**
     * The client's wishes for the video it receives: {@code defaultMaxHeight} for every sender
     * (0 = no video), overridden per sender endpoint id by {@code perEndpointMaxHeight}.
     */
    void receiverConstraints(int defaultMaxHeight, Map<String, Integer> perEndpointMaxHeight);

    /**
     * ICE restart of the {@code subscribe} transport (the client's {@code restartIce} message): the server
     * takes new ICE credentials and sends a new subscribe offer carrying them; DTLS-SRTP goes on. The
     * {@code publish} transport restarts by an offer with new {@code ice-ufrag}/{@code ice-pwd} instead.
     */
    void restartIce(TransportRole transport) throws SignalingException;

    /** The client leaves; idempotent. Media for this endpoint stops within a second. */
    void leave();

    /**
     * The endpoint leaves for a reason other than its own {@code leave} ({@code kicked},
     * {@code duplicate-identity}, {@code conference-closed}), which webhooks report.
     */
    default void leave(String reason) {
        leave();
    }

    /**
     * A publish offer whose client named the source of some m-lines (mid to {@code camera},
     * {@code microphone}, {@code screen}, {@code screen-audio}); m-lines it did not name default to
     * {@code microphone} (audio) and {@code camera} (video).
     */
    default CompletionStage<String> publishOffer(String sdp, Map<String, String> sourcesByMid) {
        return publishOffer(sdp);
    }

    /**
     * Mutes or unmutes one of this endpoint's own tracks: a muted track is not forwarded. Every other
     * endpoint hears {@link EndpointListener#trackMuted}; so does this one when {@code byServer}.
     *
     * @throws SignalingException {@code bad-request} when this endpoint publishes no such track
     */
    default void setTrackMuted(String trackId, boolean muted, boolean byServer) throws SignalingException {
        throw new SignalingException(SignalingException.Code.BAD_REQUEST, "mute is not supported here");
    }

    /** Mutes or unmutes every track of a source (a revoked grant), telling everybody. */
    default void setSourceMuted(String source, boolean muted) {
    }

    /** Grants changed during the call: whether it receives the others' tracks, and may send data. */
    default void updatePermissions(boolean canSubscribe, boolean canPublishData) {
    }

    /** A snapshot of the source of each track it publishes now (trackId to source); any thread. */
    default Map<String, String> publishedSources() {
        return Map.of();
    }
}
