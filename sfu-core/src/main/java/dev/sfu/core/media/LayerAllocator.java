package dev.sfu.core.media;

import java.util.ArrayList;

/**
 * Shares one subscriber's downlink estimate among its subscriptions, in the manner of Jitsi's
 * BandwidthAllocator: audio first, then every video subscription gets its lowest active layer, then they
 * are raised one layer at a time, round robin, while the estimate still holds them. Raising above the
 * layer forwarded now needs 1.2× the layer's bitrate (a switch costs a keyframe, and flapping costs more);
 * keeping a layer needs only its bitrate. The result is each subscription's bandwidth limit; the layer
 * itself changes at the target's next keyframe ({@link Subscription#chooseTarget}). Runs a few times a
 * second on the media thread; reuses its arrays.
 */
public final class LayerAllocator {
    static final double UP_SWITCH_HEADROOM = 1.2;

    private int[] levels = new int[8];
    private int[] ceilings = new int[8];

    /**
     * Sets each subscription's bandwidth limit from the estimate.
     *
     * @return the bitrate the subscriptions would like (their constraints' layers, with the up-switch
     *     headroom): what probing should try to reach
     */
    public long allocate(ArrayList<Subscription> subscriptions, long estimateBps, long nowNanos) {
        int n = subscriptions.size();
        if (levels.length < n) {
            levels = new int[n * 2];
            ceilings = new int[n * 2];
        }
        long spent = 0;
        long desired = 0;
        for (int i = 0; i < n; i++) {
            Subscription s = subscriptions.get(i);
            if (!s.isVideo()) {
                spent += s.track().bitrate(0);
                desired += s.track().bitrate(0);
                levels[i] = -1;
                ceilings[i] = -1;
                continue;
            }
            ceilings[i] = s.highestAllowed(nowNanos);
            levels[i] = ceilings[i] < 0 ? -1 : s.lowestActive(nowNanos); // -1: no video wanted (constraints, last-N)
            if (levels[i] >= 0) {
                spent += s.track().bitrate(levels[i]);
            }
            if (ceilings[i] >= 0) {
                desired += (long) (s.track().bitrate(ceilings[i]) * UP_SWITCH_HEADROOM);
            }
        }
        boolean raised = true;
        while (raised) {
            raised = false;
            for (int i = 0; i < n; i++) {
                if (levels[i] < 0 || levels[i] >= ceilings[i]) {
                    continue;
                }
                Subscription s = subscriptions.get(i);
                int next = nextActive(s, levels[i], ceilings[i], nowNanos);
                if (next < 0) {
                    continue;
                }
                long now = s.track().bitrate(levels[i]);
                long wanted = s.track().bitrate(next);
                double headroom = next > s.encoding() ? UP_SWITCH_HEADROOM : 1.0;
                if (spent - now + (long) (wanted * headroom) <= estimateBps) {
                    spent += wanted - now;
                    levels[i] = next;
                    raised = true;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            Subscription s = subscriptions.get(i);
            if (s.isVideo()) {
                s.setBandwidthLimit(levels[i] >= 0 ? levels[i] : Integer.MAX_VALUE);
            }
        }
        return desired;
    }

    private static int nextActive(Subscription s, int level, int ceiling, long nowNanos) {
        for (int e = level + 1; e <= ceiling; e++) {
            if (s.track().isActive(e, nowNanos)) {
                return e;
            }
        }
        return -1;
    }

    /** Lifts every limit: the subscriber sends no transport-cc feedback, so there is no estimate. */
    public static void unlimited(ArrayList<Subscription> subscriptions) {
        for (int i = 0; i < subscriptions.size(); i++) {
            subscriptions.get(i).setBandwidthLimit(Integer.MAX_VALUE);
        }
    }
}
