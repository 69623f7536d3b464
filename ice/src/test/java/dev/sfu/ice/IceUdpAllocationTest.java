package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import dev.sfu.ice.IceTestSupport.Pair;
import kotlin.Unit;
import kotlin.jvm.functions.Function1;
import org.ice4j.util.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What ice4j's UDP listener thread allocates per datagram, with our buffer pool and without it. */
class IceUdpAllocationTest {

    @Test
    @Timeout(120)
    void theUdpReceivePathAllocatesNoBufferPerDatagramOnceWarm() throws Exception {
        try (MediaPort port = MediaPort.open(new IceConfig("127.0.0.1", 0, List.of("127.0.0.1"), 0, null,
                Duration.ofSeconds(30), RemoteCandidateScope.PERMISSIVE)); Pair pair = new Pair(port, "udp-pool", IceTransport.Mode.UDP)) {
            Ice4jBufferPool pool = Ice4jBufferPool.installed();
            assertNotNull(pool, "installed when the port opened");
            AtomicInteger pooled = new AtomicInteger();
            AtomicInteger unpooled = new AtomicInteger();
            AtomicInteger bad = new AtomicInteger();
            pair.server.setPacketHandler(new PacketHandler() {
                @Override
                public void onPacket(byte[] buffer, int offset, int length) {
                    count(buffer, offset, length, unpooled);
                }

                @Override
                public void onPooledPacket(byte[] buffer, int offset, int length, BufferRelease release) {
                    count(buffer, offset, length, pooled);
                    release.release(buffer);
                }

                private void count(byte[] buffer, int offset, int length, AtomicInteger good) {
                    if (length == 1200 && buffer[offset] == (byte) 0x80 && buffer[offset + 50] == buffer[offset + 1199]) {
                        good.incrementAndGet();
                    } else {
                        bad.incrementAndGet();
                    }
                }
            });
            pair.awaitConnected();
            String suffix = ":" + port.udpPort() + "/udp";
            Thread listener = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().contains("thread for") && t.getName().contains(suffix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no ice4j listener thread among "
                            + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList()));
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

            send(pair, pooled, unpooled, bad, 5000); // warm-up: JIT, the pool
            long before = threads.getThreadAllocatedBytes(listener.getId());
            int received = send(pair, pooled, unpooled, bad, 5000);
            long pooledPerDatagram = (threads.getThreadAllocatedBytes(listener.getId()) - before) / received;
            int pooledBeforeSwap = pooled.get();

            // The same with ice4j's default hooks (a new Buffer and array per datagram), for comparison.
            Function1<? super Integer, Buffer> get = org.ice4j.util.BufferPool.getBuffer;
            Function1<? super Buffer, Unit> ret = org.ice4j.util.BufferPool.returnBuffer;
            long allocatingPerDatagram;
            try {
                org.ice4j.util.BufferPool.getBuffer = (Function1<Integer, Buffer>) size -> new Buffer(new byte[size], 0, size);
                org.ice4j.util.BufferPool.returnBuffer = (Function1<Buffer, Unit>) b -> Unit.INSTANCE;
                send(pair, pooled, unpooled, bad, 2000);
                before = threads.getThreadAllocatedBytes(listener.getId());
                received = send(pair, pooled, unpooled, bad, 5000);
                allocatingPerDatagram = (threads.getThreadAllocatedBytes(listener.getId()) - before) / received;
            } finally {
                org.ice4j.util.BufferPool.getBuffer = get;
                org.ice4j.util.BufferPool.returnBuffer = ret;
            }
            System.out.printf("UDP receive on ice4j's listener thread: %d bytes per 1200-byte datagram pooled, %d with"
                    + " ice4j's default buffers (pool: %d made, %d unpooled, %d double returns)%n", pooledPerDatagram,
                    allocatingPerDatagram, pool.created(), pool.unpooled(), pool.doubleReturns());
            assertEquals(0, bad.get());
            assertTrue(pooledBeforeSwap >= 9000, pooledBeforeSwap + " pooled datagrams of 10000 sent");
            assertEquals(0, pool.doubleReturns());
            assertTrue(pool.created() <= Ice4jBufferPool.CAPACITY);
            // Generous: ice4j still allocates a few small objects per datagram; a buffer alone is >= 1216 bytes.
            assertTrue(pooledPerDatagram < 600, pooledPerDatagram + " bytes allocated per datagram, pooled");
            assertTrue(allocatingPerDatagram - pooledPerDatagram > 1000,
                    pooledPerDatagram + " pooled vs " + allocatingPerDatagram + " unpooled bytes per datagram");
        }
    }

    /** Sends {@code count} 1200-byte RTP-like datagrams, 100 at a time; returns how many arrived. */
    private static int send(Pair pair, AtomicInteger pooled, AtomicInteger unpooled, AtomicInteger bad, int count)
            throws InterruptedException {
        int start = pooled.get() + unpooled.get() + bad.get();
        for (int i = 0; i < count; i++) {
            byte[] packet = Arrays.copyOf(IceTestSupport.rtpLike(i), 1200);
            packet[1199] = (byte) i;
            assertTrue(pair.client.send(packet, 0, packet.length));
            if (i % 100 == 99) {
                int sent = start + i + 1;
                IceTestSupport.waitFor(() -> pooled.get() + unpooled.get() + bad.get() >= sent);
            }
        }
        int total = start + count;
        IceTestSupport.waitFor(() -> pooled.get() + unpooled.get() + bad.get() >= total);
        return pooled.get() + unpooled.get() + bad.get() - start;
    }
}
