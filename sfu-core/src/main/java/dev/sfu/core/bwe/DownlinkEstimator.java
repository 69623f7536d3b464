package dev.sfu.core.bwe;

import dev.sfu.rtp.rtcp.TransportCcFeedback;

/**
 * The bandwidth estimate of one subscribe transport, from the transport-cc feedback (draft-holmer-rmcat-
 * transport-wide-cc-extensions-01) its subscriber sends, in the spirit of Google Congestion Control: the
 * delay-based rate (packet groups → trendline detector → AIMD), the loss-based rate, the smaller of the
 * two; probes let it climb. It has no estimate until the first feedback arrives (a subscriber without
 * transport-cc is not limited). Media thread only; allocation-free.
 */
public final class DownlinkEstimator {
    /** Where a fresh estimate starts: enough for a middle simulcast layer; probes find more. */
    public static final long INITIAL_BPS = 1_000_000;

    private final SentPacketHistory history = new SentPacketHistory();
    private final PacketGroups groups = new PacketGroups();
    private final TrendlineEstimator trendline = new TrendlineEstimator();
    private final AckedBitrate acked = new AckedBitrate();
    private final AimdRateControl delayBased = new AimdRateControl(INITIAL_BPS);
    private final LossBasedControl lossBased = new LossBasedControl(INITIAL_BPS);
    private final ProbeController prober = new ProbeController();
    private boolean hasEstimate;
    private long estimate = INITIAL_BPS;
    private long lastOveruseNanos = Long.MIN_VALUE / 2;
    /** The sequence number after the last one the previous feedback covered, -1 before the first. */
    private int nextBase = -1;
    /** Bytes sent since the last probe tick (media and padding), so padding only tops up to the target. */
    private long sentSinceTick;
    /** A larger jump is a restart of the subscriber's numbering, not loss. */
    private static final int MAX_SKIPPED = 1000;

    /** A packet carrying transport-wide sequence number {@code sequence} went out. Per packet. */
    public void onPacketSent(int sequence, int size, long nowNanos) {
        history.onSent(sequence, size, nowNanos, prober.activeCluster(nowNanos));
        sentSinceTick += size;
    }

    /**
     * A parsed feedback packet: {@code count} arrival times (µs, or {@link TransportCcFeedback#NOT_RECEIVED})
     * from {@code baseSequence} on.
     */
    public void onFeedback(int baseSequence, long[] arrivalMicros, int count, long nowNanos) {
        int lost = 0;
        int reported = 0;
        boolean overuse = false;
        if (nextBase >= 0) {
            // A feedback starts at a packet that arrived (ours, and libwebrtc's, do): what lies between
            // the previous one's end and this base was lost.
            int skipped = (baseSequence - nextBase) & 0xffff;
            for (int i = 0; skipped < MAX_SKIPPED && i < skipped; i++) {
                int slot = history.find(nextBase + i);
                if (slot >= 0) {
                    prober.onLost(history.cluster(slot));
                    history.forget(slot);
                    lost++;
                    reported++;
                }
            }
        }
        nextBase = (baseSequence + count) & 0xffff;
        for (int i = 0; i < count; i++) {
            int slot = history.find(baseSequence + i);
            if (slot < 0) {
                continue; // not ours any more (or reported already)
            }
            reported++;
            if (arrivalMicros[i] == TransportCcFeedback.NOT_RECEIVED) {
                prober.onLost(history.cluster(slot));
                history.forget(slot);
                lost++;
                continue;
            }
            long send = history.sendNanos(slot);
            int size = history.size(slot);
            int cluster = history.cluster(slot);
            history.forget(slot);
            long arrival = arrivalMicros[i] * 1000;
            acked.onPacket(arrival, size);
            prober.onAcked(cluster, send, arrival, size);
            if (groups.onPacket(send, arrival)) {
                BandwidthUsage usage = trendline.update(groups.arrivalDelta() / 1e6, groups.sendDelta() / 1e6,
                        groups.completedArrival());
                overuse |= usage == BandwidthUsage.OVERUSING;
            }
        }
        if (reported == 0) {
            return;
        }
        if (overuse) {
            lastOveruseNanos = nowNanos;
        }
        delayBased.update(overuse ? BandwidthUsage.OVERUSING : trendline.usage(), acked.bitsPerSecond(), nowNanos);
        long probed = prober.evaluate(nowNanos);
        if (probed >= 0) {
            boolean raised = !overuse && Math.min(probed, prober.targetBps()) > estimate;
            if (raised) {
                delayBased.raiseTo(Math.min(probed, prober.targetBps()));
                lossBased.raiseTo(delayBased.estimate());
            }
            prober.finished(raised, nowNanos);
        }
        lossBased.update(lost, reported, delayBased.estimate(), nowNanos);
        estimate = Math.min(delayBased.estimate(), lossBased.estimate());
        hasEstimate = true;
    }

    /**
     * How many bytes of padding to send now to probe (0 for none): called on every tick of
     * {@code tickNanos} with the rate the subscriptions would like; during a cluster, what the media sent
     * in the last tick is subtracted from the cluster's rate.
     */
    public int probePaddingBytes(long desiredBps, long nowNanos, long tickNanos) {
        if (!hasEstimate || nowNanos - lastOveruseNanos < ProbeController.INTERVAL_AFTER_FAILURE_NANOS
                || lossBased.lastLossFraction() > LossBasedControl.LOW_LOSS) {
            return 0;
        }
        prober.maybeStart(estimate, desiredBps, nowNanos);
        long sent = sentSinceTick;
        sentSinceTick = 0;
        if (prober.activeCluster(nowNanos) == 0) {
            return 0;
        }
        // Padding tops up what media already sent in the tick to the cluster's rate; the padding itself
        // is recorded as sent before the next tick, so it starts that tick's count below zero.
        int padding = (int) Math.max(0, Math.min(64 * 1024, prober.targetBps() * tickNanos / 8_000_000_000L - sent));
        sentSinceTick = -padding;
        return padding;
    }

    /**
     * Whether the pacer slot is needed for probing: a probe cluster is sending, or one may start because
     * the subscriptions want more than the estimate.
     */
    public boolean wantsProbeSlots(long desiredBps, long nowNanos) {
        return hasEstimate && (desiredBps > estimate || prober.activeCluster(nowNanos) != 0);
    }

    public boolean hasEstimate() {
        return hasEstimate;
    }

    /** Bits per second (meaningful once {@link #hasEstimate}). */
    public long estimateBps() {
        return estimate;
    }

    /** Probe clusters started so far. */
    public long probes() {
        return prober.probes();
    }

    public BandwidthUsage usage() {
        return trendline.usage();
    }

    /** Bits per second acknowledged over the last half second, -1 when unknown. */
    public long ackedBps() {
        return acked.bitsPerSecond();
    }
}
