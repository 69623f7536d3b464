package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The HTML report of a ramp: well-formed, with axes, units, the knee, the cost figures and the configuration. */
class HtmlReportTest {

    private static LoadReport rampReport() {
        List<LoadReport.RampStep> steps = new ArrayList<>();
        for (int s = 10; s <= 50; s += 10) {
            double pps = 240.0 * s;
            steps.add(new LoadReport.RampStep(s, s + 1, pps, s == 50 ? 2.5 : 0, s == 50 ? 80 : 10, 0.03 + 8e-6 * pps,
                    (0.03 + 8e-6 * pps) * 1e6 / pps, s < 50));
        }
        LoadReport knee = new LoadReport("ramp", 41, 1, 3, 4, 1000, 38_000, 0, 0, 0, 0, 9600, 2, 5, 10, 0.5, 1, 100, 200,
                40, 80, new int[] {0, 0, 40}, 0, 0, 0, 40, 400, 3, 1.0, 11, 60, 1500, false, List.of(),
                LoadReport.Resumes.NONE, null, "0.1.0-test&<x>");
        return knee.withRamp(steps, 0.004);
    }

    private static List<TimeSeries.Sample> samples() {
        List<TimeSeries.Sample> list = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            list.add(new TimeSeries.Sample(i, 20 + i, i == 5 ? 1.2 : 0, 3, 9 + i, 11 + i));
        }
        return list;
    }

    private static Map<String, String> flags() {
        Options o = Options.parse(new String[] {"--scenario", "ramp", "--server", "ws://10.0.0.5:8080/ws", "--ramp-step",
            "10", "--ramp-max", "50", "--auth-secret", "a-secret-that-must-not-show-0123456789", "--threads", "3"});
        return o.flags();
    }

    private static Document parse(String html) throws Exception {
        String xml = html.replaceFirst("(?i)^<!DOCTYPE html>", "");
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rampReportIsWellFormedWithAxesKneeCostAndConfiguration() throws Exception {
        String html = HtmlReport.render(rampReport(), samples(), flags(), Instant.parse("2026-12-07T20:00:00Z"));
        Document doc = parse(html); // throws if not well-formed
        NodeList svgs = doc.getElementsByTagName("svg");
        assertEquals(9, svgs.getLength(), "4 ramp plots, the fit, 4 per-second plots");
        for (int i = 0; i < svgs.getLength(); i++) {
            Element svg = (Element) svgs.item(i);
            assertTrue(count(svg, "text", "xtick") >= 2, "x tick labels in plot " + i);
            assertTrue(count(svg, "text", "ytick") >= 2, "y tick labels in plot " + i);
            assertEquals(1, count(svg, "text", "xlabel"));
            assertEquals(1, count(svg, "text", "ylabel"));
        }
        assertTrue(html.contains(">subscribers</text>"), "ramp plots against subscribers");
        assertTrue(html.contains(">p99 latency (ms)</text>") && html.contains(">packets/s</text>")
                && html.contains(">µs per packet</text>") && html.contains(">loss (%)</text>"), "units on the axes");
        assertTrue(html.contains(">time (s)</text>"), "per-second plots against time");
        assertEquals(4, countClass(doc, "line", "knee") - 1, "the knee in each ramp plot (and the fit's)");
        assertTrue(html.contains("knee: 40"), "the knee is the last step within limits");
        assertTrue(html.contains("class=\"knee\"><td>40</td>"), "and is marked in the table");
        assertTrue(html.contains("8.00 µs"), "marginal cost as a main figure");
        assertTrue(html.contains("3.0 %") && html.contains("idle 0.4 %"), "fixed cost as a main figure");
        assertTrue(html.contains("0.1.0-test&amp;&lt;x&gt;"), "the server's version, escaped");
        assertTrue(html.contains("<td>--threads</td><td style=\"text-align:left\">3</td>"), "the configuration");
        assertTrue(html.contains("ws://10.0.0.5:8080/ws") && html.contains("--bind"), "every flag");
        assertFalse(html.contains("a-secret-that-must-not-show"), "never the secret");
        assertFalse(html.contains("<script") || html.contains("http://") && !html.contains("http://www.w3.org/2000/svg"),
                "no scripts or external resources");
    }

    @Test
    void emptyRunStillRendersWellFormed() throws Exception {
        LoadReport r = rampReport();
        LoadReport plain = new LoadReport("fanout", 1, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                new int[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, true, List.of(), LoadReport.Resumes.NONE, null, null);
        String html = HtmlReport.render(plain, List.of(), Options.parse(new String[0]).flags(), Instant.EPOCH);
        parse(html);
        assertTrue(html.contains("no data"));
        assertTrue(html.contains("inside the harness"), "an in-process server's CPU is flagged");
        assertTrue(r.serverCost() != null);
    }

    @Test
    void ticksAreRound() {
        assertEquals(2000, SvgPlot.niceStep(9600));
        assertEquals(0.5, SvgPlot.niceStep(2.5));
        assertEquals(10, SvgPlot.niceStep(50));
        assertEquals("12,000", SvgPlot.label(12_000, 2000));
        assertEquals("0.5", SvgPlot.label(0.5, 0.5));
        assertEquals("0.25", SvgPlot.label(0.25, 0.05));
    }

    @Test
    void htmlGoesBesideTheJsonUnlessNamed() {
        assertEquals(Path.of("out/r.html"), Options.parse(new String[] {"--output", "out/r.json"}).htmlPath());
        assertEquals(Path.of("x.html"), Options.parse(new String[] {"--html", "x.html"}).htmlPath());
        assertEquals(URI.create("ws://h:1/ws"), Options.parse(new String[] {"--server", "ws://h:1/ws"}).server());
    }

    private static int count(Element parent, String tag, String cls) {
        NodeList list = parent.getElementsByTagName(tag);
        int n = 0;
        for (int i = 0; i < list.getLength(); i++) {
            if (cls.equals(((Element) list.item(i)).getAttribute("class"))) {
                n++;
            }
        }
        return n;
    }

    private static int countClass(Document doc, String tag, String cls) {
        return count(doc.getDocumentElement(), tag, cls);
    }
}
