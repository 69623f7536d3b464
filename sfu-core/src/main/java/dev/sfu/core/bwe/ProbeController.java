package dev.sfu.core.bwe;

/**
 * Probing, so that an estimate can climb back above what the subscriber happens to receive (the delay-
 * based rate may not exceed 1.5× of that): when the subscriptions want more than the estimate, a short
 * cluster (100 ms) of packets is sent at 1.2× the estimate, padding filling the gap. The feedback on the
 * cluster tells the rate the path delivered it at (min of the send and receive rates, as libwebrtc's
 * ProbeBitrateEstimator); the estimate may rise to that, up to the cluster's target. Rate-limited: 0.2 s
 * after the evaluation of a probe that raised the estimate, 2 s after one that did not (or after overuse).
 */
final class ProbeController {
    static final long CLUSTER_NANOS = 100_000_000L;
    static final double FACTOR = 1.2;
    static final long INTERVAL_AFTER_SUCCESS_NANOS = 200_000_000L;
    static final long INTERVAL_AFTER_FAILURE_NANOS = 2_000_000_000L;
    /** Feedback for the cluster's last packets comes a feedback interval and a round trip later. */
    private static final long EVALUATE_AFTER_NANOS = 300_000_000L;
    private static final int MIN_PACKETS = 5;

    private int clusterId;
    private boolean running;
    private long target;
    private long end;
    private long nextAllowed = Long.MIN_VALUE / 2;
    private long probes;
    // what feedback acknowledged of the current cluster
    private int packets;
    private int lost;
    private long bytes;
    private long firstSend;
    private long lastSend;
    private long firstArrival;
    private long lastArrival;
    private int firstSize;
    private int lastSize;

    /** Starts a cluster if the subscriptions want more than the estimate and the last probe is far enough back. */
    boolean maybeStart(long estimateBps, long desiredBps, long nowNanos) {
        if (running || nowNanos - nextAllowed < 0 || desiredBps <= estimateBps) {
            return false;
        }
        clusterId++;
        running = true;
        target = (long) (estimateBps * FACTOR);
        end = nowNanos + CLUSTER_NANOS;
        packets = 0;
        lost = 0;
        bytes = 0;
        probes++;
        return true;
    }

    /** The id sent packets are tagged with now, 0 outside a cluster. */
    int activeCluster(long nowNanos) {
        return running && nowNanos - end < 0 ? clusterId : 0;
    }

    long targetBps() {
        return target;
    }

    void onLost(int cluster) {
        if (cluster == clusterId && running) {
            lost++;
        }
    }

    void onAcked(int cluster, long sendNanos, long arrivalNanos, int size) {
        if (cluster != clusterId || !running) {
            return;
        }
        if (packets == 0) {
            firstSend = sendNanos;
            firstArrival = arrivalNanos;
            firstSize = size;
        }
        lastSend = Math.max(lastSend, sendNanos);
        lastArrival = Math.max(lastArrival, arrivalNanos);
        lastSize = size;
        bytes += size;
        packets++;
    }

    /**
     * The rate the finished cluster was delivered at (bits per second, 0 when too little of it was
     * acknowledged), or -1 while it is still running or its feedback may still come.
     */
    long evaluate(long nowNanos) {
        if (!running || nowNanos - end < EVALUATE_AFTER_NANOS) {
            return -1;
        }
        running = false;
        if (packets < MIN_PACKETS || lost * 10 > packets + lost) {
            return 0; // too little came back to measure, or the path lost over 10 % of it
        }
        // The last packet's bytes leave after the send span, the first's arrive before the receive span.
        long sendSpan = Math.max(lastSend - firstSend, 1_000_000L);
        long receiveSpan = Math.max(lastArrival - firstArrival, 1_000_000L);
        long sendRate = (bytes - lastSize) * 8_000_000_000L / sendSpan;
        long receiveRate = (bytes - firstSize) * 8_000_000_000L / receiveSpan;
        return Math.min(sendRate, receiveRate);
    }

    /** Whether the probe raised the estimate decides when the next may go. */
    void finished(boolean raised, long nowNanos) {
        nextAllowed = nowNanos + (raised ? INTERVAL_AFTER_SUCCESS_NANOS : INTERVAL_AFTER_FAILURE_NANOS);
    }

    long probes() {
        return probes;
    }
}
