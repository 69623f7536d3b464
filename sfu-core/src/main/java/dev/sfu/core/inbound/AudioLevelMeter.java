package dev.sfu.core.inbound;

import dev.sfu.rtp.HeaderExtensions;
import dev.sfu.rtp.RtpPacket;

/**
 * How loud a publisher is, from the RFC 6464 audio level its audio packets carry: smoothed over recent
 * packets and decaying while it sends none. What dominant-speaker detection compares. Media thread.
 */
final class AudioLevelMeter {
    /** 127 - level in -dBov: 0 = silence, 127 = 0 dBov. */
    private double loudness;
    private boolean heardSinceRead;

    void onAudioPacket(RtpPacket packet, int extensionId) {
        if (extensionId == 0) {
            return;
        }
        long at = packet.findExtension(extensionId);
        if (at < 0) {
            return;
        }
        int level = HeaderExtensions.audioLevel(packet.buffer(), RtpPacket.elementOffset(at), RtpPacket.elementLength(at));
        if (level >= 0) {
            loudness = 0.9 * loudness + 0.1 * (127 - level);
            heardSinceRead = true;
        }
    }

    /** The smoothed loudness; halves on each read that follows no audio (read a few times a second). */
    double read() {
        if (!heardSinceRead) {
            loudness *= 0.5;
        }
        heardSinceRead = false;
        return loudness;
    }
}
