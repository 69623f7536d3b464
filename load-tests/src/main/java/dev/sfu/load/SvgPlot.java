package dev.sfu.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line chart as inline SVG, for a report a person reads without tools: axes from zero with round
 * tick values, tick labels, axis titles with their units, grid lines, the points of each series, and
 * optional marks (a vertical line at the knee, a horizontal line at a limit). No scripts, no external
 * resources; the output is well-formed XML.
 */
final class SvgPlot {
    private static final int WIDTH = 540;
    private static final int HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 34;
    private static final int BOTTOM = 50;

    private record Series(double[] x, double[] y, String color, String name, boolean dashed, boolean points) {
    }

    private record Mark(boolean vertical, double at, String label, String color) {
    }

    private final String title;
    private final String xAxis;
    private final String yAxis;
    private final List<Series> series = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();

    /** @param xAxis the x axis's title with its unit, e.g. "subscribers" or "time (s)"; yAxis likewise */
    SvgPlot(String title, String xAxis, String yAxis) {
        this.title = title;
        this.xAxis = xAxis;
        this.yAxis = yAxis;
    }

    /** A measured series: a line through its points, each point marked. */
    SvgPlot series(double[] x, double[] y, String color, String name) {
        series.add(new Series(x, y, color, name, false, true));
        return this;
    }

    /** A computed line (a fit): dashed, no point marks. */
    SvgPlot line(double[] x, double[] y, String color, String name) {
        series.add(new Series(x, y, color, name, true, false));
        return this;
    }

    /** A vertical mark at x, e.g. the knee. */
    SvgPlot vertical(double x, String label) {
        marks.add(new Mark(true, x, label, "#dc2626"));
        return this;
    }

    /** A horizontal mark at y, e.g. a limit. */
    SvgPlot horizontal(double y, String label) {
        marks.add(new Mark(false, y, label, "#9ca3af"));
        return this;
    }

    String render() {
        StringBuilder b = new StringBuilder(4096);
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", WIDTH, HEIGHT, WIDTH, HEIGHT,
                escape(title)));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" class=\"title\">%s</text>", LEFT, escape(title)));
        double maxX = 0;
        double maxY = 0;
        boolean any = false;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.x[i]) && Double.isFinite(s.y[i])) {
                    maxX = Math.max(maxX, s.x[i]);
                    maxY = Math.max(maxY, s.y[i]);
                    any |= s.points;
                }
            }
        }
        for (Mark m : marks) {
            if (m.vertical) {
                maxX = Math.max(maxX, m.at);
            } else {
                maxY = Math.max(maxY, m.at);
            }
        }
        double xStep = niceStep(maxX);
        double yStep = niceStep(maxY);
        double xEnd = xStep * Math.max(1, Math.ceil(maxX / xStep - 1e-9));
        double yEnd = yStep * Math.max(1, Math.ceil(maxY / yStep - 1e-9));
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        Scale sx = v -> LEFT + plotW * v / xEnd;
        Scale sy = v -> TOP + plotH - plotH * v / yEnd;
        // grid and ticks
        for (double v = 0; v <= yEnd + yStep / 2; v += yStep) {
            double y = sy.at(v);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
                    LEFT, y, LEFT + plotW, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"ytick\">%s</text>", LEFT - 6, y + 4,
                    label(v, yStep)));
        }
        for (double v = 0; v <= xEnd + xStep / 2; v += xStep) {
            double x = sx.at(v);
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"axis\"/>",
                    x, TOP + plotH, x, TOP + plotH + 5));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"xtick\">%s</text>", x,
                    TOP + plotH + 18, label(v, xStep)));
        }
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", LEFT, TOP,
                LEFT, TOP + plotH));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", LEFT,
                TOP + plotH, LEFT + plotW, TOP + plotH));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"xlabel\">%s</text>", LEFT + plotW / 2,
                HEIGHT - 8, escape(xAxis)));
        b.append(String.format(Locale.ROOT, "<text transform=\"translate(16 %d) rotate(-90)\" class=\"ylabel\">%s</text>",
                TOP + plotH / 2, escape(yAxis)));
        for (Mark m : marks) {
            if (m.vertical) {
                double x = sx.at(m.at);
                b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                        + "stroke-width=\"1.5\" stroke-dasharray=\"5 4\" class=\"knee\"/>", x, TOP, x, TOP + plotH, m.color));
                boolean right = x > LEFT + plotW * 0.7; // keep the label inside the plot
                b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" style=\"fill:%s;text-anchor:%s\" "
                        + "class=\"mark\">%s</text>", right ? x - 4 : x + 4, TOP + 12, m.color, right ? "end" : "start",
                        escape(m.label)));
            } else {
                double y = sy.at(m.at);
                b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                        + "stroke-dasharray=\"2 3\" class=\"limit\"/>", LEFT, y, LEFT + plotW, y, m.color));
                b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" style=\"fill:#6b7280;text-anchor:end\" "
                        + "class=\"mark\">%s</text>", LEFT + plotW - 4, y - 4, escape(m.label)));
            }
        }
        int legendY = 13; // right-aligned above the plot, beside the title: never over the data
        for (Series s : series) {
            StringBuilder points = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (int i = 0; i < s.x.length; i++) {
                if (!Double.isFinite(s.x[i]) || !Double.isFinite(s.y[i])) {
                    continue;
                }
                double x = sx.at(s.x[i]);
                double y = sy.at(s.y[i]);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                if (s.points && s.x.length <= 60) {
                    dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x, y,
                            s.color));
                }
            }
            b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>",
                    s.color, s.dashed ? " stroke-dasharray=\"6 4\"" : "", points.toString().trim())).append(dots);
            if (series.size() > 1) {
                b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" style=\"fill:%s;text-anchor:end\" "
                        + "class=\"legend\">%s %s</text>", WIDTH - RIGHT, legendY, s.color, s.dashed ? "- -" : "—",
                        escape(s.name)));
                legendY += 14;
            }
        }
        if (!any) {
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"empty\">no data</text>",
                    LEFT + plotW / 2, TOP + plotH / 2));
        }
        return b.append("</svg>").toString();
    }

    private interface Scale {
        double at(double v);
    }

    /** A round step (1, 2 or 5 times a power of ten) that cuts 0..max into about five intervals. */
    static double niceStep(double max) {
        if (!(max > 0)) {
            return 1;
        }
        double raw = max / 5;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
    }

    /** A tick's label with as many decimals as its step needs (none for steps of 1 and more). */
    static String label(double v, double step) {
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%,." + decimals + "f", Math.abs(v) < step / 1e6 ? 0 : v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
