package dev.sfu.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Chooses the node for a conference nobody owns: the least-stressed serving node that is not full, unless
 * the node the join reached is nearly as little stressed (see {@link #PREFER_MARGIN}). Ties (idle nodes all
 * report 0) go to the node with fewer conferences, then at random, so that a burst of new conferences
 * spreads instead of piling onto the first node listed.
 */
public final class Placement {
    private final double fullStress;
    private final RandomGenerator random;

    public Placement(double fullStress, RandomGenerator random) {
        this.fullStress = fullStress;
        this.random = random;
    }

    /**
     * How much more stressed than the least-stressed node the node a join reached may be and still take the
     * conference itself: the balancer hashes a conference's joins to that node, so taking it there saves
     * every later join a redirect, while a node clearly busier than another still passes it on. Two
     * recent placements' share ({@link Stress#PER_RECENT_PLACEMENT}) use the margin up, so a burst of new
     * conferences on one node spreads.
     */
    static final double PREFER_MARGIN = 0.1;

    /** {@link #choose(Collection, Map, String)} without a node to prefer. */
    public NodeRecord choose(Collection<NodeRecord> nodes, Map<String, Integer> pending) {
        return choose(nodes, pending, null);
    }

    /**
     * @param nodes the live records
     * @param pending placements this node made recently per node id, not yet visible in their records
     * @param preferred the node the join reached (null: none), taken if within {@link #PREFER_MARGIN}
     * @return the chosen node, or null when every node is full or draining
     */
    public NodeRecord choose(Collection<NodeRecord> nodes, Map<String, Integer> pending, String preferred) {
        NodeRecord least = leastStressed(nodes, pending);
        if (least == null || preferred == null || least.id().equals(preferred)) {
            return least;
        }
        for (NodeRecord n : nodes) {
            if (n.id().equals(preferred) && eligible(n)
                    && effective(n, pending) <= effective(least, pending) + PREFER_MARGIN + 1e-9) {
                return n;
            }
        }
        return least;
    }

    private boolean eligible(NodeRecord n) {
        return n.state() == NodeRecord.State.SERVING && n.stress() < fullStress;
    }

    private static double effective(NodeRecord n, Map<String, Integer> pending) {
        return n.stress() + pending.getOrDefault(n.id(), 0) * Stress.PER_RECENT_PLACEMENT;
    }

    private NodeRecord leastStressed(Collection<NodeRecord> nodes, Map<String, Integer> pending) {
        List<NodeRecord> best = new ArrayList<>();
        double bestStress = Double.MAX_VALUE;
        int bestConferences = Integer.MAX_VALUE;
        for (NodeRecord n : nodes) {
            if (!eligible(n)) {
                continue;
            }
            int recent = pending.getOrDefault(n.id(), 0);
            double stress = effective(n, pending);
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
