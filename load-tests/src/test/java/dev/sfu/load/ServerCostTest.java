package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fixed/marginal split of the ramp, on synthetic numbers whose answer is known. */
class ServerCostTest {

    private static LoadReport.RampStep step(int subscribers, double pps, double cores) {
        return new LoadReport.RampStep(subscribers, subscribers + 1, pps, 0, 5, cores, cores * 1e6 / pps, true);
    }

    @Test
    void exactLineGivesItsInterceptAndSlope() {
        // 3 % of a core to exist, 8 µs per packet: cores = 0.03 + 8e-6 * pps
        List<LoadReport.RampStep> steps = new ArrayList<>();
        for (int s = 10; s <= 60; s += 10) {
            double pps = 240.0 * s;
            steps.add(step(s, pps, 0.03 + 8e-6 * pps));
        }
        ServerCost cost = ServerCost.fit(steps, 0.005);
        assertNotNull(cost);
        assertEquals(0.03, cost.fixedCores(), 1e-9);
        assertEquals(8.0, cost.marginalMicrosPerPacket(), 1e-6);
        assertEquals(1.0, cost.rSquared(), 1e-9);
        assertEquals(6, cost.steps());
        assertEquals(0.005, cost.idleCores());
        assertEquals(0.03 + 8e-6 * 1000, cost.coresAt(1000), 1e-12);
        assertTrue(cost.reliable());
        assertFalse(new ServerCost(0, -0.01, 8, 0.99, 6).reliable(), "a negative fixed cost is noise");
        assertFalse(new ServerCost(0, 0.01, 8, 0.99, 3).reliable(), "three points fit almost any line");
        // Dividing all CPU by all packets overstates the packet's cost, and less so as load grows.
        assertEquals(8 + 0.03e6 / 2400, steps.get(0).serverCpuMicrosPerForwardedPacket(), 1e-6);
    }

    @Test
    void noisyStepsStillFindTheSlope() {
        Random random = new Random(3);
        List<LoadReport.RampStep> steps = new ArrayList<>();
        for (int s = 10; s <= 200; s += 10) {
            double pps = 240.0 * s;
            steps.add(step(s, pps, 0.05 + 12e-6 * pps + random.nextGaussian() * 0.005));
        }
        ServerCost cost = ServerCost.fit(steps, Double.NaN);
        assertEquals(12, cost.marginalMicrosPerPacket(), 0.5);
        assertEquals(0.05, cost.fixedCores(), 0.01);
        assertEquals(1.0, cost.rSquared(), 0.02);
    }

    @Test
    void tooFewOrUnusableStepsGiveNoFit() {
        assertNull(ServerCost.fit(List.of(), 0));
        assertNull(ServerCost.fit(List.of(step(10, 2400, 0.1)), 0));
        assertNull(ServerCost.fit(List.of(step(10, 2400, 0.1), step(10, 2400, 0.12)), 0), "one rate: no slope");
        assertNull(ServerCost.fit(List.of(step(10, 2400, Double.NaN), step(20, 4800, 0.1)), 0),
                "a step without the server's /metrics does not count");
    }

    @Test
    void threeTermFitSeparatesEndpointsFromPacketsWhenTheyVaryApart() {
        // cpu = 0.02 + 0.001 * endpoints + 5e-6 * pps over a grid where both vary independently
        List<double[]> rows = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int e = 10; e <= 50; e += 10) {
            for (int pps = 1000; pps <= 9000; pps += 4000) {
                rows.add(new double[] {e, pps});
                ys.add(0.02 + 0.001 * e + 5e-6 * pps);
            }
        }
        double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
        double[] b = LeastSquares.fit(rows.toArray(double[][]::new), y);
        assertArrayEquals(new double[] {0.02, 0.001, 5e-6}, b, 1e-9);
    }

    @Test
    void collinearTermsAreRefused() {
        // A pure fan-out: packets/s is always 240 x endpoints, so the two costs cannot be told apart.
        double[][] x = {{11, 2400}, {21, 4800}, {31, 7200}, {41, 9600}};
        assertNull(LeastSquares.fit(x, new double[] {0.1, 0.2, 0.3, 0.4}));
    }
}
