package dev.sfu.cluster;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * A node's stress, as Jicofo weighs bridges: the most loaded of CPU, forwarded packets against the
 * capacity measured with the load harness, and endpoints against their maximum, plus a share for each
 * conference placed recently, whose load the measured figures do not show yet.
 */
public final class Stress {
    /** What one recently placed conference is expected to add before its load shows in the figures. */
    static final double PER_RECENT_PLACEMENT = 0.05;
    /** How long a placement counts as recent: a few records, time for its participants to arrive. */
    static final long RECENT_NANOS = 10_000_000_000L;

    private final double capacityPacketsPerSecond;
    private final int maxEndpoints;
    private final LongSupplier nanoClock;
    private final ArrayDeque<Long> placements = new ArrayDeque<>();

    public Stress(double capacityPacketsPerSecond, int maxEndpoints, LongSupplier nanoClock) {
        this.capacityPacketsPerSecond = capacityPacketsPerSecond;
        this.maxEndpoints = maxEndpoints;
        this.nanoClock = nanoClock;
    }

    /** The stress of the measured figures alone. */
    public double measured(double cpu, double packetsPerSecond, int endpoints) {
        double s = Math.max(0, cpu);
        s = Math.max(s, packetsPerSecond / capacityPacketsPerSecond);
        return Math.max(s, (double) endpoints / maxEndpoints);
    }

    /** The measured stress plus the recent placements' share. */
    public synchronized double of(double cpu, double packetsPerSecond, int endpoints) {
        return measured(cpu, packetsPerSecond, endpoints) + recentPlacements() * PER_RECENT_PLACEMENT;
    }

    /** A conference was just placed here. */
    public synchronized void placed() {
        placements.addLast(nanoClock.getAsLong());
    }

    /** Placements within the recent window. */
    public synchronized int recentPlacements() {
        long now = nanoClock.getAsLong();
        while (!placements.isEmpty() && now - placements.peekFirst() > RECENT_NANOS) {
            placements.removeFirst();
        }
        return placements.size();
    }
}
