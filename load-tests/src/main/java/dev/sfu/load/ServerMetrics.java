package dev.sfu.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's CPU time, heap and version as its {@code /metrics} reports them, read black-box over HTTP.
 *
 * @param version the {@code version} label of {@code sfu_build_info} (the jar's Implementation-Version, "dev"
 *     from classes); "?" when the server does not export it
 */
record ServerMetrics(double cpuNanos, double heapUsedBytes, String version) {
    private static final Pattern BUILD_VERSION = Pattern.compile("^sfu_build_info\\{.*?\\bversion=\"([^\"]*)\"",
            Pattern.MULTILINE);

    static ServerMetrics read(HttpClient http, URI webSocket) {
        try {
            String scheme = webSocket.getScheme().equals("wss") ? "https" : "http";
            URI metrics = new URI(scheme, null, webSocket.getHost(), webSocket.getPort(), "/metrics", null, null);
            String body = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return parse(body);
        } catch (Exception e) {
            return new ServerMetrics(Double.NaN, Double.NaN, "?");
        }
    }

    static ServerMetrics parse(String body) {
        double cpu = 0;
        double heap = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("process_cpu_time_ns_total ")) {
                cpu = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            } else if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        Matcher m = BUILD_VERSION.matcher(body);
        return new ServerMetrics(cpu, heap, m.find() ? m.group(1) : "?");
    }
}
