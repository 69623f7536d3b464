package dev.sfu.signaling;

import dev.sfu.client.ConnectivityCheck;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;

/**
 * {@code java -jar sfu-server.jar check [URL] [--room R] [--token T] [--timeout SECONDS]}: the
 * connectivity check of the {@code /check} page from a command line, run on the machine whose network is in
 * question (docs/operations.md).
 */
final class CheckCommand {
    static final String USAGE = """
            usage: check [URL] [--room ROOM] [--token TOKEN] [--timeout SECONDS]
            Checks from this machine that the SFU at URL (default http://localhost:8080) can be reached:
            signaling, media over UDP and over ICE-TCP (round trip and a 256 KiB burst through the server),
            and each TURN server it hands out. With tokens on, give a token for ROOM.""";

    private CheckCommand() {
    }

    /** @return 0 when media has a path, 1 when none works, 2 for a bad argument */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        URI server = URI.create("http://localhost:8080");
        String room = "check-" + UUID.randomUUID().toString().substring(0, 8);
        String token = null;
        Duration timeout = Duration.ofSeconds(8);
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (!option.startsWith("--")) {
                    server = URI.create(option);
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--room" -> room = value;
                    case "--token" -> token = value;
                    case "--timeout" -> timeout = Duration.ofSeconds(Integer.parseInt(value));
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            ConnectivityCheck check = new ConnectivityCheck(server, room, token, timeout);
            ConnectivityCheck.Report report = check.run();
            ConnectivityCheck.print(report, out);
            return report.exitStatus();
        } catch (IllegalArgumentException e) { // NumberFormatException too
            err.println("check: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }
}
