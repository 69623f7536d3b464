package dev.sfu.core;

import java.util.List;

/**
 * What the server tells one client without being asked. The signaling layer implements it, one per
 * connection. Calls come from the SFU's own threads (never a media thread's hot path, but do not block):
 * implementations hand the message to their connection and return.
 */
public interface EndpointListener {

    /** A new subscribe offer; the client answers it with an {@code answer} message. */
    void subscribeOffer(String sdp, List<TrackMapping> tracks);

    /** A server ICE candidate (a=candidate value) for {@code transport} ("publish" or "subscribe"). */
    void candidate(String transport, String candidate, String sdpMid, int sdpMLineIndex);

    void participantJoined(Participant participant);

    void participantLeft(String endpointId);

    void dominantSpeaker(String endpointId);

    /** A track of {@code endpointId} was muted or unmuted (by its owner, or by the server). */
    default void trackMuted(String endpointId, String trackId, boolean muted) {
    }

    /**
     * The server ended this endpoint on its own (its transport failed, the server drains). The
     * connection should be closed; the endpoint is already gone from its conference.
     */
    void closed(String reason);

    /**
     * The endpoint is gone from its conference, whatever the reason (it left, the server removed it, its
     * transport failed); called once, on the conference's media thread.
     */
    default void endpointEnded() {
    }
}
