package dev.sfu.signaling.browser;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real TURN server for tests: Debian's coturn on 127.0.0.1, REST-style shared-secret auth
 * ({@code use-auth-secret}), relaying to loopback peers. Started and stopped by the test.
 */
public final class Coturn implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/turnserver");

    public final int port;
    public final String secret = "test-turn-secret-of-at-least-32-bytes";
    private final Process process;
    private final Path log;

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public Coturn() throws Exception {
        int p;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            p = probe.getLocalPort();
        }
        port = p;
        log = Files.createTempFile("coturn", ".log");
        process = new ProcessBuilder(List.of(BINARY.toString(), "-n", "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1", "--listening-port=" + port, "--min-port=49160", "--max-port=49200",
                "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=sfu.test", "--allow-loopback-peers",
                "--no-cli", "--no-tls", "--no-dtls", "--fingerprint", "--no-software-attribute", "--log-file=stdout"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(log).contains("Total General servers") && System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("turnserver exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    public String url() {
        return "turn:127.0.0.1:" + port + "?transport=udp";
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
