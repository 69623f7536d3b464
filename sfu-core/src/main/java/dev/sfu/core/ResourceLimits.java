package dev.sfu.core;

import dev.sfu.core.media.CacheBudget;
import dev.sfu.core.sdp.PublishLimits;
import dev.sfu.core.transport.HandshakeQuota;

/**
 * What one participant may make the server hold, and what the process holds at most for all of them
 * (docs/security.md). The file calls them {@code sfu.core.limits.*}.
 *
 * @param publish tracks per endpoint and SSRCs per track one publish offer may ask for
 * @param packetCacheBytes packet-cache memory (for NACK and keyframe replies) of the whole process; past
 *     it a packet is not cached (a NACK for it goes unanswered; keyframe requests still work)
 * @param handshakesPerAddress DTLS handshakes one remote address may have in flight at once
 * @param handshakesPerConference DTLS handshakes one conference may have in flight at once
 */
public record ResourceLimits(PublishLimits publish, long packetCacheBytes, int handshakesPerAddress,
        int handshakesPerConference) {

    public static final ResourceLimits DEFAULT = new ResourceLimits(PublishLimits.DEFAULTS, CacheBudget.DEFAULT_BYTES,
            HandshakeQuota.DEFAULT_PER_ADDRESS, HandshakeQuota.DEFAULT_PER_CONFERENCE);

    public ResourceLimits {
        if (publish == null || packetCacheBytes < 0 || handshakesPerAddress < 1 || handshakesPerConference < 1) {
            throw new IllegalArgumentException("limits: publish limits needed, cache bytes >= 0, handshake quotas >= 1");
        }
    }
}
