package dev.sfu.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlacementTest {
    private final Placement placement = new Placement(0.9, new Random(1));

    private static NodeRecord node(String id, NodeRecord.State state, double stress, int conferences) {
        Map<String, Integer> c = new HashMap<>();
        for (int i = 0; i < conferences; i++) {
            c.put(id + "-c" + i, 2);
        }
        return new NodeRecord(id, "ws://" + id + "/ws", List.of("10.0.0.1"), "", "test", state, 2 * conferences, c,
                0, stress, stress, 0);
    }

    @Test
    void theLeastStressedServingNodeWins() {
        NodeRecord chosen = placement.choose(List.of(node("a", NodeRecord.State.SERVING, 0.5, 1),
                node("b", NodeRecord.State.SERVING, 0.2, 5), node("c", NodeRecord.State.DRAINING, 0.0, 0)), Map.of());
        assertEquals("b", chosen.id());
    }

    @Test
    void fullAndDrainingNodesNeverGetANewConference() {
        assertNull(placement.choose(List.of(node("a", NodeRecord.State.SERVING, 0.9, 1),
                node("b", NodeRecord.State.DRAINING, 0.0, 0)), Map.of()));
        assertNull(placement.choose(List.of(), Map.of()));
    }

    @Test
    void idleNodesShareNewConferencesEvenly() {
        List<NodeRecord> nodes = List.of(node("a", NodeRecord.State.SERVING, 0, 0),
                node("b", NodeRecord.State.SERVING, 0, 0), node("c", NodeRecord.State.SERVING, 0, 0));
        Map<String, Integer> placed = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            // What the placing node remembers of its own recent placements, before any record shows them.
            placed.merge(placement.choose(nodes, placed).id(), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 10, "b", 10, "c", 10), placed);
    }

    @Test
    void theNodeTheJoinReachedKeepsItUnlessAnotherIsClearlyLessBusy() {
        List<NodeRecord> nodes = List.of(node("a", NodeRecord.State.SERVING, 0.30, 3),
                node("b", NodeRecord.State.SERVING, 0.25, 3), node("c", NodeRecord.State.SERVING, 0.50, 1));
        assertEquals("a", placement.choose(nodes, Map.of(), "a").id(), "0.05 above the least: stays where hashed");
        assertEquals("b", placement.choose(nodes, Map.of(), "c").id(), "0.25 above: goes to the least stressed");
        assertEquals("b", placement.choose(nodes, Map.of("a", 2), "a").id(), "its recent placements count against it");
        assertEquals("b", placement.choose(List.of(node("a", NodeRecord.State.DRAINING, 0, 0),
                node("b", NodeRecord.State.SERVING, 0.05, 0)), Map.of(), "a").id(), "never a draining node");
    }

    @Test
    void stressWithinAHundredthIsATieBrokenByConferences() {
        NodeRecord chosen = placement.choose(List.of(node("a", NodeRecord.State.SERVING, 0.021, 3),
                node("b", NodeRecord.State.SERVING, 0.024, 1)), Map.of());
        assertEquals("b", chosen.id());
    }
}
