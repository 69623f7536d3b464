package dev.sfu.load;

import dev.sfu.ice.IceTransport;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a load run does: the scenario, its size and pace, the server (null: one started in process), from the command line. */
public record Options(URI server, String scenario, int subscribers, int conferences, int participants,
        int seconds, int videoKbps, Path output, double churnPerSecond, int layers, int rampStep,
        int rampMax, int rampStepSeconds, double joinsPerSecond, IceTransport.Mode ice, int messagesPerSecond,
        int messageBytes, double dropsPerSecond, String bind, JoinTokens tokens, int threads, Path html) {

    /** Peer threads by default: enough to keep up with a small server, never more than the cores. */
    static int defaultThreads() {
        return Math.min(4, Runtime.getRuntime().availableProcessors());
    }

    public Options(URI server, String scenario, int subscribers, int conferences, int participants, int seconds,
            int videoKbps, Path output, double churnPerSecond, int layers, int rampStep, int rampMax,
            int rampStepSeconds, double joinsPerSecond, IceTransport.Mode ice, int messagesPerSecond,
            int messageBytes, double dropsPerSecond) {
        this(server, scenario, subscribers, conferences, participants, seconds, videoKbps, output, churnPerSecond,
                layers, rampStep, rampMax, rampStepSeconds, joinsPerSecond, ice, messagesPerSecond, messageBytes,
                dropsPerSecond, "127.0.0.1", JoinTokens.NONE, defaultThreads(), null);
    }

    public Options(URI server, String scenario, int subscribers, int conferences, int participants, int seconds,
            int videoKbps, Path output) {
        this(server, scenario, subscribers, conferences, participants, seconds, videoKbps, output, 1, 3, 10, 200, 4, 10);
    }

    public Options(URI server, String scenario, int subscribers, int conferences, int participants, int seconds,
            int videoKbps, Path output, double churnPerSecond, int layers, int rampStep, int rampMax,
            int rampStepSeconds, double joinsPerSecond) {
        this(server, scenario, subscribers, conferences, participants, seconds, videoKbps, output, churnPerSecond,
                layers, rampStep, rampMax, rampStepSeconds, joinsPerSecond, IceTransport.Mode.UDP, 20, 200, 0);
    }

    public Options withIce(IceTransport.Mode mode) {
        return new Options(server, scenario, subscribers, conferences, participants, seconds, videoKbps, output,
                churnPerSecond, layers, rampStep, rampMax, rampStepSeconds, joinsPerSecond, mode, messagesPerSecond,
                messageBytes, dropsPerSecond, bind, tokens, threads, html);
    }

    public Options withServer(URI uri) {
        return new Options(uri, scenario, subscribers, conferences, participants, seconds, videoKbps, output,
                churnPerSecond, layers, rampStep, rampMax, rampStepSeconds, joinsPerSecond, ice, messagesPerSecond,
                messageBytes, dropsPerSecond, bind, tokens, threads, html);
    }

    public Options withTokens(JoinTokens t) {
        return new Options(server, scenario, subscribers, conferences, participants, seconds, videoKbps, output,
                churnPerSecond, layers, rampStep, rampMax, rampStepSeconds, joinsPerSecond, ice, messagesPerSecond,
                messageBytes, dropsPerSecond, bind, t, threads, html);
    }

    /** Where the HTML report goes: {@code --html}, else beside the JSON report. */
    Path htmlPath() {
        return html != null ? html : Path.of(output.toString().replaceAll("\\.json$", "") + ".html");
    }

    /**
     * Every flag with the value this run used (defaults included), for the report: a run can be repeated
     * from it. Secrets are not shown, only that one was given.
     */
    Map<String, String> flags() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("server", server == null ? "(in process)" : server.toString());
        f.put("scenario", scenario);
        switch (scenario) {
            case "meetings", "data" -> {
                f.put("conferences", Integer.toString(conferences));
                f.put("participants", Integer.toString(participants));
            }
            case "ramp" -> {
                f.put("ramp-step", Integer.toString(rampStep));
                f.put("ramp-max", Integer.toString(rampMax));
                f.put("ramp-step-seconds", Integer.toString(rampStepSeconds));
            }
            default -> f.put("subscribers", Integer.toString(subscribers));
        }
        if (!scenario.equals("ramp")) {
            f.put("seconds", Integer.toString(seconds));
        }
        if (scenario.equals("data")) {
            f.put("messages-per-second", Integer.toString(messagesPerSecond));
            f.put("message-bytes", Integer.toString(messageBytes));
        } else {
            f.put("video-kbps", Integer.toString(videoKbps));
            f.put("layers", Integer.toString(layers));
        }
        if (scenario.equals("churn")) {
            f.put("churn-per-second", Double.toString(churnPerSecond));
        }
        f.put("drops-per-second", Double.toString(dropsPerSecond));
        f.put("joins-per-second", Double.toString(joinsPerSecond));
        f.put("ice", ice == IceTransport.Mode.TCP ? "tcp" : "udp");
        f.put("bind", bind);
        f.put("threads", Integer.toString(threads));
        f.put("auth", tokens.describe());
        f.put("output", output.toString());
        f.put("html", htmlPath().toString());
        return f;
    }

    public static Options parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("option " + args[args.length - 1] + " has no value");
        }
        Options o = new Options(a.containsKey("server") ? URI.create(a.get("server")) : null,
                a.getOrDefault("scenario", "fanout"), Integer.parseInt(a.getOrDefault("subscribers", "10")),
                Integer.parseInt(a.getOrDefault("conferences", "2")), Integer.parseInt(a.getOrDefault("participants", "4")),
                Integer.parseInt(a.getOrDefault("seconds", "10")), Integer.parseInt(a.getOrDefault("video-kbps", "1500")),
                Path.of(a.getOrDefault("output", "load-report.json")),
                Double.parseDouble(a.getOrDefault("churn-per-second", "1")),
                Integer.parseInt(a.getOrDefault("layers", "3")), Integer.parseInt(a.getOrDefault("ramp-step", "10")),
                Integer.parseInt(a.getOrDefault("ramp-max", "200")),
                Integer.parseInt(a.getOrDefault("ramp-step-seconds", "4")),
                Double.parseDouble(a.getOrDefault("joins-per-second", "10")),
                switch (a.getOrDefault("ice", "udp")) {
                    case "udp" -> IceTransport.Mode.UDP;
                    case "tcp" -> IceTransport.Mode.TCP;
                    default -> throw new IllegalArgumentException("--ice must be udp or tcp");
                },
                Integer.parseInt(a.getOrDefault("messages-per-second", "20")),
                Integer.parseInt(a.getOrDefault("message-bytes", "200")),
                Double.parseDouble(a.getOrDefault("drops-per-second", "0")), a.getOrDefault("bind", "127.0.0.1"),
                JoinTokens.of(a.get("token"), a.get("auth-secret")),
                Integer.parseInt(a.getOrDefault("threads", Integer.toString(defaultThreads()))),
                a.containsKey("html") ? Path.of(a.get("html")) : null);
        if (o.layers() < 1 || o.layers() > 3) {
            throw new IllegalArgumentException("--layers must be 1, 2 or 3");
        }
        if (!List.of("fanout", "meetings", "churn", "ramp", "data").contains(o.scenario())) {
            throw new IllegalArgumentException("unknown scenario " + o.scenario() + " (fanout, meetings, churn, ramp, data)");
        }
        if (o.threads() < 1 || o.threads() > 256) {
            throw new IllegalArgumentException("--threads must be 1 to 256");
        }
        if (o.dropsPerSecond() < 0) {
            throw new IllegalArgumentException("--drops-per-second must be >= 0");
        }
        if (o.messagesPerSecond() < 1 || o.messageBytes() < DataScenario.HEADER_BYTES || o.messageBytes() > 65_536) {
            throw new IllegalArgumentException("--messages-per-second must be >= 1 and --message-bytes "
                    + DataScenario.HEADER_BYTES + " to 65536");
        }
        return o;
    }
}
