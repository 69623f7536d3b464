package dev.sfu.sctp;

import java.util.EnumMap;
import java.util.Map;

/**
 * Per-association counters: drops by {@link DropReason}, and what the association did. Plain longs: an
 * association is used from one thread at a time, and a reader on another thread may see slightly stale
 * values, which is fine for metrics.
 */
public final class SctpCounters {
    private final long[] drops = new long[DropReason.values().length];
    public long packetsReceived;
    public long packetsSent;
    public long dataChunksReceived;
    public long dataChunksSent;
    public long retransmittedChunks;
    public long fastRetransmits;
    public long t3Expirations;
    public long sacksSent;
    public long sacksReceived;
    public long forwardTsnsSent;
    public long forwardTsnsReceived;
    public long abandonedMessages;
    public long messagesSent;
    public long messagesReceived;
    public long heartbeatsSent;
    public long heartbeatAcksReceived;
    public long errorsReceived;
    public long reconfigRequestsSent;
    public long reconfigRequestsReceived;
    public long sendRefusedQueueFull;

    void drop(DropReason r) {
        drops[r.ordinal()]++;
    }

    public long dropped(DropReason r) {
        return drops[r.ordinal()];
    }

    public long droppedTotal() {
        long n = 0;
        for (long d : drops) {
            n += d;
        }
        return n;
    }

    /** The non-zero drop counters. */
    public Map<DropReason, Long> drops() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            if (drops[r.ordinal()] != 0) {
                m.put(r, drops[r.ordinal()]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "SctpCounters{rx=" + packetsReceived + ", tx=" + packetsSent + ", dataRx=" + dataChunksReceived
                + ", dataTx=" + dataChunksSent + ", rtx=" + retransmittedChunks + ", fastRtx=" + fastRetransmits
                + ", t3=" + t3Expirations + ", fwdTsnTx=" + forwardTsnsSent + ", abandoned=" + abandonedMessages
                + ", drops=" + drops() + "}";
    }
}
