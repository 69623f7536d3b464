package dev.sfu.sctp;

import dev.sfu.sctp.chunk.DataChunk;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Messages accepted by send() and not yet fully cut into DATA chunks, with the per-stream outbound state (next
 * SSN, bytes waiting, buffered-amount-low threshold). Stream state exists only for streams that were used.
 *
 * <p>Streams take turns message by message (round robin), so a large transfer on one data channel does not
 * hold back the others; a message's fragments still go out back to back, with consecutive TSNs, which is what
 * the receiver needs to reassemble unordered messages (RFC 9260 §6.9). Fragmentation happens lazily, when the
 * congestion and receive windows let a chunk go, so a message abandoned before it went out costs no TSN.
 */
final class SendQueue {
    /** Per outbound stream: next SSN (RFC 9260 §6.5), bytes queued, threshold. */
    static final class Stream {
        final int id;
        final ArrayDeque<OutboundMessage> messages = new ArrayDeque<>();
        int nextSsn;
        long queuedBytes;
        long lowThreshold;
        boolean resetting;

        Stream(int id) {
            this.id = id;
        }
    }

    /** Streams with messages waiting, in turn order; the head is sending its current message. */
    private final ArrayDeque<Stream> turns = new ArrayDeque<>();
    private final Map<Integer, Stream> streams = new HashMap<>();
    private long queuedBytes;
    /** The message the last {@link #next} call cut from. */
    OutboundMessage lastMessage;

    Stream stream(int id) {
        return streams.computeIfAbsent(id, Stream::new);
    }

    Stream existing(int id) {
        return streams.get(id);
    }

    void add(OutboundMessage m) {
        Stream s = stream(m.streamId);
        if (s.messages.isEmpty()) {
            turns.add(s);
        }
        s.messages.add(m);
        queuedBytes += m.data.length;
        s.queuedBytes += m.data.length;
    }

    long queuedBytes() {
        return queuedBytes;
    }

    boolean isEmpty() {
        return turns.isEmpty();
    }

    boolean hasQueued(int streamId) {
        Stream s = streams.get(streamId);
        return s != null && s.queuedBytes > 0;
    }

    int streamCount() {
        return streams.size();
    }

    /**
     * Cuts the next DATA chunk of at most {@code maxPayload} bytes, or returns null when nothing is queued.
     * Messages whose lifetime ran out before their first byte went out are dropped here (RFC 7496 §4: an
     * expired message need not be sent). {@code onDrained} learns of every stream whose queued bytes went down.
     */
    DataChunk next(int maxPayload, long tsn, long now, Drained onDrained, Abandoned onAbandoned) {
        while (!turns.isEmpty()) {
            Stream s = turns.peek();
            OutboundMessage m = s.messages.peek();
            if (m.abandoned || (m.offset == 0 && m.expired(now))) {
                finish(s);
                reduce(m, m.remaining(), onDrained);
                if (!m.abandoned) {
                    onAbandoned.abandoned(m);
                }
                continue;
            }
            if (!m.ssnAssigned) {
                m.ssnAssigned = true;
                // Unordered messages carry no meaningful SSN (RFC 9260 §3.3.1); 0 is sent.
                m.ssn = m.unordered ? 0 : s.nextSsn;
                if (!m.unordered) {
                    s.nextSsn = (s.nextSsn + 1) & 0xFFFF;
                }
            }
            int take = Math.min(maxPayload, m.remaining());
            boolean begin = m.offset == 0;
            boolean end = take == m.remaining();
            byte[] payload = begin && end ? m.data : Arrays.copyOfRange(m.data, m.offset, m.offset + take);
            m.offset += take;
            if (end) {
                finish(s);
            }
            lastMessage = m;
            reduce(m, take, onDrained);
            return new DataChunk((int) tsn, m.streamId, m.ssn, m.ppid, payload, m.unordered, begin, end, false);
        }
        return null;
    }

    /** The head stream's current message is done: it goes to the back of the turns if it has more. */
    private void finish(Stream s) {
        s.messages.poll();
        turns.poll();
        if (!s.messages.isEmpty()) {
            turns.add(s);
        }
    }

    /** Size of the next chunk {@link #next} would cut, 0 when empty (to decide whether it fits a packet). */
    int peekSize(int maxPayload) {
        Stream s = turns.peek();
        return s == null ? 0 : Math.min(maxPayload, s.messages.peek().remaining());
    }

    private void reduce(OutboundMessage m, int bytes, Drained onDrained) {
        if (bytes == 0) {
            return;
        }
        queuedBytes -= bytes;
        Stream s = stream(m.streamId);
        long before = s.queuedBytes;
        s.queuedBytes -= bytes;
        onDrained.drained(m.streamId, before, s.queuedBytes, s.lowThreshold);
    }

    /** RFC 6525 §5.2.2/§5.1.4: after a reset the stream's SSNs start again at 0. */
    void resetSsn(int streamId) {
        Stream s = streams.get(streamId);
        if (s != null) {
            s.nextSsn = 0;
        }
    }

    /** Drops everything (association closed). */
    void clear() {
        turns.clear();
        queuedBytes = 0;
        for (Stream s : streams.values()) {
            s.messages.clear();
            s.queuedBytes = 0;
        }
    }

    interface Drained {
        void drained(int streamId, long before, long after, long threshold);
    }

    interface Abandoned {
        void abandoned(OutboundMessage m);
    }
}
