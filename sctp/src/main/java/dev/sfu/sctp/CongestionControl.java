package dev.sfu.sctp;

/**
 * Congestion window per RFC 9260 §7.2 for the one destination a WebRTC association has: slow start,
 * congestion avoidance with partial_bytes_acked, the halving on fast retransmit (with Fast Recovery, §7.2.4)
 * and the collapse to one MTU on a T3 timeout (§7.2.3).
 */
final class CongestionControl {
    private final int mtu;
    long cwnd;
    long ssthresh;
    private long partialBytesAcked;
    private boolean inFastRecovery;
    private long fastRecoveryExitPoint;

    CongestionControl(int mtu, long peerRwnd) {
        this.mtu = mtu;
        // §7.2.1: initial cwnd = min(4 * MTU, max(2 * MTU, 4380)); ssthresh may start at the peer's rwnd.
        this.cwnd = Math.min(4L * mtu, Math.max(2L * mtu, 4380));
        this.ssthresh = Math.max(peerRwnd, 4L * mtu);
    }

    void setInitialSsthresh(long peerRwnd) {
        ssthresh = Math.max(peerRwnd, 4L * mtu);
    }

    /**
     * A SACK that advanced the cumulative TSN ack acknowledged {@code bytesAcked} new bytes; {@code flightBefore}
     * is what was in flight before it (cwnd only grows when it was being used, §7.2.1/§7.2.2).
     */
    void onCumulativeAck(long bytesAcked, long flightBefore, long cumAck) {
        if (inFastRecovery) {
            if (cumAck >= fastRecoveryExitPoint) {
                inFastRecovery = false;
            } else {
                return; // §7.2.4: cwnd is not changed during Fast Recovery
            }
        }
        boolean fullyUsed = flightBefore + mtu >= cwnd;
        if (cwnd <= ssthresh) {
            if (fullyUsed) {
                cwnd += Math.min(bytesAcked, mtu);
            }
            partialBytesAcked = 0;
        } else {
            partialBytesAcked += bytesAcked;
            if (partialBytesAcked >= cwnd && fullyUsed) {
                partialBytesAcked -= cwnd;
                cwnd += mtu;
            }
        }
    }

    /** §7.2.4: on entering fast retransmit, once per recovery; highestOutstanding is the exit point. */
    void onFastRetransmit(long highestOutstanding) {
        if (inFastRecovery) {
            return;
        }
        inFastRecovery = true;
        fastRecoveryExitPoint = highestOutstanding;
        ssthresh = Math.max(cwnd / 2, 4L * mtu);
        cwnd = ssthresh;
        partialBytesAcked = 0;
    }

    /** §7.2.3: a T3 expiration. */
    void onRetransmissionTimeout() {
        ssthresh = Math.max(cwnd / 2, 4L * mtu);
        cwnd = mtu;
        partialBytesAcked = 0;
        inFastRecovery = false;
    }

    /** All data acknowledged: partial_bytes_acked goes to 0 (§7.2.2). */
    void onAllAcked() {
        partialBytesAcked = 0;
    }

    boolean inFastRecovery() {
        return inFastRecovery;
    }
}
