package dev.sfu.signaling.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Run inside a test's network namespace ({@code ip netns exec NS java ... TcpRelay LISTEN PORT TARGET
 * TPORT}): relays TCP connections from the namespace's veth address to a port on the namespace's own
 * loopback. Firefox's WebDriver BiDi server listens on loopback only, which the test outside the namespace
 * cannot reach otherwise. Its HTTP server also serves only requests whose Host header names loopback, so
 * the relay rewrites the Host line of each connection's first request (the WebSocket handshake). Ends when
 * its parent (the test) is gone or after an hour, whichever is first.
 */
public final class TcpRelay {
    private TcpRelay() {
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress listen = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[2]), Integer.parseInt(args[3]));
        Thread watchdog = new Thread(() -> {
            long deadline = System.nanoTime() + 3_600_000_000_000L;
            ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
            while (System.nanoTime() < deadline && (parent == null || parent.isAlive())) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    break;
                }
            }
            System.exit(0);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(listen);
            System.out.println("relaying " + listen + " to " + target);
            System.out.flush();
            while (true) {
                Socket client = server.accept();
                Socket upstream;
                try {
                    upstream = new Socket(target.getAddress(), target.getPort());
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                try {
                    forwardHead(client.getInputStream(), upstream.getOutputStream(), target);
                } catch (IOException e) {
                    client.close();
                    upstream.close();
                    continue;
                }
                pump(client, upstream);
                pump(upstream, client);
            }
        }
    }

    /** Copies the request head (up to the blank line) with its Host line naming {@code target}. */
    private static void forwardHead(InputStream in, OutputStream out, InetSocketAddress target) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > 16384) {
                throw new IOException("no request head");
            }
            head.append((char) b);
        }
        String rewritten = head.toString().replaceFirst("(?im)^Host:[^\r\n]*",
                "Host: " + target.getAddress().getHostAddress() + ":" + target.getPort());
        out.write(rewritten.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
