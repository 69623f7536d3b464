package dev.sfu.ice.bench;

import dev.sfu.ice.IceConfig;
import dev.sfu.ice.IceTransport;
import dev.sfu.ice.MediaPort;
import dev.sfu.ice.RemoteCandidateScope;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Receive cost of the shared media port, from the socket to a transport's {@code PacketHandler}:
 * 1,200-byte SRTP-looking packets (first byte 0x80) spread over many connected transports, sent as fast
 * as one sender thread can. Reported: packets/s handed to handlers, and CPU time of the receiving thread
 * per packet (ice4j's listener thread for UDP, the selector thread for ICE-TCP). The floor is a bare
 * blocking {@link DatagramChannel} receive loop on the same machine.
 *
 * <p>Not a JMH benchmark: it needs real sockets and threads it does not own. Bounded (a few seconds per
 * case). Run: {@code java -cp ... dev.sfu.ice.bench.IcePortBench [transports] [seconds]}.
 */
public final class IcePortBench {
    private static final int PACKET = 1200;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int transports = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf("%d transports, %d s per case, %d-byte packets, %d cores, %s%n", transports, seconds,
                PACKET, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        System.out.println("case                          sent/s    received/s  lost %   recv-thread CPU ns/packet");
        bareChannel(seconds);
        icePort(transports, seconds, IceTransport.Mode.UDP, "ice4j UDP, new buffers", ".*AbstractUdpListener.*", true);
        icePort(transports, seconds, IceTransport.Mode.UDP, "ice4j UDP, pooled", ".*AbstractUdpListener.*", false);
        icePort(Math.min(transports, 50), seconds, IceTransport.Mode.TCP, "ICE-TCP port", "ice-tcp-\\d+", false);
        System.exit(0);
    }

    private static byte[] packet() {
        byte[] p = new byte[PACKET];
        p[0] = (byte) 0x80;
        p[1] = 96;
        return p;
    }

    /** The floor: one blocking DatagramChannel read into one buffer, counted. */
    private static void bareChannel(int seconds) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramChannel server = DatagramChannel.open(StandardProtocolFamily.INET);
                DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            server.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            server.bind(new InetSocketAddress(lo, 0));
            client.connect(server.getLocalAddress());
            LongAdder received = new LongAdder();
            CompletableFuture<Long> receiverId = new CompletableFuture<>();
            Thread receiver = new Thread(() -> {
                receiverId.complete(Thread.currentThread().getId());
                ByteBuffer buffer = ByteBuffer.allocateDirect(1500);
                try {
                    while (true) {
                        buffer.clear();
                        server.receive(buffer);
                        received.increment();
                    }
                } catch (java.io.IOException e) {
                    // closed: done
                }
            }, "bare-receiver");
            receiver.setDaemon(true);
            receiver.start();
            long id = receiverId.get();
            ByteBuffer out = ByteBuffer.wrap(packet());
            Runnable send = () -> {
                out.clear();
                try {
                    client.write(out);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            };
            measure("bare DatagramChannel", seconds, send, received, id);
        }
    }

    /**
     * @param ice4jDefaultBuffers put ice4j's default buffer hooks back for this case (a new {@code Buffer}
     *     and array per datagram, as before {@code Ice4jBufferPool}): the before/after comparison in one run
     */
    private static void icePort(int count, int seconds, IceTransport.Mode mode, String label, String threadPattern,
            boolean ice4jDefaultBuffers) throws Exception {
        IceConfig config = new IceConfig("127.0.0.1", 0, List.of("127.0.0.1"),
                mode == IceTransport.Mode.TCP ? IceConfig.TCP_PORT_ANY : 0, null, Duration.ofSeconds(30),
                RemoteCandidateScope.PERMISSIVE);
        LongAdder received = new LongAdder();
        List<IceTransport> servers = new ArrayList<>();
        List<IceTransport> clients = new ArrayList<>();
        var getBuffer = org.ice4j.util.BufferPool.getBuffer;
        var returnBuffer = org.ice4j.util.BufferPool.returnBuffer;
        try (MediaPort port = MediaPort.open(config)) {
            if (ice4jDefaultBuffers) {
                org.ice4j.util.BufferPool.getBuffer = (kotlin.jvm.functions.Function1<Integer, org.ice4j.util.Buffer>)
                        size -> new org.ice4j.util.Buffer(new byte[size], 0, size);
                org.ice4j.util.BufferPool.returnBuffer = (kotlin.jvm.functions.Function1<org.ice4j.util.Buffer, kotlin.Unit>)
                        b -> kotlin.Unit.INSTANCE;
            }
            List<CompletableFuture<Void>> connected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                IceTransport server = port.createTransport("bench-server-" + i);
                IceTransport client = IceTransport.client("bench-client-" + i, InetAddress.getLoopbackAddress(), mode);
                server.setPacketHandler(new dev.sfu.ice.PacketHandler() {
                    @Override
                    public void onPacket(byte[] b, int o, int l) {
                        received.increment();
                    }

                    @Override
                    public void onPooledPacket(byte[] b, int o, int l, dev.sfu.ice.BufferRelease pool) {
                        received.increment();
                        pool.release(b); // as the media thread would, after its work
                    }
                });
                CompletableFuture<Void> up = new CompletableFuture<>();
                client.setListener(new IceTransport.Listener() {
                    @Override
                    public void onConnected(InetSocketAddress remote) {
                        up.complete(null);
                    }

                    @Override
                    public void onFailed(String reason) {
                        up.completeExceptionally(new IllegalStateException(reason));
                    }
                });
                server.start(client.localUfrag(), client.localPassword());
                server.localCandidates().forEach(client::addRemoteCandidate);
                client.start(server.localUfrag(), server.localPassword());
                servers.add(server);
                clients.add(client);
                connected.add(up);
            }
            CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            // Every server side has its pair: the first packets may race the server's selection.
            byte[] p = packet();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.sum() < count && System.nanoTime() < deadline) {
                for (IceTransport c : clients) {
                    c.send(p, 0, p.length);
                }
                Thread.sleep(20);
            }
            long id = -1;
            String portSuffix = mode == IceTransport.Mode.UDP ? ".*:" + port.udpPort() + "\\b.*" : "";
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().matches(threadPattern + portSuffix)) {
                    id = t.getId();
                }
            }
            if (id < 0) {
                throw new IllegalStateException("no receiving thread named " + threadPattern + " among "
                        + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList());
            }
            int[] next = {0};
            Runnable send = () -> {
                IceTransport c = clients.get(next[0]);
                next[0] = next[0] + 1 == clients.size() ? 0 : next[0] + 1;
                c.send(p, 0, p.length);
            };
            measure(label + " (" + count + " " + mode + ")", seconds, send, received, id);
        } finally {
            clients.forEach(IceTransport::close);
            servers.forEach(IceTransport::close);
            org.ice4j.util.BufferPool.getBuffer = getBuffer;
            org.ice4j.util.BufferPool.returnBuffer = returnBuffer;
        }
    }

    /**
     * Sends for a warm-up second, then for {@code seconds} in bursts of 32 with a short yield between
     * them, so that the receiver is measured under load but the sender does not take both cores.
     */
    private static void measure(String label, int seconds, Runnable send, LongAdder received, long receiverThread)
            throws InterruptedException {
        run(1, send);
        Thread.sleep(200);
        long received0 = received.sum();
        long cpu0 = THREADS.getThreadCpuTime(receiverThread);
        long start = System.nanoTime();
        long sent = run(seconds, send);
        long elapsed = System.nanoTime() - start;
        Thread.sleep(1000); // what is still in socket buffers arrives; rates are over the sending time
        long got = received.sum() - received0;
        long cpu = THREADS.getThreadCpuTime(receiverThread) - cpu0;
        System.out.printf("%-28s %9.0f %12.0f %7.2f %12.0f%n", label, sent * 1e9 / elapsed, got * 1e9 / elapsed,
                100.0 * Math.max(0, sent - got) / sent, got == 0 ? Double.NaN : (double) cpu / got);
    }

    private static long run(int seconds, Runnable send) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 32; i++) {
                send.run();
            }
            sent += 32;
            Thread.yield();
        }
        return sent;
    }
}
