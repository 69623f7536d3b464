package dev.sfu.sctp;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Two endpoints joined by an in-memory link on a virtual clock: the test advances time to the next packet
 * arrival or timer, so minutes of protocol time take milliseconds and nothing depends on the wall clock. Loss,
 * delay and reordering come from a seeded RNG, so a failing run repeats exactly.
 */
final class VirtualNetwork {
    /** One side: its SCTP user (association or data channels) as the link sees it. */
    interface Node {
        void receive(byte[] b, int off, int len, long now);

        long nextTimeoutNanos();

        void handleTimeout(long now);
    }

    private record Packet(long at, long seq, boolean toB, byte[] data) {}

    final Random rng;
    long now = 1_000_000_000L;
    double loss;
    /** One-way delay, plus up to jitter more: packets overtake each other when jitter exceeds their spacing. */
    long delayNanos = 10 * SctpConfig.MS;
    long jitterNanos;
    /** Rewrites or drops (null) packets from A to B and from B to A. */
    UnaryOperator<byte[]> filterAtoB = UnaryOperator.identity();
    UnaryOperator<byte[]> filterBtoA = UnaryOperator.identity();
    long packetsAtoB;
    long packetsBtoA;
    long dropped;
    final List<byte[]> capturedAtoB = new ArrayList<>();
    boolean capture;

    private final PriorityQueue<Packet> inFlight = new PriorityQueue<>((x, y) -> x.at != y.at
            ? Long.compare(x.at, y.at) : Long.compare(x.seq, y.seq));
    private long seq;
    Node a;
    Node b;

    VirtualNetwork(long seed) {
        rng = new Random(seed);
    }

    PacketSink sinkOfA() {
        return p -> enqueue(true, p);
    }

    PacketSink sinkOfB() {
        return p -> enqueue(false, p);
    }

    private void enqueue(boolean toB, byte[] p) {
        if (toB) {
            packetsAtoB++;
            if (capture) {
                capturedAtoB.add(p.clone());
            }
        } else {
            packetsBtoA++;
        }
        p = (toB ? filterAtoB : filterBtoA).apply(p);
        if (p == null || (loss > 0 && rng.nextDouble() < loss)) {
            dropped++;
            return;
        }
        long jitter = jitterNanos > 0 ? (long) (rng.nextDouble() * jitterNanos) : 0;
        inFlight.add(new Packet(now + delayNanos + jitter, seq++, toB, p));
    }

    /** Time of the next thing to happen, or Long.MAX_VALUE. */
    long nextEvent() {
        long t = Math.min(a.nextTimeoutNanos(), b.nextTimeoutNanos());
        if (!inFlight.isEmpty()) {
            t = Math.min(t, inFlight.peek().at);
        }
        return t;
    }

    /** Runs one event (arrival or timers); false when nothing is left before {@code until}. */
    boolean step(long until) {
        long t = nextEvent();
        if (t == Long.MAX_VALUE || t > until) {
            return false;
        }
        now = Math.max(now, t);
        if (!inFlight.isEmpty() && inFlight.peek().at <= now) {
            Packet p = inFlight.poll();
            (p.toB ? b : a).receive(p.data, 0, p.data.length, now);
        }
        if (a.nextTimeoutNanos() <= now) {
            a.handleTimeout(now);
        }
        if (b.nextTimeoutNanos() <= now) {
            b.handleTimeout(now);
        }
        return true;
    }

    /** Runs until the condition holds; fails if it does not within {@code maxNanos} of virtual time. */
    void runUntil(BooleanSupplier done, long maxNanos, String what) {
        long until = now + maxNanos;
        int steps = 0;
        while (!done.getAsBoolean()) {
            if (!step(until)) {
                if (done.getAsBoolean()) {
                    return;
                }
                throw new AssertionError("not reached within " + maxNanos / 1_000_000 + " ms virtual: " + what);
            }
            if (++steps > 5_000_000) {
                throw new AssertionError("too many steps: " + what);
            }
        }
    }

    /** Runs for a span of virtual time. */
    void runFor(long nanos) {
        long until = now + nanos;
        int steps = 0;
        while (step(until)) {
            if (++steps > 5_000_000) {
                throw new AssertionError("too many steps");
            }
        }
        now = Math.max(now, until);
    }

    int inFlightCount() {
        return inFlight.size();
    }
}
