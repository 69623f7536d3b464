package dev.sfu.sctp;

import dev.sfu.sctp.chunk.DataChunk;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts DATA fragments back into user messages (RFC 9260 §6.9) and delivers them: ordered messages in SSN
 * order per stream (§6.5), unordered ones as soon as complete. A message's fragments carry consecutive TSNs,
 * which is how the fragments of unordered messages are found. Holds at most what the receive buffer allows
 * (checked by the caller) and refuses to build a message over max-message-size.
 */
final class ReassemblyQueue {
    interface Delivery {
        void deliver(int streamId, int ppid, byte[] data);
    }

    /** Fragments of one ordered message, by TSN. */
    private static final class Partial {
        final TreeMap<Long, DataChunk> chunks = new TreeMap<>();
        long bytes;

        boolean complete() {
            return !chunks.isEmpty() && chunks.firstEntry().getValue().beginning
                    && chunks.lastEntry().getValue().ending
                    && chunks.lastKey() - chunks.firstKey() + 1 == chunks.size();
        }
    }

    private static final class InStream {
        /** Next SSN to deliver, unwrapped. */
        long nextSsn;
        final TreeMap<Long, Partial> ordered = new TreeMap<>();
        final TreeMap<Long, DataChunk> unordered = new TreeMap<>();

        long unwrapSsn(int ssn) {
            return nextSsn + (short) (ssn - (int) (nextSsn & 0xFFFF));
        }

        boolean isEmpty() {
            return ordered.isEmpty() && unordered.isEmpty();
        }
    }

    private final Map<Integer, InStream> streams = new HashMap<>();
    private final int maxMessageSize;
    private long bufferedBytes;

    ReassemblyQueue(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    long bufferedBytes() {
        return bufferedBytes;
    }

    int streamCount() {
        return streams.size();
    }

    /**
     * Adds a fragment; delivers what became complete. Returns false when the message it belongs to grew past
     * max-message-size (the caller aborts the association; nothing of it is delivered).
     */
    boolean add(DataChunk c, long tsn, Delivery out) {
        InStream s = streams.computeIfAbsent(c.streamId, k -> new InStream());
        if (c.unordered) {
            return addUnordered(s, c, tsn, out);
        }
        long key = s.unwrapSsn(c.ssn);
        if (key < s.nextSsn) {
            return true; // an SSN already delivered or skipped: a duplicate the TSN check could not see
        }
        if (c.beginning && c.ending && key == s.nextSsn && !s.ordered.containsKey(key)) {
            if (c.payload.length > maxMessageSize) {
                return false;
            }
            s.nextSsn++;
            out.deliver(c.streamId, c.ppid, c.payload);
            deliverOrdered(c.streamId, s, out);
            return true;
        }
        Partial p = s.ordered.computeIfAbsent(key, k -> new Partial());
        if (p.chunks.putIfAbsent(tsn, c) == null) {
            p.bytes += c.payload.length;
            bufferedBytes += c.payload.length;
        }
        if (p.bytes > maxMessageSize) {
            return false;
        }
        deliverOrdered(c.streamId, s, out);
        return true;
    }

    private void deliverOrdered(int streamId, InStream s, Delivery out) {
        while (!s.ordered.isEmpty() && s.ordered.firstKey() == s.nextSsn
                && s.ordered.firstEntry().getValue().complete()) {
            Partial p = s.ordered.pollFirstEntry().getValue();
            s.nextSsn++;
            deliverWhole(streamId, p.chunks, p.bytes, out);
        }
    }

    private void deliverWhole(int streamId, TreeMap<Long, DataChunk> chunks, long bytes, Delivery out) {
        byte[] data = new byte[(int) bytes];
        int pos = 0;
        int ppid = chunks.firstEntry().getValue().ppid;
        for (DataChunk d : chunks.values()) {
            System.arraycopy(d.payload, 0, data, pos, d.payload.length);
            pos += d.payload.length;
        }
        bufferedBytes -= bytes;
        out.deliver(streamId, ppid, data);
    }

    private boolean addUnordered(InStream s, DataChunk c, long tsn, Delivery out) {
        if (c.beginning && c.ending) {
            if (c.payload.length > maxMessageSize) {
                return false;
            }
            out.deliver(c.streamId, c.ppid, c.payload);
            return true;
        }
        if (s.unordered.putIfAbsent(tsn, c) != null) {
            return true;
        }
        bufferedBytes += c.payload.length;
        // Walk to the message's first and last fragments through consecutive TSNs.
        long bytes = c.payload.length;
        long lo = tsn;
        DataChunk first = c;
        while (!first.beginning) {
            DataChunk prev = s.unordered.get(lo - 1);
            if (prev == null || prev.ending) {
                first = null;
                break;
            }
            first = prev;
            lo--;
            bytes += prev.payload.length;
        }
        long hi = tsn;
        DataChunk last = c;
        while (!last.ending) {
            DataChunk next = s.unordered.get(hi + 1);
            if (next == null || next.beginning) {
                last = null;
                break;
            }
            last = next;
            hi++;
            bytes += next.payload.length;
        }
        if (bytes > maxMessageSize) {
            return false;
        }
        if (first != null && last != null) {
            Map<Long, DataChunk> run = s.unordered.subMap(lo, true, hi, true);
            TreeMap<Long, DataChunk> copy = new TreeMap<>(run);
            run.clear();
            deliverWhole(c.streamId, copy, bytes, out);
        }
        return true;
    }

    /**
     * FORWARD-TSN (RFC 3758 §3.6): fragments at or below newCum are abandoned by the sender and dropped; for
     * each listed ordered stream, complete messages up to the skipped SSN are delivered, incomplete ones
     * dropped, and delivery continues after it.
     */
    void forward(long newCum, int[] streamIds, int[] ssns, Delivery out) {
        Iterator<Map.Entry<Integer, InStream>> it = streams.entrySet().iterator();
        while (it.hasNext()) {
            InStream s = it.next().getValue();
            Map<Long, DataChunk> old = s.unordered.headMap(newCum, true);
            for (DataChunk d : old.values()) {
                bufferedBytes -= d.payload.length;
            }
            old.clear();
            Iterator<Partial> ps = s.ordered.values().iterator();
            while (ps.hasNext()) {
                Partial p = ps.next();
                if (!p.complete()) {
                    Map<Long, DataChunk> gone = p.chunks.headMap(newCum, true);
                    for (DataChunk d : gone.values()) {
                        p.bytes -= d.payload.length;
                        bufferedBytes -= d.payload.length;
                    }
                    gone.clear();
                    if (p.chunks.isEmpty()) {
                        ps.remove();
                    }
                }
            }
        }
        for (int i = 0; i < streamIds.length; i++) {
            InStream s = streams.get(streamIds[i]);
            if (s == null) {
                s = new InStream();
                streams.put(streamIds[i], s);
            }
            long skipTo = s.unwrapSsn(ssns[i]);
            if (skipTo < s.nextSsn) {
                continue;
            }
            while (!s.ordered.isEmpty() && s.ordered.firstKey() <= skipTo) {
                Map.Entry<Long, Partial> e = s.ordered.pollFirstEntry();
                if (e.getValue().complete()) {
                    deliverWhole(streamIds[i], e.getValue().chunks, e.getValue().bytes, out);
                } else {
                    bufferedBytes -= e.getValue().bytes;
                }
            }
            s.nextSsn = skipTo + 1;
            deliverOrdered(streamIds[i], s, out);
        }
    }

    /** RFC 6525 §5.2.2: an incoming stream reset; SSNs restart at 0 and leftovers are dropped. */
    void reset(int[] streamIds) {
        if (streamIds.length == 0) {
            for (InStream s : streams.values()) {
                dropAll(s);
            }
            streams.clear();
            return;
        }
        for (int id : streamIds) {
            InStream s = streams.remove(id);
            if (s != null) {
                dropAll(s);
            }
        }
    }

    private void dropAll(InStream s) {
        for (Partial p : s.ordered.values()) {
            bufferedBytes -= p.bytes;
        }
        for (DataChunk d : s.unordered.values()) {
            bufferedBytes -= d.payload.length;
        }
        s.ordered.clear();
        s.unordered.clear();
    }
}
