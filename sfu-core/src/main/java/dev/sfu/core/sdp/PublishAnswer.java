package dev.sfu.core.sdp;

import java.util.List;
import java.util.Map;

/**
 * The outcome of negotiating a publish offer: the answer to send, the tracks it accepted, the client's
 * transport parameters and the header-extension ids the client will use.
 *
 * @param data the accepted data-channel section, or null when the offer had none
 */
public record PublishAnswer(String sdp, List<PublishedTrack> tracks, TransportParameters remote,
        Map<HeaderExtension, Integer> extensionIds, DtlsSetup localSetup, boolean remb, DataChannelParameters data) {
}
