package dev.sfu.core.media;

/**
 * One SSRC a publisher sends: an encoding of a track, or the RTX (RFC 4588) stream repairing it, with
 * what the SFU's receiver reports about it (RTX streams are not reported).
 */
public record InboundStream(Track track, int encoding, boolean rtx, ReceptionStats reception) {

    public InboundStream(Track track, int encoding, boolean rtx, int ssrc) {
        this(track, encoding, rtx, new ReceptionStats(ssrc, track.format().codec().clockRate()));
    }
}
