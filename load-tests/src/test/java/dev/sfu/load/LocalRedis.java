package dev.sfu.load;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A private {@code redis-server} on a free loopback port, without persistence, started and stopped by a
 * test. Where it is not installed the test is skipped with the install command, except in CI ({@code CI}
 * set), where .ci/run installs it and a missing one fails.
 */
public final class LocalRedis implements AutoCloseable {
    public static final String INSTALL = "apt-get install -y redis-server";
    private final int port;
    private Process process;

    private LocalRedis(int port) {
        this.port = port;
    }

    public static void require() {
        boolean available = onPath("redis-server");
        if (System.getenv("CI") != null) {
            Assertions.assertTrue(available, "missing in CI, where .ci/run must install it: " + INSTALL);
        }
        Assumptions.assumeTrue(available, INSTALL);
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return new File("/usr/sbin", tool).canExecute() || new File("/usr/bin", tool).canExecute();
    }

    public static LocalRedis start() throws IOException, InterruptedException {
        require();
        LocalRedis redis = new LocalRedis(freePort());
        redis.startAgain();
        return redis;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts it (again, on the same port, empty) and waits until it accepts connections. */
    public void startAgain() throws IOException, InterruptedException {
        process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--loglevel", "warning"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IOException("redis-server did not start on port " + port);
    }

    /** Stops it (SIGKILL: an outage, not a goodbye) and waits until it is gone. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
