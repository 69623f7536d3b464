package dev.sfu.core;

import java.util.List;

/**
 * One conference as the admin API shows it, taken on its media thread.
 *
 * @param endpoints every endpoint, hidden ones included
 */
public record ConferenceDetail(String conferenceId, List<EndpointDetail> endpoints) {

    /**
     * @param publishTransport {@code none}, {@code connecting}, {@code connected} or {@code closed}
     * @param subscribeTransport the same for the subscribe transport
     */
    public record EndpointDetail(String endpointId, String displayName, String identity, boolean hidden,
            boolean canSubscribe, boolean canPublishData, String metadata, List<TrackDetail> tracks,
            String publishTransport, String subscribeTransport) {
    }

    /** @param bitrate bits/s received over all its encodings */
    public record TrackDetail(String trackId, String mid, String kind, String source, boolean muted, long bitrate,
            List<LayerDetail> layers) {
    }

    /** @param rid the encoding's rid, or null without simulcast @param height -1 = not known yet */
    public record LayerDetail(String rid, long bitrate, int height, boolean active) {
    }
}
