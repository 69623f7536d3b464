package dev.sfu.sctp.bench;

import dev.sfu.sctp.AssociationListener;
import dev.sfu.sctp.SctpAssociation;
import dev.sfu.sctp.SctpConfig;
import dev.sfu.sctp.SctpPacket;
import dev.sfu.sctp.SendOptions;
import dev.sfu.sctp.chunk.DataChunk;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The SCTP work per data channel message: reading one full DATA packet (checksum and chunk walk), and one
 * 1100-byte message from send() on one association to onMessage on the other, SACKs included, over an
 * in-memory link with no loss (the time is the caller's, advanced 1 ms per round).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SctpBenchmark {
    private byte[] dataPacket;
    private final ArrayDeque<byte[]> toB = new ArrayDeque<>();
    private final ArrayDeque<byte[]> toA = new ArrayDeque<>();
    private SctpAssociation a;
    private SctpAssociation b;
    private long now = 1_000_000_000L;
    private int delivered;
    private final byte[] message = new byte[1100];

    @Setup(Level.Trial)
    public void setUp() {
        SctpPacket.Builder pb = new SctpPacket.Builder(1200, 5000, 5000, 0x12345678);
        pb.add(new DataChunk(1, 1, 1, 53, new byte[1172], false, true, true, false));
        dataPacket = pb.build();
        a = new SctpAssociation(SctpConfig.defaults(), toB::add, new AssociationListener() {}, new Random(1));
        b = new SctpAssociation(SctpConfig.defaults(), toA::add, new AssociationListener() {
            @Override
            public void onMessage(int streamId, int ppid, byte[] data) {
                delivered++;
            }
        }, new Random(2));
        a.connect(now);
        b.connect(now);
        pump();
        if (!a.isEstablished() || !b.isEstablished()) {
            throw new IllegalStateException("not established");
        }
    }

    private void pump() {
        while (!toA.isEmpty() || !toB.isEmpty()) {
            byte[] p;
            while ((p = toB.poll()) != null) {
                b.receive(p, 0, p.length, now);
            }
            while ((p = toA.poll()) != null) {
                a.receive(p, 0, p.length, now);
            }
            now += 1_000_000;
            if (a.nextTimeoutNanos() <= now) {
                a.handleTimeout(now);
            }
            if (b.nextTimeoutNanos() <= now) {
                b.handleTimeout(now);
            }
        }
    }

    @Benchmark
    public int parseDataPacket() {
        int c = SctpPacket.checksum(dataPacket, 0, dataPacket.length);
        return c + SctpPacket.parse(dataPacket, 0, dataPacket.length).chunks.size();
    }

    @Benchmark
    public int messageThroughTwoAssociations() {
        a.send(1, 53, message, SendOptions.RELIABLE, now);
        pump();
        return delivered;
    }
}
