package dev.sfu.core.bwe;

/**
 * The delay-gradient detector of GCC as libwebrtc implements it (TrendlineEstimator): accumulates the
 * one-way delay variation between packet groups, smooths it, fits a line through the last 20 points and
 * compares the slope, scaled by how many deltas it rests on, with a threshold that adapts to the path
 * (fast up, slow down: draft-ietf-rmcat-gcc-02 §5.4) so that jitter alone does not read as congestion.
 */
final class TrendlineEstimator {
    private static final int WINDOW = 20;
    private static final double SMOOTHING = 0.9;
    private static final double GAIN = 4.0;
    private static final double K_UP = 0.0087;
    private static final double K_DOWN = 0.039;
    private static final double MIN_THRESHOLD_MS = 6;
    private static final double MAX_THRESHOLD_MS = 600;
    /** Over the threshold for this long (and twice in a row) before calling it overuse. */
    private static final double OVERUSE_TIME_MS = 10;

    private final double[] times = new double[WINDOW];
    private final double[] delays = new double[WINDOW];
    private int points;
    private int next;
    private int deltas;
    private double accumulatedDelay;
    private double smoothedDelay;
    private long firstArrivalNanos = Long.MIN_VALUE;
    private double previousTrend;
    private double threshold = 12.5;
    private long lastThresholdUpdateNanos = Long.MIN_VALUE;
    private double timeOverUsing = -1;
    private int overuseCount;
    private BandwidthUsage usage = BandwidthUsage.NORMAL;
    private double lastModifiedTrend;

    /** One packet group's deltas (milliseconds) and the arrival of its last packet. */
    BandwidthUsage update(double arrivalDeltaMs, double sendDeltaMs, long arrivalNanos) {
        if (firstArrivalNanos == Long.MIN_VALUE) {
            firstArrivalNanos = arrivalNanos;
        }
        deltas = Math.min(deltas + 1, 1000);
        accumulatedDelay += arrivalDeltaMs - sendDeltaMs;
        smoothedDelay = SMOOTHING * smoothedDelay + (1 - SMOOTHING) * accumulatedDelay;
        times[next] = (arrivalNanos - firstArrivalNanos) / 1e6;
        delays[next] = smoothedDelay;
        next = (next + 1) % WINDOW;
        points = Math.min(points + 1, WINDOW);
        double trend = previousTrend;
        if (points == WINDOW) {
            trend = slope();
        }
        detect(trend, sendDeltaMs, arrivalNanos);
        return usage;
    }

    /** Least-squares slope of delay over time through the window's points. */
    private double slope() {
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < points; i++) {
            meanX += times[i];
            meanY += delays[i];
        }
        meanX /= points;
        meanY /= points;
        double numerator = 0;
        double denominator = 0;
        for (int i = 0; i < points; i++) {
            double dx = times[i] - meanX;
            numerator += dx * (delays[i] - meanY);
            denominator += dx * dx;
        }
        return denominator == 0 ? previousTrend : numerator / denominator;
    }

    private void detect(double trend, double sendDeltaMs, long nowNanos) {
        if (deltas < 2) {
            usage = BandwidthUsage.NORMAL;
            return;
        }
        double modified = Math.min(deltas, 60) * trend * GAIN;
        lastModifiedTrend = modified;
        if (modified > threshold) {
            timeOverUsing = timeOverUsing < 0 ? sendDeltaMs / 2 : timeOverUsing + sendDeltaMs;
            overuseCount++;
            if (timeOverUsing > OVERUSE_TIME_MS && overuseCount > 1 && trend >= previousTrend) {
                timeOverUsing = 0;
                overuseCount = 0;
                usage = BandwidthUsage.OVERUSING;
            }
        } else if (modified < -threshold) {
            timeOverUsing = -1;
            overuseCount = 0;
            usage = BandwidthUsage.UNDERUSING;
        } else {
            timeOverUsing = -1;
            overuseCount = 0;
            usage = BandwidthUsage.NORMAL;
        }
        previousTrend = trend;
        updateThreshold(modified, nowNanos);
    }

    private void updateThreshold(double modified, long nowNanos) {
        if (lastThresholdUpdateNanos == Long.MIN_VALUE) {
            lastThresholdUpdateNanos = nowNanos;
        }
        double magnitude = Math.abs(modified);
        if (magnitude > threshold + 15) {
            // A spike (a route change, a paused sender) must not drag the threshold up with it.
            lastThresholdUpdateNanos = nowNanos;
            return;
        }
        double k = magnitude < threshold ? K_DOWN : K_UP;
        double elapsedMs = Math.min((nowNanos - lastThresholdUpdateNanos) / 1e6, 100);
        threshold += k * (magnitude - threshold) * elapsedMs;
        threshold = Math.max(MIN_THRESHOLD_MS, Math.min(MAX_THRESHOLD_MS, threshold));
        lastThresholdUpdateNanos = nowNanos;
    }

    BandwidthUsage usage() {
        return usage;
    }

    double threshold() {
        return threshold;
    }

    double modifiedTrend() {
        return lastModifiedTrend;
    }
}
