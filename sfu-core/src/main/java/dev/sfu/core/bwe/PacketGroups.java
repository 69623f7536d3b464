package dev.sfu.core.bwe;

/**
 * Groups packets sent within 5 ms of each other (one frame, or one burst) and yields, for each completed
 * group, its send and arrival deltas to the group before (GCC §5.2, libwebrtc's InterArrival): a frame
 * sent as a burst would otherwise look like queueing at every packet.
 */
final class PacketGroups {
    static final long BURST_NANOS = 5_000_000L;

    private long firstSend = Long.MIN_VALUE;
    private long lastSend;
    private long lastArrival;
    private long previousSend = Long.MIN_VALUE;
    private long previousArrival;
    private long sendDelta;
    private long arrivalDelta;

    /**
     * Adds an acknowledged packet (in sequence order). Returns true when it starts a new group and the
     * group it completes has deltas to the one before: {@link #sendDelta}, {@link #arrivalDelta},
     * {@link #completedArrival}.
     */
    boolean onPacket(long sendNanos, long arrivalNanos) {
        if (firstSend == Long.MIN_VALUE) {
            startGroup(sendNanos, arrivalNanos);
            return false;
        }
        if (sendNanos - firstSend < 0) {
            return false; // sent before this group started: reordered, ignored
        }
        if (sendNanos - firstSend <= BURST_NANOS) {
            lastSend = Math.max(lastSend, sendNanos);
            lastArrival = Math.max(lastArrival, arrivalNanos);
            return false;
        }
        boolean ready = previousSend != Long.MIN_VALUE;
        if (ready) {
            sendDelta = lastSend - previousSend;
            arrivalDelta = lastArrival - previousArrival;
        }
        previousSend = lastSend;
        previousArrival = lastArrival;
        startGroup(sendNanos, arrivalNanos);
        return ready;
    }

    private void startGroup(long sendNanos, long arrivalNanos) {
        firstSend = sendNanos;
        lastSend = sendNanos;
        lastArrival = arrivalNanos;
    }

    long sendDelta() {
        return sendDelta;
    }

    long arrivalDelta() {
        return arrivalDelta;
    }

    /** Arrival of the last packet of the group just completed. */
    long completedArrival() {
        return previousArrival;
    }
}
