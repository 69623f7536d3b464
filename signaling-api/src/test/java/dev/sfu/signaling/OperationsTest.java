package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** JSON logs parsed as JSON, the metric names, and the Grafana dashboard's queries against /metrics. */
class OperationsTest {
    private static final Pattern METRIC = Pattern.compile("\\b((?:sfu|jvm|process)_[a-z0-9_]+)\\b");

    @Test
    void jsonLogLinesAreJsonWithTheConferenceAndEndpoint() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("json-test");
        appender.setOutputStream(out);
        Operations.useJson(appender); // what SFU_LOG_FORMAT=json does to the console appender
        ch.qos.logback.classic.Logger sfu = context.getLogger("dev.sfu");
        ch.qos.logback.classic.Level level = sfu.getLevel();
        sfu.setLevel(ch.qos.logback.classic.Level.DEBUG);
        sfu.addAppender(appender);
        try (Main.Server server = TestServers.start(); WsClient c = new WsClient(server.httpPort())) {
            JsonNode joined = c.request("{\"type\":\"join\",\"conference\":\"logs\",\"displayName\":\"A\\\"b\\nc\",\"id\":1}");
            c.request("{\"type\":\"offer\",\"transport\":\"publish\",\"sdp\":" + WsClient.JSON.writeValueAsString(
                    GrantsTest.chromeOffer()) + ",\"id\":2}");
            String endpointId = joined.path("endpointId").asText();
            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(WsClient.JSON.readTree(line)); // throws if a line is not JSON
                }
            }
            assertFalse(lines.isEmpty());
            for (JsonNode line : lines) {
                assertTrue(line.has("level") && line.has("loggerName") && line.has("message") && line.has("timestamp"),
                        line.toString());
            }
            assertTrue(lines.stream().anyMatch(l -> endpointId.equals(l.path("mdc").path("endpoint").asText())
                    && "logs".equals(l.path("mdc").path("conference").asText())),
                    "lines logged for the endpoint carry its conference and endpoint: " + lines);
        } finally {
            sfu.detachAppender(appender);
            sfu.setLevel(level);
            appender.stop();
        }
    }

    @Test
    void theDashboardQueriesOnlyMetricsTheServerExports() throws Exception {
        String metrics;
        try (Main.Server server = TestServers.start()) {
            metrics = WebhooksTest.metrics(server);
        }
        Set<String> exported = new TreeSet<>();
        for (String line : metrics.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exported.add(line.split("[{ ]")[0]);
            }
        }
        assertTrue(exported.contains("sfu_build_info"), "sfu_build_info is exported");
        assertTrue(metrics.contains("sfu_build_info{java=\""), metrics);
        for (String name : exported) {
            // Prometheus conventions: a unit once, counters end in _total once.
            assertFalse(name.matches(".*_(bytes|seconds)_\\1.*") || name.contains("_bytes_in_bytes")
                    || name.contains("_total_total") || name.endsWith("_bps"), "unit named twice or ad hoc: " + name);
        }
        assertTrue(exported.contains("sfu_receive_bytes_total") && exported.contains("sfu_transmit_bytes_total"));
        assertTrue(exported.contains("sfu_join_first_packet_seconds_bucket"));
        assertTrue(exported.contains("sfu_ice_setup_seconds_bucket") && exported.contains("sfu_dtls_setup_seconds_bucket"));

        JsonNode dashboard = WsClient.JSON.readTree(Files.readString(Path.of("..", "deploy", "grafana-dashboard.json")));
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                queries.add(variable.path("query").asText());
            }
        }
        assertTrue(queries.size() > 20, "the dashboard has its queries");
        Set<String> missing = new TreeSet<>();
        int names = 0;
        for (String query : queries) {
            Matcher m = METRIC.matcher(query);
            while (m.find()) {
                names++;
                if (!exported.contains(m.group(1))) {
                    missing.add(m.group(1));
                }
            }
        }
        assertTrue(names >= queries.size(), "every query names a metric");
        assertEquals(Set.of(), missing, "dashboard queries name metrics that /metrics does not export");
    }
}
