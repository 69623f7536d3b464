package dev.sfu.sctp;

import dev.sfu.sctp.chunk.DataChunk;
import dev.sfu.sctp.chunk.SackChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * DATA chunks sent and not yet cumulatively acknowledged, keyed by unwrapped TSN (a long that does not wrap,
 * so comparisons are plain). Applies SACKs (RFC 9260 §6.2.1): cumulative and gap acks, miss indications and
 * fast retransmit marking (§7.2.4), the T3 expiry marking (§6.3.3), and the PR-SCTP abandonment rules with the
 * Advanced.Peer.Ack.Point (RFC 3758 §3.5).
 */
final class RetransmissionQueue {
    static final class Sent {
        final long tsn;
        final DataChunk chunk;
        final OutboundMessage message;
        long sentAt;
        int transmissions = 1;
        int missIndications;
        boolean inFlight = true;
        boolean gapAcked;
        boolean abandoned;
        boolean markedForRetransmit;
        boolean fastRetransmit;

        Sent(long tsn, DataChunk chunk, OutboundMessage message, long sentAt) {
            this.tsn = tsn;
            this.chunk = chunk;
            this.message = message;
            this.sentAt = sentAt;
        }

        int size() {
            return chunk.payload.length;
        }
    }

    /** What one SACK did. */
    static final class AckResult {
        boolean valid;
        /** Older than the cumulative ack point: reordered, not wrong. */
        boolean stale;
        boolean cumAdvanced;
        long bytesAcked;
        long flightBefore;
        long rttSample = -1;
        boolean fastRetransmitMarked;
    }

    private final TreeMap<Long, Sent> outstanding = new TreeMap<>();
    /** Cumulative TSN Ack Point: highest TSN the peer acknowledged cumulatively. */
    private long cumAckPoint;
    private long flightBytes;
    private long outstandingBytes;
    private final SctpCounters counters;
    private boolean newlyAbandoned;
    /** Chunks marked for retransmission: lets the usual case (none) skip the walk over the queue. */
    private int markedCount;

    /** Hands out the next TSN (the association owns the TSN sequence). */
    interface TsnSource {
        long next();
    }

    private final TsnSource tsns;

    RetransmissionQueue(long initialTsn, SctpCounters counters, TsnSource tsns) {
        this.cumAckPoint = initialTsn - 1;
        this.counters = counters;
        this.tsns = tsns;
    }

    long cumAckPoint() {
        return cumAckPoint;
    }

    long flightBytes() {
        return flightBytes;
    }

    /** Payload bytes of all chunks not cumulatively acked (kept in memory). */
    long outstandingBytes() {
        return outstandingBytes;
    }

    boolean isEmpty() {
        return outstanding.isEmpty();
    }

    long highestTsn() {
        return outstanding.isEmpty() ? cumAckPoint : outstanding.lastKey();
    }

    /** Unwraps a 32-bit TSN from the peer relative to our cumulative ack point (serial arithmetic). */
    long unwrap(int tsn) {
        return cumAckPoint + (tsn - (int) cumAckPoint);
    }

    void add(long tsn, DataChunk chunk, OutboundMessage m, long now) {
        Sent s = new Sent(tsn, chunk, m, now);
        outstanding.put(tsn, s);
        flightBytes += s.size();
        outstandingBytes += s.size();
    }

    /**
     * Applies a SACK. {@code highestSent} is the last TSN given out; a SACK acking beyond it, or older than
     * the ack point, is not valid and changes nothing.
     */
    AckResult onSack(SackChunk sack, long highestSent, long now) {
        AckResult r = new AckResult();
        r.flightBefore = flightBytes;
        long cum = unwrap(sack.cumulativeTsnAck);
        if (cum < cumAckPoint || cum > highestSent) {
            r.stale = cum < cumAckPoint;
            return r;
        }
        r.valid = true;
        long rttTsn = -1;
        if (cum > cumAckPoint) {
            r.cumAdvanced = true;
            NavigableMap<Long, Sent> acked = outstanding.headMap(cum, true);
            for (Sent s : acked.values()) {
                if (!s.gapAcked && !s.abandoned) {
                    r.bytesAcked += s.size();
                }
                if (s.transmissions == 1 && !s.gapAcked) {
                    rttTsn = s.tsn;
                    r.rttSample = now - s.sentAt;
                }
                unmark(s);
                leaveFlight(s);
                outstandingBytes -= s.size();
            }
            acked.clear();
            cumAckPoint = cum;
        }
        long highestNewlyAcked = r.cumAdvanced ? cum : -1;
        for (int i = 0; i < sack.gapStarts.length; i++) {
            long start = cum + sack.gapStarts[i];
            long end = cum + sack.gapEnds[i];
            if (sack.gapStarts[i] == 0 || start > end || end > highestSent) {
                continue; // a block that makes no sense is ignored, not trusted
            }
            for (Sent s : outstanding.subMap(start, true, end, true).values()) {
                if (!s.gapAcked) {
                    s.gapAcked = true;
                    if (!s.abandoned) {
                        r.bytesAcked += s.size();
                    }
                    if (s.transmissions == 1 && s.tsn > rttTsn) {
                        rttTsn = s.tsn;
                        r.rttSample = now - s.sentAt;
                    }
                    unmark(s);
                    leaveFlight(s);
                    highestNewlyAcked = Math.max(highestNewlyAcked, s.tsn);
                }
            }
        }
        // Miss indications (§7.2.4) with the HTNA rule: only TSNs below the highest TSN newly acked by this
        // SACK are counted, so one lost chunk is not blamed for every later SACK.
        if (highestNewlyAcked > cum) {
            for (Sent s : outstanding.headMap(highestNewlyAcked, false).values()) {
                if (s.gapAcked || s.abandoned || s.markedForRetransmit || s.fastRetransmit) {
                    continue;
                }
                if (++s.missIndications >= 3) {
                    s.fastRetransmit = true;
                    markForRetransmit(s, now);
                    r.fastRetransmitMarked = true;
                    counters.fastRetransmits++;
                }
            }
        }
        addAbandonedEnds();
        return r;
    }

    private void leaveFlight(Sent s) {
        if (s.inFlight) {
            s.inFlight = false;
            flightBytes -= s.size();
        }
    }

    /** Marks a lost chunk for retransmission, or abandons its message if its PR-SCTP policy says so. */
    private void markForRetransmit(Sent s, long now) {
        leaveFlight(s);
        if (shouldAbandon(s, now)) {
            abandon(s.message);
        } else if (!s.markedForRetransmit) {
            s.markedForRetransmit = true;
            markedCount++;
        }
    }

    /**
     * Whether the peer supports FORWARD TSN (RFC 3758 §3.3). Without it nothing sent may be abandoned (there
     * would be no way to tell the peer), so partially reliable messages become reliable once sent.
     */
    boolean partialReliability = true;

    /** RFC 7496 §4: too many retransmissions, or past the lifetime. */
    private boolean shouldAbandon(Sent s, long now) {
        OutboundMessage m = s.message;
        return partialReliability
                && ((m.maxRetransmits >= 0 && s.transmissions > m.maxRetransmits) || m.expired(now));
    }

    /** T3 expired (§6.3.3 E3): every chunk not gap-acked is lost. */
    void onRetransmissionTimeout(long now) {
        for (Sent s : outstanding.values()) {
            if (!s.gapAcked && !s.abandoned) {
                s.missIndications = 0;
                markForRetransmit(s, now);
            }
        }
        addAbandonedEnds();
    }

    /** Abandons every outstanding chunk of the message (RFC 3758 §3.5 A3: all its fragments go together). */
    void abandon(OutboundMessage m) {
        if (m.abandoned) {
            return;
        }
        m.abandoned = true;
        newlyAbandoned = true;
        counters.abandonedMessages++;
        for (Sent s : outstanding.values()) {
            if (s.message == m) {
                s.abandoned = true;
                unmark(s);
                leaveFlight(s);
            }
        }
        if (m.offset > 0 && m.offset < m.data.length) {
            // Part of the message was sent and the rest never will be. If the receiver got every fragment
            // sent, no FORWARD TSN would be needed for them and it would wait forever for the end (an ordered
            // stream would stall). So the missing end gets a TSN of its own, abandoned without being sent,
            // which the FORWARD TSN then skips with the message's SSN (as dcSCTP does). Added after the walk
            // over the queue that led here.
            needEnd.add(m);
        }
    }

    private final List<OutboundMessage> needEnd = new ArrayList<>(1);

    private void addAbandonedEnds() {
        for (OutboundMessage m : needEnd) {
            long tsn = tsns.next();
            DataChunk end = new DataChunk((int) tsn, m.streamId, m.ssn, m.ppid, new byte[0], m.unordered, false,
                    true, false);
            Sent placeholder = new Sent(tsn, end, m, 0);
            placeholder.abandoned = true;
            placeholder.inFlight = false;
            outstanding.put(tsn, placeholder);
        }
        needEnd.clear();
    }

    /** Whether a message was abandoned since the last call (a FORWARD TSN may be due). */
    boolean takeNewlyAbandoned() {
        boolean b = newlyAbandoned;
        newlyAbandoned = false;
        return b;
    }

    boolean hasMarked() {
        return markedCount > 0;
    }

    private void unmark(Sent s) {
        if (s.markedForRetransmit) {
            s.markedForRetransmit = false;
            markedCount--;
        }
    }

    /** The next chunk to retransmit (lowest TSN first), abandoning expired ones on the way; null if none. */
    Sent nextToRetransmit(long now, boolean fastOnly) {
        if (markedCount == 0) {
            return null;
        }
        Sent found = null;
        for (Sent s : outstanding.values()) {
            if (!s.markedForRetransmit || (fastOnly && !s.fastRetransmit)) {
                continue;
            }
            if (partialReliability && s.message.expired(now)) {
                unmark(s);
                abandon(s.message);
                continue;
            }
            found = s;
            break;
        }
        addAbandonedEnds();
        return found;
    }

    void retransmitted(Sent s, long now) {
        unmark(s);
        s.transmissions++;
        s.sentAt = now;
        s.missIndications = 0;
        s.inFlight = true;
        flightBytes += s.size();
        counters.retransmittedChunks++;
    }

    /**
     * Advanced.Peer.Ack.Point (RFC 3758 §3.5 C1): past the cumulative ack point over abandoned chunks only.
     * Returns the new cumulative TSN and fills {@code ordered} with stream id -> last SSN skipped, for the
     * ordered chunks skipped; cumAckPoint when nothing can be skipped.
     */
    long advancedPeerAckPoint(Map<Integer, Integer> ordered, int maxStreams) {
        long point = cumAckPoint;
        for (Sent s : outstanding.values()) {
            if (s.tsn != point + 1 || !s.abandoned) {
                break;
            }
            if (!s.chunk.unordered) {
                if (!ordered.containsKey(s.chunk.streamId) && ordered.size() == maxStreams) {
                    break; // the FORWARD TSN must fit one packet: the rest waits for the next one
                }
                ordered.merge(s.chunk.streamId, s.chunk.ssn, (a, b) -> ssnNewer(b, a) ? b : a);
            }
            point = s.tsn;
        }
        return point;
    }

    private static boolean ssnNewer(int a, int b) {
        return a != b && ((a - b) & 0xFFFF) < 0x8000;
    }

    void clear() {
        markedCount = 0;
        outstanding.clear();
        flightBytes = 0;
        outstandingBytes = 0;
    }
}
