package dev.sfu.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the ICE tests share: a server/client pair on a media port, packets, and waiting. */
final class IceTestSupport {
    private IceTestSupport() {
    }

    /** A server transport on {@code port} and a client (UDP or ICE-TCP only), each queueing what it receives. */
    static final class Pair implements AutoCloseable {
        final IceTransport server;
        final IceTransport client;
        final BlockingQueue<byte[]> serverReceived = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> clientReceived = new LinkedBlockingQueue<>();
        final CompletableFuture<InetSocketAddress> serverConnected = new CompletableFuture<>();
        final CompletableFuture<InetSocketAddress> clientConnected = new CompletableFuture<>();

        Pair(MediaPort port, String name, IceTransport.Mode mode) {
            server = port.createTransport("server-" + name);
            client = IceTransport.client("client-" + name, InetAddress.getLoopbackAddress(), mode);
            server.setPacketHandler((b, o, l) -> serverReceived.add(Arrays.copyOfRange(b, o, o + l)));
            client.setPacketHandler((b, o, l) -> clientReceived.add(Arrays.copyOfRange(b, o, o + l)));
            server.setListener(listener(serverConnected));
            client.setListener(listener(clientConnected));
            server.start(client.localUfrag(), client.localPassword());
            for (String c : server.localCandidates()) {
                client.addRemoteCandidate(c);
            }
            client.start(server.localUfrag(), server.localPassword());
        }

        void awaitConnected() throws Exception {
            serverConnected.get(20, TimeUnit.SECONDS);
            clientConnected.get(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    /** Completes {@code connected} with the remote address, or exceptionally when the transport fails. */
    static IceTransport.Listener listener(CompletableFuture<InetSocketAddress> connected) {
        return new IceTransport.Listener() {
            @Override
            public void onConnected(InetSocketAddress remote) {
                connected.complete(remote);
            }

            @Override
            public void onFailed(String reason) {
                connected.completeExceptionally(new IllegalStateException(reason));
            }
        };
    }

    /** Completes {@code connected} on connection (if given) and {@code failed} with the reason on failure. */
    static IceTransport.Listener listener(CompletableFuture<InetSocketAddress> connected, CompletableFuture<String> failed) {
        return new IceTransport.Listener() {
            @Override
            public void onConnected(InetSocketAddress remote) {
                if (connected != null) {
                    connected.complete(remote);
                }
            }

            @Override
            public void onFailed(String reason) {
                failed.complete(reason);
            }
        };
    }

    /** A 100-byte packet that classifies as RTP, told apart by {@code marker}. */
    static byte[] rtpLike(int marker) {
        byte[] p = new byte[100];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[50] = (byte) marker;
        return p;
    }

    /** Sends until the other side has it (the first packets may race the selected pair); null after 5 s. */
    static byte[] exchange(IceTransport from, BlockingQueue<byte[]> to, byte[] packet) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            from.send(packet, 0, packet.length);
            byte[] got = to.poll(100, TimeUnit.MILLISECONDS);
            if (got != null) {
                return got;
            }
        }
        return null;
    }

    /** Waits up to 5 s for {@code condition}; the caller asserts what it expects afterwards. */
    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
