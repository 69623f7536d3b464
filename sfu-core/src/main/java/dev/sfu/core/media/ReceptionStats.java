package dev.sfu.core.media;

import dev.sfu.rtp.SequenceNumbers;

/**
 * What a receiver keeps per RTP source to write report blocks (RFC 3550 §6.4.1, appendix A.1, A.3 and
 * A.8): the extended highest sequence number, cumulative and interval loss, the interarrival jitter, and
 * the last sender report with its arrival time (LSR, DLSR). It also remembers which sequence numbers are
 * missing, so the receiver can NACK them (RFC 4585) once, and sees them filled by retransmissions. The
 * server keeps one per publisher SSRC, the load harness one per source it receives. Media thread only.
 */
public final class ReceptionStats {
    /** Gaps older than this many packets are given up on (a browser's NACK list is about as long). */
    private static final int NACK_WINDOW = 256;

    private final int ssrc;
    private final int clockRate;
    private final SequenceNumbers.Unwrapper unwrapper = new SequenceNumbers.Unwrapper();
    private long baseSequence = -1;
    private long highestSequence = -1;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private double jitter;
    private int lastTransit;
    private long firstArrivalNanos;
    private final boolean[] missing = new boolean[NACK_WINDOW];
    private final boolean[] nacked = new boolean[NACK_WINDOW];
    /** The middle 32 bits of the last sender report's NTP timestamp, 0 before any (RFC 3550 §6.4.1 LSR). */
    private int lastSenderReport;
    private long lastSenderReportNanos;

    public ReceptionStats(int ssrc, int clockRate) {
        this.ssrc = ssrc;
        this.clockRate = clockRate;
    }

    /**
     * An original packet (not a retransmission) with its RTP sequence number and timestamp.
     *
     * @return whether it filled a gap (arrived after packets with higher numbers)
     */
    public boolean onPacket(int sequenceNumber, int rtpTimestamp, long arrivalNanos) {
        long extended = unwrapper.unwrap(sequenceNumber);
        received++;
        if (received == 1) {
            firstArrivalNanos = arrivalNanos; // keeps the product below in range however large nanoTime is
        }
        // RFC 3550 A.8 in 32-bit arithmetic, so that the RTP timestamp's wrap cancels out.
        int transit = (int) ((arrivalNanos - firstArrivalNanos) * clockRate / 1_000_000_000L) - rtpTimestamp;
        if (received > 1) {
            int d = Math.abs(transit - lastTransit);
            jitter += (d - jitter) / 16.0;
        }
        lastTransit = transit;
        if (baseSequence < 0) {
            baseSequence = extended;
            highestSequence = extended;
            return false;
        }
        if (extended > highestSequence) {
            for (long s = Math.max(highestSequence + 1, extended - NACK_WINDOW + 1); s < extended; s++) {
                missing[slot(s)] = true;
                nacked[slot(s)] = false;
            }
            missing[slot(extended)] = false;
            highestSequence = extended;
            return false;
        }
        return fill(extended);
    }

    /** A retransmission (RTX, RFC 4588) of the given original sequence number; whether it filled a gap. */
    public boolean onRetransmission(int originalSequenceNumber) {
        if (highestSequence < 0) {
            return false;
        }
        // The original number lies at most NACK_WINDOW behind the highest: place it near it.
        long extended = highestSequence - (((int) highestSequence - originalSequenceNumber) & 0xffff);
        if (fill(extended)) {
            received++;
            return true;
        }
        return false;
    }

    private boolean fill(long extended) {
        if (highestSequence - extended >= NACK_WINDOW || !missing[slot(extended)]) {
            return false;
        }
        missing[slot(extended)] = false;
        return true;
    }

    /** Writes the sequence numbers missing and not yet NACKed into {@code out}; returns how many. */
    public int takeNacks(int[] out) {
        int count = 0;
        for (long s = Math.max(baseSequence, highestSequence - NACK_WINDOW + 1); s < highestSequence && count < out.length; s++) {
            int slot = slot(s);
            if (missing[slot] && !nacked[slot]) {
                nacked[slot] = true;
                out[count++] = (int) s & 0xffff;
            }
        }
        return count;
    }

    public long extendedHighestSequence() {
        return highestSequence;
    }

    public long cumulativeLost() {
        return highestSequence < 0 ? 0 : highestSequence - baseSequence + 1 - received;
    }

    /** The fraction lost since the previous call, in 1/256 (RFC 3550 A.3); moves the interval on. */
    public int takeFractionLost() {
        long expected = highestSequence - baseSequence + 1;
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        return expectedInterval <= 0 || lostInterval <= 0 ? 0 : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
    }

    public double jitterMillis() {
        return jitter * 1000.0 / clockRate;
    }

    public int ssrc() {
        return ssrc;
    }

    /** A sender report from this source arrived (its 64-bit NTP timestamp). */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        lastSenderReport = (int) (ntpTimestamp >>> 16);
        lastSenderReportNanos = arrivalNanos;
    }

    /** LSR: the middle 32 bits of the last sender report's NTP timestamp, or 0. */
    public int lastSenderReport() {
        return lastSenderReport;
    }

    /** DLSR: the time since the last sender report in 1/65536 s, or 0 when there was none. */
    public int delaySinceLastSenderReport(long nowNanos) {
        if (lastSenderReport == 0) {
            return 0;
        }
        return (int) Math.min(0xffffffffL, (nowNanos - lastSenderReportNanos) * 65536 / 1_000_000_000L);
    }

    /** Interarrival jitter in timestamp units. */
    public int jitter() {
        return (int) jitter;
    }

    private static int slot(long sequence) {
        return (int) (sequence % NACK_WINDOW);
    }
}
