package dev.sfu.core;

/**
 * Which remote track one m-line of a subscribe offer carries ({@code offer.tracks[]} in the protocol).
 *
 * @param kind {@code "audio"} or {@code "video"}
 */
public record TrackMapping(String mid, String endpointId, String kind, String trackId) {
}
