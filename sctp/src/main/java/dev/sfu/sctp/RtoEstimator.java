package dev.sfu.sctp;

/** Retransmission timeout from RTT measurements (RFC 9260 §6.3.1), with the §6.3.3 back-off. */
final class RtoEstimator {
    private final long min;
    private final long max;
    private long srtt;
    private long rttvar;
    private long rto;
    private boolean measured;

    RtoEstimator(long initial, long min, long max) {
        this.min = min;
        this.max = max;
        this.rto = clamp(initial);
    }

    private long clamp(long v) {
        return Math.max(min, Math.min(max, v));
    }

    /** C1-C3: first measurement sets SRTT = R, RTTVAR = R/2; later ones smooth with alpha 1/8, beta 1/4. */
    void measure(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (!measured) {
            srtt = rtt;
            rttvar = rtt / 2;
            measured = true;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
            srtt = (7 * srtt + rtt) / 8;
        }
        // G, the clock granularity, is 1 ns here: the caller's clock.
        rto = clamp(srtt + Math.max(4 * rttvar, 1));
    }

    /** E2: on a T3 expiration RTO doubles, up to RTO.max. */
    void backOff() {
        rto = clamp(rto > max / 2 ? max : rto * 2);
    }

    long rto() {
        return rto;
    }

    long srtt() {
        return srtt;
    }
}
