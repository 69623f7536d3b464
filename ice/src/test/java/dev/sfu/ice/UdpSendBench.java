package dev.sfu.ice;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Send cost of the media port, per 1,200-byte datagram, as a media thread pays it: a fan-out of
 * {@code transports} server transports (each connected to a client agent on loopback), one packet to each
 * per round. Cases, alternated in one JVM: ice4j's path ({@code IceTransport.send}, one {@code sendto} per
 * packet through {@code Component.send}), the batched path ({@code IceTransport.send(UdpBatch, ...)} and one
 * flush per round: one {@code sendmmsg}), and the floor of one {@code DatagramChannel.send} per packet.
 * Reported: the sending thread's CPU time per datagram, and bytes it allocated per datagram.
 *
 * <p>Not JMH (real sockets and threads it does not own); in the test sources, in this package to reach
 * {@link UdpBatch}'s package-private parts. Run: {@code java -cp ... dev.sfu.ice.UdpSendBench [transports]
 * [seconds] [rounds]}.
 */
public final class UdpSendBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int transports = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.printf("fan-out to %d transports, %d s per case, %d rounds, %d cores, %s, load %s%n", transports,
                seconds, rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
                new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim());
        byte[] packet = new byte[1200 + 16];
        packet[0] = (byte) 0x80;
        packet[1] = 96;
        List<IceTransport> servers = new ArrayList<>();
        List<IceTransport> clients = new ArrayList<>();
        try (MediaPort port = MediaPort.open(IceConfig.loopback(0));
                DatagramChannel bare = DatagramChannel.open()) {
            List<CompletableFuture<Void>> connected = new ArrayList<>();
            for (int i = 0; i < transports; i++) {
                IceTransport server = port.createTransport("send-bench-" + i);
                IceTransport client = IceTransport.client("send-bench-client-" + i, InetAddress.getLoopbackAddress());
                CompletableFuture<Void> up = new CompletableFuture<>();
                server.setListener(new IceTransport.Listener() {
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
            CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            InetSocketAddress[] targets = new InetSocketAddress[transports];
            for (int i = 0; i < transports; i++) {
                targets[i] = servers.get(i).session().selectedPair().getRemoteCandidate().getTransportAddress();
            }
            bare.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ByteBuffer direct = ByteBuffer.allocateDirect(1200);
            UdpBatch batch = new UdpBatch(Thread.currentThread(), UdpBatch.DEFAULT_CAPACITY, NettyMmsg::sendmmsg);
            System.out.println("case                                  datagrams/s   CPU ns/datagram   bytes allocated/datagram");
            for (int r = 0; r < rounds; r++) {
                measure("ice4j path (Component.send)", seconds, () -> {
                    for (IceTransport t : servers) {
                        t.send(packet, 0, 1200);
                    }
                }, transports);
                measure("batched (sendmmsg, flush per round)", seconds, () -> {
                    for (IceTransport t : servers) {
                        t.send(batch, packet, 0, 1200);
                    }
                    batch.flush();
                }, transports);
                measure("floor: DatagramChannel.send each", seconds, () -> {
                    try {
                        for (InetSocketAddress target : targets) {
                            direct.clear();
                            bare.send(direct, target);
                        }
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, transports);
            }
            System.out.printf("batch: %d sent, %d dropped, %d sendmmsg calls%n", batch.sent(), batch.dropped(),
                    batch.syscalls());
            batch.close();
        } finally {
            System.exit(0); // the agents' threads would only log their sockets closing
        }
    }

    private static void measure(String label, int seconds, Runnable round, int perRound) {
        var threads = (com.sun.management.ThreadMXBean) THREADS;
        long warmEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() < warmEnd) {
            round.run();
        }
        long id = Thread.currentThread().getId();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long alloc0 = threads.getThreadAllocatedBytes(id);
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        long datagrams = 0;
        while (System.nanoTime() < end) {
            round.run();
            datagrams += perRound;
        }
        long wall = System.nanoTime() - t0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long alloc = threads.getThreadAllocatedBytes(id) - alloc0;
        System.out.printf("%-36s %12.0f %17.0f %26.1f%n", label, datagrams * 1e9 / wall, (double) cpu / datagrams,
                (double) alloc / datagrams);
    }
}
