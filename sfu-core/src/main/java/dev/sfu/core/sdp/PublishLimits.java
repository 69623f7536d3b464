package dev.sfu.core.sdp;

/**
 * What one publish offer may ask the server to receive. An offer beyond a limit is rejected as a whole
 * ({@code sdp-rejected}, naming the limit): silently dropping tracks would leave the client sending media
 * nobody forwards.
 *
 * @param audioTracks audio sections an endpoint may publish
 * @param videoTracks video sections an endpoint may publish
 * @param ssrcsPerTrack SSRCs a section may signal (its layers and their RTX); more are ignored
 */
public record PublishLimits(int audioTracks, int videoTracks, int ssrcsPerTrack) {
    /** Camera, microphone, screen and its audio, several times over; not 256 sections with a cache each. */
    public static final PublishLimits DEFAULTS = new PublishLimits(8, 8, 8);

    public PublishLimits {
        if (audioTracks < 0 || videoTracks < 0 || ssrcsPerTrack < 2) {
            throw new IllegalArgumentException("publish limits must be non-negative (ssrcsPerTrack at least 2)");
        }
    }
}
