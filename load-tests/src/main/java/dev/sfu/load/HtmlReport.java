package dev.sfu.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The run as a self-contained HTML page: the figures, and plots of bitrate, loss and latency over time. */
final class HtmlReport {
    private HtmlReport() {
    }

    static void write(Path file, LoadReport report, List<TimeSeries.Sample> samples) throws IOException {
        StringBuilder html = new StringBuilder(8192);
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>SFU load test: ")
                .append(report.scenario()).append("</title><style>body{font:14px system-ui,sans-serif;margin:2rem;"
                        + "max-width:960px}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap}svg{background:#fafafa;"
                        + "border:1px solid #ddd;margin:.5rem 0}</style></head><body>")
                .append("<h1>SFU load test: ").append(report.scenario()).append("</h1><pre>")
                .append(escape(report.table())).append("</pre>");
        chart(html, "Received bitrate (Mbit/s)", samples, TimeSeries.Sample::megabitsPerSecond);
        chart(html, "Loss (%)", samples, TimeSeries.Sample::lossPercent);
        chart(html, "Latency p99 so far (ms)", samples, TimeSeries.Sample::latencyP99Ms);
        chart(html, "Latency p50 so far (ms)", samples, TimeSeries.Sample::latencyP50Ms);
        html.append("</body></html>\n");
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    private static void chart(StringBuilder html, String title, List<TimeSeries.Sample> samples,
            ToDoubleFunction<TimeSeries.Sample> value) {
        int width = 900;
        int height = 200;
        int pad = 40;
        double maxX = samples.isEmpty() ? 1 : Math.max(1, samples.get(samples.size() - 1).second());
        double maxY = 0;
        for (TimeSeries.Sample s : samples) {
            maxY = Math.max(maxY, value.applyAsDouble(s));
        }
        maxY = maxY <= 0 ? 1 : maxY * 1.1;
        html.append("<h2>").append(escape(title)).append("</h2><svg width=\"").append(width).append("\" height=\"")
                .append(height).append("\"><polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\" points=\"");
        for (TimeSeries.Sample s : samples) {
            double x = pad + (width - 2 * pad) * s.second() / maxX;
            double y = height - pad - (height - 2 * pad) * value.applyAsDouble(s) / maxY;
            html.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        html.append("\"/>")
                .append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%.2f</text>", pad, maxY))
                .append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">0</text>", height - pad))
                .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.0f s</text>", width - pad, height - 10, maxX))
                .append("</svg>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
