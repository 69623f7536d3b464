package dev.sfu.client;

import dev.sfu.core.media.TransportCcRecorder;
import dev.sfu.rtp.HeaderExtensions;
import dev.sfu.rtp.RtpPacket;

/**
 * What a browser does for the server's bandwidth estimate of its downlink: records when each packet
 * with a transport-wide sequence number arrived on the subscribe transport and writes transport-cc
 * feedback about them. Media thread only.
 */
final class DownlinkFeedback {
    private final TransportCcRecorder arrivals = new TransportCcRecorder();
    private final byte[] packet = new byte[1500];
    /** The subscribe offer's id for the transport-cc extension, 0 when it offers none. */
    private int extensionId;
    private volatile long sent;

    /** The extension id of the latest subscribe offer (0: transport-cc not offered). */
    void setExtensionId(int id) {
        extensionId = id;
    }

    boolean negotiated() {
        return extensionId != 0;
    }

    void onPacket(RtpPacket received, long receivedNanos) {
        if (extensionId == 0) {
            return;
        }
        long at = received.findExtension(extensionId);
        int sequence = at < 0 ? -1 : HeaderExtensions.transportSequence(received.buffer(),
                RtpPacket.elementOffset(at), RtpPacket.elementLength(at));
        if (sequence >= 0) {
            arrivals.record(sequence, receivedNanos / 1000);
        }
    }

    /** Writes feedback for what arrived since the last; returns its length, 0 for nothing to say. */
    int write() {
        int length = arrivals.writeFeedback(packet, 0, 1, 0);
        if (length > 0) {
            sent++;
        }
        return Math.max(0, length);
    }

    byte[] buffer() {
        return packet;
    }

    /** Feedback packets written so far. */
    long sent() {
        return sent;
    }
}
