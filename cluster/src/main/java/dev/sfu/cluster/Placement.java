package dev.sfu.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Chooses the node for a conference nobody owns: the least-stressed serving node that is not full. Ties
 * (idle nodes all report 0) go to the node with fewer conferences, then at random, so that a burst of new
 * conferences spreads instead of piling onto the first node listed.
 */
public final class Placement {
    private final double fullStress;
    private final RandomGenerator random;

    public Placement(double fullStress, RandomGenerator random) {
        this.fullStress = fullStress;
        this.random = random;
    }

    /**
     * @param nodes the live records
     * @param pending placements this node made recently per node id, not yet visible in their records
     * @return the chosen node, or null when every node is full or draining
     */
    public NodeRecord choose(Collection<NodeRecord> nodes, Map<String, Integer> pending) {
        List<NodeRecord> best = new ArrayList<>();
        double bestStress = Double.MAX_VALUE;
        int bestConferences = Integer.MAX_VALUE;
        for (NodeRecord n : nodes) {
            if (n.state() != NodeRecord.State.SERVING || n.stress() >= fullStress) {
                continue;
            }
            int recent = pending.getOrDefault(n.id(), 0);
            double stress = n.stress() + recent * Stress.PER_RECENT_PLACEMENT;
            int conferences = n.conferences().size() + recent;
            // Stress figures within a hundredth are the same load: measurement noise must not decide.
            double s = Math.round(stress * 100) / 100.0;
            if (s < bestStress || (s == bestStress && conferences < bestConferences)) {
                best.clear();
                bestStress = s;
                bestConferences = conferences;
            }
            if (s == bestStress && conferences == bestConferences) {
                best.add(n);
            }
        }
        return best.isEmpty() ? null : best.get(random.nextInt(best.size()));
    }
}
