package dev.sfu.core;

import dev.sfu.core.media.MediaKind;

/**
 * Which remote track one m-line of a subscribe offer carries ({@code offer.tracks[]} in the protocol).
 *
 * @param source {@code camera}, {@code microphone}, {@code screen} or {@code screen-audio}; null if unknown
 * @param muted whether its owner or the server muted it (nothing is forwarded meanwhile)
 */
public record TrackMapping(String mid, String endpointId, MediaKind kind, String trackId, String source,
        boolean muted) {

    public TrackMapping(String mid, String endpointId, MediaKind kind, String trackId) {
        this(mid, endpointId, kind, trackId, null, false);
    }
}
