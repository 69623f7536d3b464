package dev.sfu.ice;

import static dev.sfu.ice.IceTestSupport.exchange;
import static dev.sfu.ice.IceTestSupport.rtpLike;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sfu.ice.IceTestSupport.Pair;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing transports closes their sockets explicitly, not when a GC runs their Cleaners: sfu-core's
 * ChurnTest saw sockets pile up between collections. Counts this process's file descriptors
 * ({@code /proc/self/fd}, Linux only) before and after 50 connected transports (40 over UDP, 10 over
 * ICE-TCP) are created, used and closed.
 *
 * <p>A GC during the round could close leaked sockets through their Cleaners and hide a leak, and on a
 * loaded machine one often runs. So the test holds strong references to the sockets that could be left to
 * the GC until it has counted: each UDP client's STUN socket (found as {@link IceSession#free} finds it)
 * and each server transport's per-address socket ({@link SharedPortCandidate}). Their Cleaners cannot run,
 * so their descriptors are closed only if the transports closed them.
 * Whether a GC ran is printed: without one, no other socket was left to a Cleaner either.
 */
class IceDescriptorLeakTest {
    private static final Path FDS = Path.of("/proc/self/fd");

    @Test
    @Timeout(180)
    void fiftyConnectedTransportsLeaveNoDescriptorOpen() throws Exception {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd (Linux)");
        try (MediaPort port = MediaPort.open(IceConfig.loopback(0).toBuilder().tcpPort(IceConfig.TCP_PORT_ANY)
                .consentTimeout(Duration.ofSeconds(30)).build())) {
            round(port, "warm-up", 2, 1, new ArrayList<>()); // class loading, one-time sockets and threads
            Map<String, String> before = descriptors();
            long gcs = gcCount();
            List<Object> held = new ArrayList<>();
            round(port, "round", 40, 10, held);
            Map<String, String> after = waitForCount(before.size());
            // New descriptors: numbers not open before, or reused for something else. (One open before may
            // close meanwhile, e.g. a late one of the warm-up: fewer is fine.)
            Map<String, String> extra = new TreeMap<>(after);
            extra.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
            System.out.printf("fd leak test: %d descriptors before, %d after 50 transports (%d datagram sockets"
                    + " held, %s GC meanwhile); not closed: %s%n", before.size(), after.size(), held.size(),
                    gcCount() == gcs ? "no" : "a", extra);
            assertEquals(80, held.size(), "a server per-address socket and a client STUN socket per UDP pair");
            assertEquals(Map.of(), extra, "descriptors left open");
            held.clear();
        }
    }

    /**
     * Creates {@code udp + tcp} connected pairs, exchanges a packet each way on each, and closes them all;
     * {@code held} receives the datagram sockets of every transport, taken just before it is closed.
     */
    private static void round(MediaPort port, String name, int udp, int tcp, List<Object> held) throws Exception {
        List<Pair> pairs = new ArrayList<>();
        try {
            for (int i = 0; i < udp + tcp; i++) {
                pairs.add(new Pair(port, name + "-" + i, i < udp ? IceTransport.Mode.UDP : IceTransport.Mode.TCP));
            }
            for (Pair p : pairs) {
                p.awaitConnected();
                assertArrayEquals(rtpLike(1), exchange(p.client, p.serverReceived, rtpLike(1)));
                assertArrayEquals(rtpLike(2), exchange(p.server, p.clientReceived, rtpLike(2)));
            }
        } finally {
            for (Pair p : pairs) {
                for (org.ice4j.ice.LocalCandidate c : p.server.session().component.getLocalCandidates()) {
                    if (c instanceof SharedPortCandidate shared) {
                        held.addAll(shared.openSockets());
                    }
                }
                held.addAll(Ice4jSockets.stunSockets(p.client.session().component));
                p.close();
            }
        }
    }
    /** Threads of closed transports end, and close what they hold, shortly after: wait up to 5 s. */
    private static Map<String, String> waitForCount(int target) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Map<String, String> now = descriptors();
        while (now.size() > target && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = descriptors();
        }
        return now;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /**
     * Descriptor number → what it is ("socket:[inode]", a file, a pipe), without the listing's own
     * descriptor: it takes the lowest free number, which moves when a descriptor below it closes (a late
     * one of the warm-up did, and the listing's new number then looked like a leak).
     */
    private static Map<String, String> descriptors() throws IOException {
        Path listing = FDS.toRealPath();
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(FDS)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    Path target = Files.readSymbolicLink(p);
                    if (!target.equals(listing)) {
                        m.put(p.getFileName().toString(), target.toString());
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return m;
    }
}
