package dev.sfu.core.media;

/**
 * Which encoding (simulcast layer) of a track one subscriber gets: the one forwarded now, the one it moves
 * to at that encoding's next keyframe, and the limits that decide it (the receiver's maximum height,
 * last-N, its share of the downlink estimate). Media thread only.
 */
final class LayerSelector {
    private final Track track;
    private final boolean video;
    /** Encoding now forwarded (-1 = none yet), and the one wanted; they differ until its keyframe. */
    private int current = -1;
    private int target;
    private int maxHeight = Integer.MAX_VALUE;
    /** False while last-N leaves this sender out: no video, as with a maximum height of 0. */
    private boolean forwarded = true;
    /** Highest encoding the subscriber's share of its downlink estimate allows (set by the LayerAllocator). */
    private int bandwidthLimit = Integer.MAX_VALUE;
    /** Switches from one encoding to another, for sfu_layer_switches_total. */
    private int switches;

    LayerSelector(Track track) {
        this.track = track;
        this.video = !track.isAudio();
        this.target = track.encodingCount() - 1;
    }

    int current() {
        return current;
    }

    int target() {
        return target;
    }

    int switches() {
        return switches;
    }

    void setMaxHeight(int maxHeight) {
        this.maxHeight = maxHeight;
    }

    void setForwarded(boolean forwarded) {
        this.forwarded = forwarded;
    }

    void setBandwidthLimit(int highestEncoding) {
        this.bandwidthLimit = highestEncoding;
    }

    int bandwidthLimit() {
        return bandwidthLimit;
    }

    /**
     * Whether a packet of {@code packetEncoding} is forwarded; moves to the target encoding at its
     * keyframe. Per packet.
     *
     * @return {@link #SAME} to forward on the current encoding, {@link #SWITCHED} when this keyframe starts
     *     the target encoding (the rewriter re-anchors), {@link #DROP} otherwise
     */
    int accept(int packetEncoding, boolean keyframe) {
        if (packetEncoding == current && current == target) {
            return SAME;
        }
        if (packetEncoding == target && keyframe) {
            if (current >= 0) {
                switches++;
            }
            current = target;
            return SWITCHED;
        }
        return packetEncoding == current ? SAME : DROP;
    }

    static final int DROP = 0;
    static final int SAME = 1;
    static final int SWITCHED = 2;

    /**
     * Picks the encoding to forward: the highest that is active, fits the maximum height and the
     * bandwidth share, else the lowest active one. Returns the encoding whose keyframe is still needed
     * (asked again on every call until it arrives; the track throttles the requests), or -1.
     */
    int chooseTarget(long nowNanos) {
        int maxHeight = forwarded ? this.maxHeight : 0;
        int chosen = -1;
        if (!video) {
            chosen = 0;
        } else if (maxHeight > 0) {
            int allowed = Math.min(highestAllowed(nowNanos), bandwidthLimit);
            for (int e = 0; e <= allowed && e < track.encodingCount(); e++) {
                if (track.isActive(e, nowNanos)) {
                    chosen = e;
                }
            }
            if (chosen < 0) {
                chosen = lowestActive(nowNanos);
            }
        }
        if (chosen < 0 && maxHeight > 0) {
            if (maxHeight != Integer.MAX_VALUE && current < 0) {
                target = 0; // nothing seen yet, but a constrained subscriber must not start on a big layer
            }
            return -1; // nothing active: keep what we have
        }
        target = chosen;
        if (target < 0) {
            current = -1;
        }
        return target >= 0 && target != current ? target : -1;
    }

    /**
     * The highest active encoding the receiver's constraints allow (the lowest active one when none
     * fits), -1 when the subscriber wants no video or nothing is active.
     */
    int highestAllowed(long nowNanos) {
        int maxHeight = forwarded ? this.maxHeight : 0;
        if (!video) {
            return 0;
        }
        if (maxHeight <= 0) {
            return -1;
        }
        int chosen = -1;
        for (int e = 0; e < track.encodingCount(); e++) {
            if (!track.isActive(e, nowNanos)) {
                continue;
            }
            int h = track.height(e);
            boolean fits = maxHeight == Integer.MAX_VALUE || (h > 0 ? h <= maxHeight : e == 0);
            if (fits) {
                chosen = e;
            }
        }
        return chosen >= 0 ? chosen : lowestActive(nowNanos);
    }

    /** The lowest encoding the publisher is sending, or -1. */
    int lowestActive(long nowNanos) {
        for (int e = 0; e < track.encodingCount(); e++) {
            if (track.isActive(e, nowNanos)) {
                return e;
            }
        }
        return -1;
    }
}
