package dev.sfu.core.media;

/**
 * One SSRC a publisher sends: an encoding of a track, or the RTX (RFC 4588) stream repairing it.
 */
public record InboundStream(Track track, int encoding, boolean rtx) {
}
