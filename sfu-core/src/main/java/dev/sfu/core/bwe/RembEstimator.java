package dev.sfu.core.bwe;

/**
 * A receive-side estimate of a publisher's uplink, for publishers that negotiated only goog-remb (no
 * transport-cc), sent back to them as REMB (draft-alvestrand-rmcat-remb-03): the same delay-gradient
 * detector and AIMD as the downlink estimate, fed with the abs-send-time header extension as send time
 * (as libwebrtc's RemoteBitrateEstimatorAbsSendTime), and the incoming bitrate as the measured rate.
 * Without abs-send-time only the incoming-rate bound drives it. Media thread only; allocation-free.
 */
public final class RembEstimator {
    /** abs-send-time is 6.18 fixed-point seconds in 24 bits: it wraps every 64 s. */
    private static final long ABS_SEND_TIME_WRAP = 1L << 24;

    private final PacketGroups groups = new PacketGroups();
    private final TrendlineEstimator trendline = new TrendlineEstimator();
    private final AckedBitrate incoming = new AckedBitrate();
    private final AimdRateControl rate = new AimdRateControl(DownlinkEstimator.INITIAL_BPS);
    private long lastAbsSendTime = -1;
    private long unwrappedAbsSendTime;
    private boolean overuse;

    /**
     * A packet arrived. {@code absSendTime} is the 24-bit extension value, or -1 when the packet has none.
     * Per packet.
     */
    public void onPacket(int absSendTime, long arrivalNanos, int size) {
        incoming.onPacket(arrivalNanos, size);
        if (absSendTime < 0) {
            return;
        }
        if (lastAbsSendTime < 0) {
            unwrappedAbsSendTime = absSendTime;
        } else {
            long delta = (absSendTime - lastAbsSendTime) & (ABS_SEND_TIME_WRAP - 1);
            if (delta >= ABS_SEND_TIME_WRAP / 2) {
                delta -= ABS_SEND_TIME_WRAP; // a reordered packet: a little back in time
            }
            unwrappedAbsSendTime += delta;
        }
        lastAbsSendTime = absSendTime;
        long sendNanos = unwrappedAbsSendTime * 1_000_000_000L >> 18;
        if (groups.onPacket(sendNanos, arrivalNanos)) {
            BandwidthUsage usage = trendline.update(groups.arrivalDelta() / 1e6, groups.sendDelta() / 1e6,
                    groups.completedArrival());
            overuse |= usage == BandwidthUsage.OVERUSING;
        }
    }

    /** Updates and returns the estimate (bits per second); the endpoint calls it before each REMB. */
    public long update(long nowNanos) {
        BandwidthUsage usage = overuse ? BandwidthUsage.OVERUSING : trendline.usage();
        overuse = false;
        return rate.update(usage, incoming.bitsPerSecond(), nowNanos);
    }
}
