package dev.sfu.core.media;

import dev.sfu.rtp.SequenceNumbers;
import dev.sfu.rtp.rtcp.TransportCcFeedback;
import java.util.Arrays;

/**
 * Arrival times of a publisher's packets by transport-wide sequence number (the transport-cc header
 * extension), turned into feedback every few tens of milliseconds so the publisher's congestion control
 * can ramp up to the full bitrate. Allocation-free; one per publish transport, on its media thread.
 */
public final class TransportCcRecorder {
    /** More than arrives between two feedbacks (50 ms) at 20,000 packets a second. */
    private static final int WINDOW = 1024;
    private static final int MAX_PER_FEEDBACK = 500;

    private final long[] arrivals = new long[WINDOW];
    private final long[] batch = new long[MAX_PER_FEEDBACK];
    private long base = -1;     // unwrapped sequence of the first packet not yet reported
    private long highest = -1;  // highest unwrapped sequence seen
    private final SequenceNumbers.Unwrapper unwrapper = new SequenceNumbers.Unwrapper();
    private int feedbackCount;

    public TransportCcRecorder() {
        Arrays.fill(arrivals, TransportCcFeedback.NOT_RECEIVED);
    }

    /** Records a packet's arrival. */
    public void record(int sequence, long arrivalMicros) {
        long unwrapped = unwrapper.unwrap(sequence);
        if (base < 0) {
            base = unwrapped;
        }
        if (unwrapped < base || unwrapped >= base + WINDOW) {
            if (unwrapped >= base + WINDOW) {
                // A long gap (or a jump): restart reporting from here.
                Arrays.fill(arrivals, TransportCcFeedback.NOT_RECEIVED);
                base = unwrapped;
            } else {
                return; // older than what was already reported
            }
        }
        arrivals[(int) (unwrapped % WINDOW)] = arrivalMicros;
        highest = Math.max(highest, unwrapped);
    }

    /**
     * Writes feedback for what arrived since the last one.
     *
     * @return the RTCP packet's length, or 0 when there is nothing to report
     */
    public int writeFeedback(byte[] buf, int off, int senderSsrc, int mediaSsrc) {
        if (base < 0 || highest < base) {
            return 0;
        }
        // The first reported packet must be one that arrived.
        while (base <= highest && arrivals[(int) (base % WINDOW)] == TransportCcFeedback.NOT_RECEIVED) {
            base++;
        }
        int count = (int) Math.min(MAX_PER_FEEDBACK, highest - base + 1);
        if (count <= 0) {
            return 0;
        }
        for (int i = 0; i < count; i++) {
            int slot = (int) ((base + i) % WINDOW);
            batch[i] = arrivals[slot];
            arrivals[slot] = TransportCcFeedback.NOT_RECEIVED;
        }
        int length = TransportCcFeedback.write(buf, off, senderSsrc, mediaSsrc, (int) (base & 0xffff), batch, count,
                feedbackCount++ & 0xff);
        base += count;
        return Math.max(0, length);
    }
}
