package dev.sfu.core;

import dev.sfu.core.media.MediaKind;

/**
 * Which remote track one m-line of a subscribe offer carries ({@code offer.tracks[]} in the protocol).
 *
 */
public record TrackMapping(String mid, String endpointId, MediaKind kind, String trackId) {
}
