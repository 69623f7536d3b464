package dev.sfu.core.outbound;

import dev.sfu.core.bwe.DownlinkEstimator;
import dev.sfu.core.bwe.PacketBuffers;
import dev.sfu.core.bwe.Pacer;
import dev.sfu.core.media.LayerAllocator;
import dev.sfu.core.media.Router;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.core.transport.RtpSender;
import dev.sfu.rtp.rtcp.TransportCcFeedback;
import java.util.ArrayList;

/**
 * One subscribe transport's downlink: its bandwidth estimate (from the subscriber's transport-cc
 * feedback), how that estimate is shared among its subscriptions (the {@link LayerAllocator}), the pacer
 * its video goes through, and the padding that probes for more bandwidth. Media thread only.
 */
public final class DownlinkController {
    private final DownlinkEstimator estimator = new DownlinkEstimator();
    private final LayerAllocator allocator = new LayerAllocator();
    private final Pacer pacer;
    private final SfuMetrics metrics;
    private final ArrayList<Subscription> allocated = new ArrayList<>();
    /** What the subscriptions would like, for the prober. */
    private long desiredBps;
    private long switchesCounted;
    private long probesCounted;
    private long pacerDropsCounted;
    /** A feedback reporting more packets than this is skipped. */
    static final int MAX_FEEDBACK_PACKETS = 8192;
    /**
     * Arrival times of one feedback's packets, as many as the largest feedback so far reported (a 50 ms
     * feedback covers tens of packets, not the 8,192 the largest would: 64 KiB a subscriber saved).
     */
    private long[] arrivals = new long[64];
    private final long slotNanos;
    private final Runnable slotsNeeded;

    /** @param slotsNeeded run when the pacer slot is needed again (packets held back, a probe wanted) */
    public DownlinkController(RtpSender transport, SfuMetrics metrics, PacketBuffers buffers, Runnable slotsNeeded,
            int pacerCapacity, long pacerSlotNanos) {
        this.pacer = new Pacer(transport, estimator, buffers, slotsNeeded, pacerCapacity, pacerSlotNanos);
        this.slotsNeeded = slotsNeeded;
        this.slotNanos = pacerSlotNanos;
        this.metrics = metrics;
    }

    public DownlinkEstimator estimator() {
        return estimator;
    }

    public Pacer pacer() {
        return pacer;
    }

    /**
     * The subscriber's transport-cc feedback on what we sent it: the estimate's input, and counted
     * (packets it reports received and lost).
     */
    public void onTransportFeedback(byte[] buffer, int at, int length, long nowNanos) {
        if (length >= 16) {
            int reported = (buffer[at + 14] & 0xff) << 8 | (buffer[at + 15] & 0xff);
            if (reported > arrivals.length && reported <= MAX_FEEDBACK_PACKETS) {
                arrivals = new long[Integer.highestOneBit(reported - 1) << 1];
            }
        }
        int count = TransportCcFeedback.parse(buffer, at, length, arrivals);
        if (count <= 0) {
            return;
        }
        int lost = 0;
        for (int i = 0; i < count; i++) {
            if (arrivals[i] == TransportCcFeedback.NOT_RECEIVED) {
                lost++;
            }
        }
        int base = (buffer[at + 12] & 0xff) << 8 | (buffer[at + 13] & 0xff);
        estimator.onFeedback(base, arrivals, count, nowNanos);
        metrics.downlinkFeedbackReceived().increment(count - lost);
        metrics.downlinkFeedbackLost().increment(lost);
    }

    /**
     * Shares the estimate among the accepted subscriptions (no limits while the subscriber sends no
     * transport-cc feedback), tells the pacer its rate, and counts layer switches and pacer drops.
     */
    public void allocate(ArrayList<Subscription> subscriptions, long nowNanos) {
        allocated.clear();
        long switches = 0;
        for (int i = 0; i < subscriptions.size(); i++) {
            Subscription s = subscriptions.get(i);
            if (s.accepted()) {
                allocated.add(s);
                switches += s.switches();
            }
        }
        pacer.setEstimate(estimator.hasEstimate() ? estimator.estimateBps() : 0);
        if (pacer.dropped() > pacerDropsCounted) {
            metrics.pacerDropped().increment(pacer.dropped() - pacerDropsCounted);
            pacerDropsCounted = pacer.dropped();
        }
        if (estimator.hasEstimate()) {
            desiredBps = allocator.allocate(allocated, estimator.estimateBps(), nowNanos);
            metrics.downlinkEstimate().record(estimator.estimateBps());
        } else {
            LayerAllocator.unlimited(allocated);
        }
        if (switches > switchesCounted) {
            metrics.layerSwitches().increment(switches - switchesCounted);
        }
        switchesCounted = switches; // subscriptions that went away take their counts with them
        if (estimator.wantsProbeSlots(desiredBps, nowNanos)) {
            slotsNeeded.run();
        }
    }

    /** Whether the next pacer slot has work here: packets held back, or a probe sending or wanted. */
    public boolean needsSlots(long nowNanos) {
        return pacer.queued() > 0 || estimator.wantsProbeSlots(desiredBps, nowNanos);
    }

    /** Sends the video the pacer holds as far as its budget allows. */
    public void drainPacer(long nowNanos) {
        pacer.drain(nowNanos);
    }

    /**
     * Sends the padding of a bandwidth probe, when one is due, on the first video subscription that can
     * carry it. Called every pacer slot, so a probe's padding spreads over its cluster.
     */
    public void probe(ArrayList<Subscription> subscriptions, Router router, long nowNanos) {
        int bytes = estimator.probePaddingBytes(desiredBps, nowNanos, slotNanos);
        if (estimator.probes() > probesCounted) {
            metrics.downlinkProbes().increment(estimator.probes() - probesCounted);
            probesCounted = estimator.probes();
        }
        for (int i = 0; bytes > 0 && i < subscriptions.size(); i++) {
            Subscription s = subscriptions.get(i);
            if (s.canPad()) {
                router.sendPadding(s, bytes, nowNanos);
                return;
            }
        }
    }
}
