package dev.sfu.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The run as one self-contained HTML page a person reads at a glance: the main figures on top (for a
 * ramp, the knee and the server's fixed and marginal cost), the ramp as a table and as plots against
 * subscribers with the knee marked, the per-second plots, the run's configuration and the server's
 * version. Inline SVG ({@link SvgPlot}) and CSS only, no scripts or external resources, so it opens
 * anywhere and can be archived with the JSON. The page is well-formed XML (tested).
 */
final class HtmlReport {
    private static final String BLUE = "#2563eb";
    private static final String ORANGE = "#ea580c";
    private static final String GREEN = "#16a34a";
    private static final String PURPLE = "#7c3aed";
    private static final String STYLE = "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1120px;"
            + "color:#111827;padding:0 16px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;"
            + "border-bottom:1px solid #e5e7eb;padding-bottom:4px}.sub{color:#6b7280;margin:0 0 16px}"
            + ".figures{display:flex;flex-wrap:wrap;gap:12px}.figure{border:1px solid #e5e7eb;border-radius:6px;"
            + "padding:10px 14px;min-width:180px}.figure b{display:block;font-size:22px}.figure span{color:#6b7280;"
            + "font-size:12px}table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:3px 10px;"
            + "border-bottom:1px solid #e5e7eb;text-align:right}th{background:#f9fafb}td:first-child,th:first-child"
            + "{text-align:left}tr.past td{color:#dc2626}tr.knee td{font-weight:600;background:#fef2f2}"
            + ".plots{display:flex;flex-wrap:wrap;gap:8px}svg.plot{border:1px solid #e5e7eb;background:#fff}"
            + "svg text{font:12px system-ui,sans-serif;fill:#374151}svg .title{font-weight:600;font-size:13px}"
            + "svg .ytick{text-anchor:end}svg .xtick,svg .xlabel,svg .ylabel,svg .empty{text-anchor:middle}"
            + "svg .grid{stroke:#f3f4f6}svg .axis{stroke:#6b7280}svg .mark{font-size:11px}"
            + "pre{background:#f9fafb;padding:12px;overflow-x:auto;font-size:12px}.note{color:#6b7280;font-size:13px}";

    private HtmlReport() {
    }

    static void write(Path file, LoadReport report, List<TimeSeries.Sample> samples, Map<String, String> flags)
            throws IOException {
        Files.writeString(file, render(report, samples, flags, Instant.now()), StandardCharsets.UTF_8);
    }

    static String render(LoadReport report, List<TimeSeries.Sample> samples, Map<String, String> flags, Instant when) {
        StringBuilder h = new StringBuilder(32_768);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>SFU load test: ")
                .append(esc(report.scenario())).append("</title><style>").append(STYLE).append("</style></head><body>");
        h.append("<h1>SFU load test: ").append(esc(report.scenario())).append("</h1><p class=\"sub\">")
                .append(esc(when.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ').replace("Z", " UTC")))
                .append(" · server version <b>")
                .append(esc(report.serverVersion() == null ? "?" : report.serverVersion())).append("</b> · ")
                .append(esc(flags.getOrDefault("server", ""))).append("</p>");
        figures(h, report);
        if (!report.ramp().isEmpty()) {
            ramp(h, report);
        }
        timeSeries(h, report, samples);
        configuration(h, flags);
        h.append("<h2>All figures</h2><pre>").append(esc(report.table())).append("</pre></body></html>\n");
        return h.toString();
    }

    /** The few numbers the run is for, large, at the top. */
    private static void figures(StringBuilder h, LoadReport r) {
        h.append("<div class=\"figures\">");
        ServerCost cost = r.serverCost();
        LoadReport.RampStep knee = knee(r.ramp());
        if (!r.ramp().isEmpty()) {
            figure(h, knee == null ? "none" : String.format(Locale.ROOT, "%d subscribers", knee.subscribers()), "the knee: "
                    + "last step within 0.5 % loss and 50 ms p99");
            if (knee != null) {
                figure(h, String.format(Locale.ROOT, "%,.0f /s", knee.forwardedPerSecond()), "forwarded packets at the knee");
            }
        } else {
            figure(h, String.format(Locale.ROOT, "%,.0f /s", r.forwardedPerSecond()), "forwarded packets");
        }
        if (cost != null) {
            figure(h, String.format(Locale.ROOT, "%.2f µs", cost.marginalMicrosPerPacket()),
                    "marginal server CPU per forwarded packet (slope)" + (cost.reliable() ? ""
                            : String.format(Locale.ROOT, ": unreliable (%d steps, R² %.2f; see the plot below)",
                            cost.steps(), cost.rSquared())));
            figure(h, String.format(Locale.ROOT, "%.1f %%", 100 * cost.fixedCores()), "fixed server CPU, of one core"
                    + (Double.isNaN(cost.idleCores()) ? "" : String.format(Locale.ROOT, " (idle %.1f %%)",
                    100 * cost.idleCores())));
        } else {
            figure(h, String.format(Locale.ROOT, "%.2f µs", r.serverCpuMicrosPerForwardedPacket()),
                    "server CPU per forwarded packet (all CPU ÷ packets)");
        }
        String at = r.ramp().isEmpty() ? "" : knee != null ? " at the knee" : " at the first step (no step within limits)";
        figure(h, String.format(Locale.ROOT, "%.3f %%", r.lossPercent()), "loss" + at);
        figure(h, String.format(Locale.ROOT, "%.1f ms", r.latencyP99Ms()), "one-way latency p99" + at);
        h.append("</div>");
        if (r.serverInProcess()) {
            h.append("<p class=\"note\">The server ran inside the harness's process: its CPU figures include the "
                    + "harness's own work. Run the server on its own (--server) to measure it.</p>");
        }
        if (cost != null) {
            h.append(String.format(Locale.ROOT, "<p class=\"note\">Server CPU per second = fixed + marginal × forwarded "
                    + "packets per second, a least-squares line over %d ramp steps (R² %.3f). Per-subscriber costs that "
                    + "grow with the packets (RTCP, timers) are in the slope: in a fan-out, subscribers and packets rise "
                    + "together.</p>", cost.steps(), cost.rSquared()));
        }
    }

    private static void figure(StringBuilder h, String value, String what) {
        h.append("<div class=\"figure\"><b>").append(esc(value)).append("</b><span>").append(esc(what))
                .append("</span></div>");
    }

    /** The last step within limits: the knee (null when even the first step was past it). */
    static LoadReport.RampStep knee(List<LoadReport.RampStep> ramp) {
        LoadReport.RampStep knee = null;
        for (LoadReport.RampStep s : ramp) {
            if (!s.withinLimits()) {
                break;
            }
            knee = s;
        }
        return knee;
    }

    private static void ramp(StringBuilder h, LoadReport r) {
        List<LoadReport.RampStep> steps = r.ramp();
        LoadReport.RampStep knee = knee(steps);
        h.append("<h2>Ramp</h2><table><tr><th>subscribers</th><th>forwarded packets/s</th><th>loss</th>"
                + "<th>p99 latency</th><th>server CPU</th><th>server CPU per packet</th><th></th></tr>");
        for (LoadReport.RampStep s : steps) {
            h.append("<tr").append(s == knee ? " class=\"knee\"" : s.withinLimits() ? "" : " class=\"past\"").append(">")
                    .append(String.format(Locale.ROOT, "<td>%d</td><td>%,.0f</td><td>%.3f %%</td><td>%.1f ms</td>"
                            + "<td>%.1f %% of a core</td><td>%.1f µs</td><td>%s</td></tr>", s.subscribers(),
                            s.forwardedPerSecond(), s.lossPercent(), s.latencyP99Ms(), 100 * s.serverCpuCores(),
                            s.serverCpuMicrosPerForwardedPacket(), s == knee ? "the knee" : s.withinLimits() ? "" : "past the knee"));
        }
        h.append("</table>");
        double[] subscribers = column(steps, LoadReport.RampStep::subscribers);
        String kneeLabel = knee == null ? null : "knee: " + knee.subscribers();
        h.append("<div class=\"plots\">");
        h.append(kneed(new SvgPlot("Forwarded packets per second", "subscribers", "packets/s")
                .series(subscribers, column(steps, LoadReport.RampStep::forwardedPerSecond), BLUE, "forwarded"), knee,
                kneeLabel).render());
        h.append(kneed(new SvgPlot("Loss", "subscribers", "loss (%)")
                .series(subscribers, column(steps, LoadReport.RampStep::lossPercent), ORANGE, "loss")
                .horizontal(0.5, "limit 0.5 %"), knee, kneeLabel).render());
        h.append(kneed(new SvgPlot("One-way latency p99", "subscribers", "p99 latency (ms)")
                .series(subscribers, column(steps, LoadReport.RampStep::latencyP99Ms), PURPLE, "p99")
                .horizontal(50, "limit 50 ms"), knee, kneeLabel).render());
        h.append(kneed(new SvgPlot("Server CPU per forwarded packet", "subscribers", "µs per packet")
                .series(subscribers, column(steps, LoadReport.RampStep::serverCpuMicrosPerForwardedPacket), GREEN,
                        "all CPU ÷ packets"), knee, kneeLabel).render());
        ServerCost cost = r.serverCost();
        if (cost != null) {
            double[] pps = column(steps, LoadReport.RampStep::forwardedPerSecond);
            double max = 0;
            for (double p : pps) {
                max = Math.max(max, p);
            }
            SvgPlot fit = new SvgPlot("Server CPU against load", "forwarded packets/s", "server CPU (% of a core)")
                    .series(pps, column(steps, s -> 100 * s.serverCpuCores()), GREEN, "steps")
                    .line(new double[] {0, max}, new double[] {100 * cost.coresAt(0), 100 * cost.coresAt(max)}, "#111827",
                            String.format(Locale.ROOT, "%.1f %% + %.2f µs × packets/s", 100 * cost.fixedCores(),
                                    cost.marginalMicrosPerPacket()));
            if (knee != null) {
                fit.vertical(knee.forwardedPerSecond(), "knee");
            }
            h.append(fit.render());
        }
        h.append("</div>");
    }

    private static SvgPlot kneed(SvgPlot plot, LoadReport.RampStep knee, String label) {
        return knee == null ? plot : plot.vertical(knee.subscribers(), label);
    }

    private static void timeSeries(StringBuilder h, LoadReport r, List<TimeSeries.Sample> samples) {
        h.append("<h2>Second by second</h2>");
        if (!r.ramp().isEmpty()) {
            h.append("<p class=\"note\">Over the measured seconds of every ramp step (joins and settling between "
                    + "steps are left out); latency percentiles are over each step so far.</p>");
        }
        double[] t = new double[samples.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = samples.get(i).second();
        }
        h.append("<div class=\"plots\">");
        h.append(new SvgPlot("Received bitrate", "time (s)", "Mbit/s")
                .series(t, column(samples, TimeSeries.Sample::megabitsPerSecond), BLUE, "bitrate").render());
        h.append(new SvgPlot("Loss", "time (s)", "loss (%)")
                .series(t, column(samples, TimeSeries.Sample::lossPercent), ORANGE, "loss").render());
        h.append(new SvgPlot("One-way latency", "time (s)", "latency (ms)")
                .series(t, column(samples, TimeSeries.Sample::latencyP99Ms), PURPLE, "p99")
                .series(t, column(samples, TimeSeries.Sample::latencyP50Ms), BLUE, "p50").render());
        h.append(new SvgPlot("Peers", "time (s)", "peers")
                .series(t, column(samples, TimeSeries.Sample::peers), GREEN, "peers").render());
        h.append("</div>");
    }

    private static void configuration(StringBuilder h, Map<String, String> flags) {
        h.append("<h2>Configuration</h2><table>");
        StringBuilder command = new StringBuilder("java -jar load-tests.jar");
        flags.forEach((k, v) -> {
            h.append("<tr><td>--").append(esc(k)).append("</td><td style=\"text-align:left\">").append(esc(v))
                    .append("</td></tr>");
            if (!v.startsWith("(") && !k.equals("auth")) {
                command.append(" --").append(k).append(' ').append(v);
            }
        });
        h.append("</table><p class=\"note\">Repeat it with:</p><pre>").append(esc(command.toString())).append("</pre>");
    }

    private static <T> double[] column(List<T> rows, ToDoubleFunction<T> f) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(rows.get(i));
        }
        return v;
    }

    private static String esc(String s) {
        return SvgPlot.escape(s);
    }
}
