package dev.sfu.core.bwe;

import dev.sfu.core.transport.RtpSender;
import dev.sfu.dtls.SrtpSession;

/**
 * Paces the video a subscribe transport sends at 2.5× its bandwidth estimate (libwebrtc's pacing
 * factor), in 5 ms slots, so that a keyframe's burst of packets spreads out instead of overflowing a
 * bottleneck queue. The router writes each forwarded copy straight into a slot here (the one copy of
 * the packet), the pacer encrypts and sends it in place when the budget allows: at once when the queue
 * is empty, else from the conference's 5 ms timer. A full queue drops the packet (counted; the
 * subscriber's NACK gets it back from the cache). Unlimited until there is an estimate. A slot's buffer
 * comes from the conference's {@link PacketBuffers} when a packet is queued and goes back once it is
 * sent. Media thread only.
 */
public final class Pacer {
    public static final double PACING_FACTOR = 2.5;
    /** The default slot: how often a conference drains its pacers. */
    public static final long SLOT_NANOS = 5_000_000L;
    /** Packets queued at most: about two top-layer keyframes. */
    static final int CAPACITY = 128;
    private final int capacity;
    private final long slotNanos;
    /** Largest packet forwarded plus SRTP's growth (as the router's scratch buffer). */
    public static final int PACKET_ROOM = 1500 + SrtpSession.MAX_OVERHEAD + 64;

    private final RtpSender out;
    private final DownlinkEstimator downlink;
    private final PacketBuffers buffers;
    /** Told when a drain leaves packets queued: they need the conference's next slot. */
    private final Runnable backlog;
    private final byte[][] slots;
    private final int[] lengths;
    private final int[] sequences;
    private int head;
    private int size;
    private long rateBps;
    private long budgetBytes;
    private long lastRefillNanos = Long.MIN_VALUE;
    private long dropped;

    public Pacer(RtpSender out, DownlinkEstimator downlink) {
        this(out, downlink, new PacketBuffers(), () -> { }, CAPACITY, SLOT_NANOS);
    }

    /**
     * @param buffers where queued packets' buffers come from and go back to (the conference's pool)
     * @param backlog run when a drain leaves packets queued, so that whoever calls {@link #drain} each
     *     slot does so again (the conference pauses its slot while no pacer holds anything)
     * @param capacity packets queued at most (a power of two)
     * @param slotNanos how often {@link #drain} is called: the budget saved up at most
     */
    public Pacer(RtpSender out, DownlinkEstimator downlink, PacketBuffers buffers, Runnable backlog, int capacity,
            long slotNanos) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1 || slotNanos <= 0) {
            throw new IllegalArgumentException("pacer capacity must be a power of two, its slot positive");
        }
        this.out = out;
        this.downlink = downlink;
        this.buffers = buffers;
        this.backlog = backlog;
        this.capacity = capacity;
        this.slotNanos = slotNanos;
        this.slots = new byte[capacity][];
        this.lengths = new int[capacity];
        this.sequences = new int[capacity];
    }

    /** Paces at 2.5× this estimate; 0 = no estimate, nothing held back. */
    public void setEstimate(long estimateBps) {
        rateBps = estimateBps > 0 ? (long) (estimateBps * PACING_FACTOR) : 0;
    }

    /**
     * The buffer the next packet is to be written into (at offset 0, up to {@link #PACKET_ROOM} bytes), or
     * null when the queue is full: the packet is dropped and counted.
     */
    public byte[] claim() {
        if (size == capacity) {
            dropped++;
            return null;
        }
        int i = (head + size) & (capacity - 1);
        if (slots[i] == null) {
            slots[i] = buffers.take();
        }
        return slots[i];
    }

    /** Queues the packet just written into the claimed buffer, with its transport-wide sequence (-1: none). */
    public void commit(int length, int transportWideSequence) {
        int i = (head + size) & (capacity - 1);
        lengths[i] = length;
        sequences[i] = transportWideSequence;
        size++;
    }

    /** Sends what the budget allows. */
    public void drain(long nowNanos) {
        if (size == 0) {
            refill(nowNanos);
            return;
        }
        if (!out.isConnected()) {
            dropped += size;
            while (size > 0) {
                release(head);
                head = (head + 1) & (capacity - 1);
                size--;
            }
            return;
        }
        refill(nowNanos);
        while (size > 0 && (rateBps == 0 || budgetBytes > 0)) {
            int i = head;
            head = (head + 1) & (capacity - 1);
            size--;
            int wire = out.sendRtp(slots[i], 0, lengths[i]);
            release(i);
            if (wire > 0) {
                budgetBytes -= wire;
                if (sequences[i] >= 0 && downlink != null) {
                    downlink.onPacketSent(sequences[i], wire, nowNanos);
                }
            }
        }
        if (size > 0) {
            backlog.run();
        }
    }

    /** Gives a sent (or dropped) packet's buffer back to the conference's pool. */
    private void release(int slot) {
        buffers.give(slots[slot]);
        slots[slot] = null;
    }

    /** Adds the bytes the rate allows since the last refill; at most one slot's worth is saved up. */
    private void refill(long nowNanos) {
        if (rateBps == 0 || lastRefillNanos == Long.MIN_VALUE) {
            lastRefillNanos = nowNanos;
            budgetBytes = Math.max(budgetBytes, 0);
            return;
        }
        long elapsed = Math.max(0, nowNanos - lastRefillNanos);
        lastRefillNanos = nowNanos;
        long slotBytes = rateBps * slotNanos / 8_000_000_000L;
        budgetBytes = Math.min(slotBytes, budgetBytes + rateBps * elapsed / 8_000_000_000L);
    }

    public int queued() {
        return size;
    }

    /** Packets dropped because the queue was full (or the transport went away with packets queued). */
    public long dropped() {
        return dropped;
    }
}
