package dev.sfu.sctp;

import dev.sfu.sctp.chunk.Chunk;
import dev.sfu.sctp.chunk.ReConfigChunk;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Stream resets with RE-CONFIG (RFC 6525) for one association, both ways:
 * <ul>
 * <li>ours: streams wait until everything queued on them has a TSN, then one Outgoing SSN Reset Request at a
 * time goes out with the last assigned TSN, retransmitted on its timer, until the peer answers;</li>
 * <li>the peer's: its Outgoing SSN Reset Request is performed once every TSN up to its last assigned TSN
 * arrived (answered "in progress" until then, and "performed" unasked when it happens); its Incoming SSN
 * Reset Request becomes a reset of ours.</li>
 * </ul>
 * Request sequence numbers start at each side's initial TSN (§5.1.1).
 */
final class StreamResets {
    /** What the resets need from the association. */
    interface Host {
        /** The peer's cumulative TSN as we track it (unwrapped). */
        long cumTsn();

        long unwrapPeerTsn(int tsn);

        /** The last TSN we assigned (unwrapped). */
        long lastAssignedTsn();

        /** Whether messages on the outbound stream still wait for TSNs. */
        boolean hasQueued(int streamId);

        /** The outbound stream takes no new messages until its reset is answered. */
        void markResetting(int streamId);

        int outboundStreams();

        /** The peer reset these streams of its own: our inbound side restarts. */
        void incomingReset(int[] streamIds);

        /** The peer answered our reset: performed (SSNs restart at 0) or refused. */
        void outgoingResetAnswered(int[] streamIds, boolean performed);

        void send(Chunk chunk);

        long rto();

        void backOffRto();
    }

    final Timer timer = new Timer("reconfig");
    private final Host host;
    private final SctpCounters counters;
    private final int mtu;

    private int nextRequestSeq;
    private ReConfigChunk outstanding;
    private int[] outstandingStreams;
    /** The peer answered the outstanding request ("in progress") since it was last sent. */
    private boolean answered;
    private final LinkedHashSet<Integer> waiting = new LinkedHashSet<>();

    private int peerExpectedSeq;
    private int lastResult = ReConfigChunk.RESULT_SUCCESS_PERFORMED;
    private ReConfigChunk.OutgoingSsnResetRequest deferred;

    StreamResets(Host host, SctpCounters counters, int mtu, int myInitialTsn) {
        this.host = host;
        this.counters = counters;
        this.mtu = mtu;
        this.nextRequestSeq = myInitialTsn;
    }

    void peerInitialTsn(int tsn) {
        peerExpectedSeq = tsn;
    }

    /** Asks for the outbound stream to be reset; it takes no new messages from now on. */
    void reset(int streamId) {
        host.markResetting(streamId);
        waiting.add(streamId);
    }

    /** Sends the next request once the waiting streams' queued messages all have TSNs. */
    void maybeRequest(long now) {
        if (outstanding != null || waiting.isEmpty()) {
            return;
        }
        List<Integer> ready = new ArrayList<>();
        for (int id : waiting) {
            if (!host.hasQueued(id)) {
                ready.add(id);
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        // The request must fit one packet: at most 256 streams per request, fewer with a small MTU.
        int max = Math.min(256, (mtu - SctpPacket.COMMON_HEADER - Chunk.HEADER - 16) / 2);
        if (ready.size() > max) {
            ready = ready.subList(0, max);
        }
        int[] ids = ready.stream().mapToInt(Integer::intValue).toArray();
        ready.forEach(waiting::remove);
        outstandingStreams = ids;
        outstanding = new ReConfigChunk(List.of(new ReConfigChunk.OutgoingSsnResetRequest(nextRequestSeq,
                peerExpectedSeq - 1, (int) host.lastAssignedTsn(), ids)));
        answered = false;
        host.send(outstanding);
        counters.reconfigRequestsSent++;
        timer.start(now, host.rto());
    }

    /** The reconfig timer expired: the request goes again. */
    void onTimer(long now) {
        if (outstanding == null) {
            return;
        }
        // Back off only for a request that went unanswered: "in progress" is an answer, not a loss.
        if (!answered) {
            host.backOffRto();
        }
        answered = false;
        host.send(outstanding);
        timer.start(now, host.rto());
    }

    void onChunk(ReConfigChunk rc, long now) {
        List<ReConfigChunk.Param> responses = new ArrayList<>(2);
        for (ReConfigChunk.Param p : rc.params) {
            if (p instanceof ReConfigChunk.OutgoingSsnResetRequest o) {
                counters.reconfigRequestsReceived++;
                responses.add(new ReConfigChunk.Response(o.requestSeq(), onPeerOutgoing(o)));
            } else if (p instanceof ReConfigChunk.IncomingSsnResetRequest in) {
                counters.reconfigRequestsReceived++;
                responses.add(new ReConfigChunk.Response(in.requestSeq(), onPeerIncoming(in)));
            } else if (p instanceof ReConfigChunk.Response r) {
                onResponse(r, now);
            } else if (p instanceof ReConfigChunk.Unsupported u) {
                responses.add(new ReConfigChunk.Response(u.requestSeq(), ReConfigChunk.RESULT_DENIED));
            }
        }
        if (!responses.isEmpty()) {
            host.send(new ReConfigChunk(responses));
        }
    }

    /** §5.2.2: the peer resets its outbound streams; deferred until every TSN it sent before is received. */
    private int onPeerOutgoing(ReConfigChunk.OutgoingSsnResetRequest o) {
        int seq = o.requestSeq();
        if (seq == peerExpectedSeq - 1) {
            return lastResult; // a retransmission of the request we answered
        }
        if (seq != peerExpectedSeq) {
            return ReConfigChunk.RESULT_ERROR_BAD_SEQUENCE_NUMBER;
        }
        if (host.unwrapPeerTsn(o.senderLastTsn()) <= host.cumTsn()) {
            perform(o);
            return ReConfigChunk.RESULT_SUCCESS_PERFORMED;
        }
        deferred = o;
        return ReConfigChunk.RESULT_IN_PROGRESS;
    }

    private void perform(ReConfigChunk.OutgoingSsnResetRequest o) {
        peerExpectedSeq++;
        lastResult = ReConfigChunk.RESULT_SUCCESS_PERFORMED;
        deferred = null;
        host.incomingReset(o.streamIds().clone());
    }

    /** A deferred reset is performed, and answered unasked, once the cumulative TSN reaches it. */
    void onCumulativeTsnMoved() {
        ReConfigChunk.OutgoingSsnResetRequest d = deferred;
        if (d != null && host.unwrapPeerTsn(d.senderLastTsn()) <= host.cumTsn()) {
            perform(d);
            host.send(new ReConfigChunk(List.of(
                    new ReConfigChunk.Response(d.requestSeq(), ReConfigChunk.RESULT_SUCCESS_PERFORMED))));
        }
    }

    /** §5.2.3: the peer asks us to reset our outbound streams; we do so with our own request. */
    private int onPeerIncoming(ReConfigChunk.IncomingSsnResetRequest in) {
        int seq = in.requestSeq();
        if (seq == peerExpectedSeq - 1) {
            return lastResult;
        }
        if (seq != peerExpectedSeq) {
            return ReConfigChunk.RESULT_ERROR_BAD_SEQUENCE_NUMBER;
        }
        peerExpectedSeq++;
        lastResult = ReConfigChunk.RESULT_SUCCESS_NOTHING_TO_DO;
        for (int id : in.streamIds()) {
            // Ids outside the negotiated streams cannot carry data: no state is made for them.
            if (id < host.outboundStreams()) {
                reset(id);
            }
        }
        return lastResult;
    }

    private void onResponse(ReConfigChunk.Response r, long now) {
        if (outstanding == null || r.responseSeq() != nextRequestSeq) {
            return;
        }
        if (r.result() == ReConfigChunk.RESULT_IN_PROGRESS) {
            answered = true;
            timer.start(now, host.rto()); // ask again later (§5.2.7)
            return;
        }
        int[] ids = outstandingStreams;
        outstanding = null;
        outstandingStreams = null;
        timer.stop();
        nextRequestSeq++;
        host.outgoingResetAnswered(ids, r.result() == ReConfigChunk.RESULT_SUCCESS_PERFORMED
                || r.result() == ReConfigChunk.RESULT_SUCCESS_NOTHING_TO_DO);
    }
}
