package dev.sfu.core.inbound;

import dev.sfu.core.media.InboundStream;
import dev.sfu.rtp.RtpPacket;

/**
 * Turns an RTX packet (RFC 4588) the publisher sent for one we NACKed back into the original, in place:
 * its sequence number from the payload's first two bytes, the original SSRC and payload type, the
 * payload moved back over them, so that it goes on as the late original it is. Padding-only packets
 * (the publisher probing its bandwidth) and repairs of gaps we did not have are dropped. Media thread.
 */
final class RtxRepair {
    private long recovered;
    private long dropped;

    /**
     * @return the original's stream, with {@code packet} now the original; null to drop
     */
    InboundStream repair(InboundStream rtx, RtpPacket packet, StreamTable streams) {
        byte[] buffer = packet.buffer();
        int offset = packet.offset();
        int at = packet.payloadOffset();
        int payload = packet.payloadLength();
        InboundStream original = payload <= 2 ? null : streams.get(rtx.track().encodingSsrc(rtx.encoding()));
        if (original == null || original.rtx()) {
            dropped++;
            return null;
        }
        int originalSequence = (buffer[at] & 0xff) << 8 | (buffer[at + 1] & 0xff);
        if (!original.reception().onRetransmission(originalSequence)) {
            dropped++;
            return null;
        }
        System.arraycopy(buffer, at + 2, buffer, at, payload - 2);
        buffer[offset] &= ~0x20; // the padding, if any, is gone with the shift
        packet.wrap(buffer, offset, at - offset + payload - 2);
        packet.setPayloadType(original.track().format().codec().payloadType());
        packet.setSequenceNumber(originalSequence);
        packet.setSsrc(original.reception().ssrc());
        recovered++;
        return original;
    }

    /** Originals rebuilt from RTX. */
    long recovered() {
        return recovered;
    }

    /** RTX packets dropped: padding, or repairs nobody asked for. */
    long dropped() {
        return dropped;
    }
}
