package dev.sfu.load;

import java.util.ArrayList;
import java.util.List;

/**
 * The server's CPU split into what it costs to exist and what each forwarded packet adds, from the
 * ramp's steps: a least-squares line of server CPU per second against forwarded packets per second,
 * cpu/s = fixed + marginal · packets/s. The marginal cost (the slope) is what one more packet costs at
 * any load; dividing all CPU by all packets, as a step's µs/packet does, also spreads the fixed cost over
 * them and so falls with load without the server getting faster.
 *
 * <p>Endpoints are not a separate term: in a fan-out ramp every subscriber adds the same packets per
 * second, so endpoints and packets rise together and a fit cannot tell their costs apart. Their per-
 * endpoint costs (timers, RTCP, consent checks) are in the slope; the intercept holds the idle server and
 * the publisher's ingest. The idle server is measured on its own before anyone joins.
 *
 * @param idleCores server CPU with no endpoints, in cores (CPU seconds per second); NaN when not measured
 * @param fixedCores the fit's intercept, in cores
 * @param marginalMicrosPerPacket the fit's slope: server CPU per forwarded packet, in µs
 * @param rSquared how well the line fits the steps (1 = exactly)
 * @param steps how many ramp steps it is fitted to
 */
public record ServerCost(double idleCores, double fixedCores, double marginalMicrosPerPacket, double rSquared,
        int steps) {

    /** @return the fit, or null with fewer than two steps that forwarded at different rates */
    static ServerCost fit(List<LoadReport.RampStep> ramp, double idleCores) {
        List<LoadReport.RampStep> usable = new ArrayList<>();
        for (LoadReport.RampStep s : ramp) {
            if (s.forwardedPerSecond() > 0 && Double.isFinite(s.serverCpuCores())) {
                usable.add(s);
            }
        }
        double[][] x = new double[usable.size()][1];
        double[] y = new double[usable.size()];
        for (int i = 0; i < usable.size(); i++) {
            x[i][0] = usable.get(i).forwardedPerSecond();
            y[i] = usable.get(i).serverCpuCores();
        }
        double[] b = usable.size() < 2 ? null : LeastSquares.fit(x, y);
        if (b == null) {
            return null;
        }
        return new ServerCost(idleCores, b[0], b[1] * 1e6, LeastSquares.rSquared(x, y, b), usable.size());
    }

    /**
     * Whether the line describes the steps: a positive slope and a fixed cost that is not negative, from
     * at least four steps, explaining most of their variance. A busy machine (other processes on the
     * cores, the JIT still compiling) scatters the steps; three points fit almost any line.
     */
    boolean reliable() {
        return marginalMicrosPerPacket > 0 && fixedCores >= 0 && steps >= 4 && rSquared >= 0.8;
    }

    /** Server CPU the line predicts at this rate, in cores. */
    double coresAt(double packetsPerSecond) {
        return fixedCores + marginalMicrosPerPacket * 1e-6 * packetsPerSecond;
    }

    /** The figures in a line, for the console. */
    String line() {
        return String.format("fixed %.1f %% of a core (idle %s), marginal %.2f µs per forwarded packet"
                + " (least squares over %d steps, R² %.3f%s)", 100 * fixedCores,
                Double.isNaN(idleCores) ? "not measured" : String.format("%.1f %%", 100 * idleCores),
                marginalMicrosPerPacket, steps, rSquared, reliable() ? "" : ": unreliable, the steps scatter");
    }
}
