package dev.sfu.core;

import dev.sfu.core.media.MediaKind;

/**
 * What happens in the SFU's conferences, for webhooks and audit. Called on media and signaling threads:
 * an implementation must only queue the event and return (never block, never throw).
 */
public interface SfuEvents {
    SfuEvents NONE = new SfuEvents() {
    };

    default void conferenceStarted(String conferenceId) {
    }

    default void conferenceEnded(String conferenceId) {
    }

    default void participantJoined(String conferenceId, String endpointId, String displayName, JoinOptions options) {
    }

    /** @param reason why it left: {@code leave}, {@code kicked}, {@code transport-failed}, ... */
    default void participantLeft(String conferenceId, String endpointId, String identity, String reason) {
    }

    default void trackPublished(String conferenceId, String endpointId, String trackId, MediaKind kind, String source) {
    }

    default void trackUnpublished(String conferenceId, String endpointId, String trackId, MediaKind kind, String source) {
    }
}
