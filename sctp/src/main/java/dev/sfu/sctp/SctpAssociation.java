package dev.sfu.sctp;

import dev.sfu.sctp.chunk.Chunk;
import dev.sfu.sctp.chunk.ChunkType;
import dev.sfu.sctp.chunk.CookieEchoChunk;
import dev.sfu.sctp.chunk.DataChunk;
import dev.sfu.sctp.chunk.EmptyChunk;
import dev.sfu.sctp.chunk.ErrorCauseChunk;
import dev.sfu.sctp.chunk.ForwardTsnChunk;
import dev.sfu.sctp.chunk.HeartbeatChunk;
import dev.sfu.sctp.chunk.InitChunk;
import dev.sfu.sctp.chunk.ReConfigChunk;
import dev.sfu.sctp.chunk.SackChunk;
import dev.sfu.sctp.chunk.ShutdownChunk;
import dev.sfu.sctp.chunk.UnknownChunk;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One SCTP association (RFC 9260) as WebRTC uses it: one path, both ports fixed, over DTLS. Sans-I/O: the
 * caller hands in each inbound packet with the current time ({@link #receive}), calls {@link #handleTimeout}
 * when {@link #nextTimeoutNanos} is reached, and gets packets out through a {@link PacketSink} and events
 * through an {@link AssociationListener}. Nothing here blocks, starts a thread, or reads a clock; times are
 * nanoseconds on the caller's clock. Not thread-safe: use it from one thread (or under one lock).
 *
 * <p>Bad input never throws: it is counted by {@link DropReason} in {@link #counters()} and dropped.
 */
public final class SctpAssociation {
    public enum State {
        CLOSED, COOKIE_WAIT, COOKIE_ECHOED, ESTABLISHED, SHUTDOWN_PENDING, SHUTDOWN_SENT, SHUTDOWN_RECEIVED,
        SHUTDOWN_ACK_SENT
    }

    /** DATA chunk header (4) plus its fixed fields (12). */
    private static final int DATA_CHUNK_OVERHEAD = Chunk.HEADER + DataChunk.DATA_HEADER;

    private final SctpConfig cfg;
    private final PacketSink sink;
    private final AssociationListener listener;
    private final Random random;
    private final SctpCounters counters = new SctpCounters();
    private final byte[] cookieKey = new byte[32];
    private final ArrayDeque<Runnable> events = new ArrayDeque<>();
    private boolean dispatching;
    private long lastNow = Long.MIN_VALUE;

    private State state = State.CLOSED;
    private boolean terminated;
    private CloseReason closeReason;

    private final int myTag;
    private final int myInitialTsn;
    /** Next TSN to assign, unwrapped. */
    private long nextTsn;
    private boolean peerKnown;
    private int peerTag;
    private int outboundStreams;
    private int inboundStreams;
    private boolean peerForwardTsn;
    private boolean peerReconfig;
    private long peerRwnd;
    /** Consecutive unanswered retransmissions, heartbeats and T2s: the association error counter (§8.1). */
    private int errorCount;

    private final SendQueue sendQueue = new SendQueue();
    private final RetransmissionQueue rtx;
    private final ReassemblyQueue reassembly;
    private final CongestionControl cc;
    private final RtoEstimator rto;
    private DataTracker tracker;

    private final Timer t1Init = new Timer("T1-init");
    private final Timer t1Cookie = new Timer("T1-cookie");
    private final Timer t2Shutdown = new Timer("T2-shutdown");
    private final Timer t3Rtx = new Timer("T3-rtx");
    private final Timer delayedAck = new Timer("delayed-ack");
    private final Timer heartbeat = new Timer("heartbeat");
    private final StreamResets resets;
    private final Timer[] timers;

    private final List<Chunk> control = new ArrayList<>();
    private boolean sackNow;
    private int dataPacketsSinceSack;
    private boolean forwardTsnNeeded;
    private boolean fastRetransmitPending;
    private byte[] cookieToEcho;

    private long heartbeatNonce;
    private boolean heartbeatOutstanding;

    public SctpAssociation(SctpConfig config, PacketSink sink, AssociationListener listener) {
        this(config, sink, listener, new SecureRandom());
    }

    /** @param random source of the verification tag, initial TSN and cookie key (seed it in tests). */
    public SctpAssociation(SctpConfig config, PacketSink sink, AssociationListener listener, Random random) {
        this.cfg = config.copy();
        this.sink = sink;
        this.listener = listener;
        this.random = random;
        random.nextBytes(cookieKey);
        int tag;
        do {
            tag = random.nextInt();
        } while (tag == 0); // 0 is reserved for INIT packets (§5.3.1)
        this.myTag = tag;
        this.myInitialTsn = random.nextInt();
        this.nextTsn = myInitialTsn & 0xFFFFFFFFL;
        this.resets = new StreamResets(new ResetHost(), counters, cfg.mtu, myInitialTsn);
        this.timers = new Timer[] {t1Init, t1Cookie, t2Shutdown, t3Rtx, delayedAck, heartbeat, resets.timer};
        this.rtx = new RetransmissionQueue(nextTsn, counters, () -> nextTsn++);
        this.reassembly = new ReassemblyQueue(cfg.maxMessageSize);
        this.cc = new CongestionControl(cfg.mtu, cfg.receiveBufferBytes);
        this.rto = new RtoEstimator(cfg.rtoInitialNanos, cfg.rtoMinNanos, cfg.rtoMaxNanos);
        this.outboundStreams = cfg.maxOutboundStreams;
        this.inboundStreams = cfg.maxInboundStreams;
    }

    // ------------------------------------------------------------------------------------------ API

    /**
     * The latest time passed to any call: what a listener uses to call back in from an event (events
     * carry no time of their own).
     */
    public long now() {
        return lastNow;
    }

    public State state() {
        return state;
    }

    public boolean isEstablished() {
        return state == State.ESTABLISHED;
    }

    public boolean isClosed() {
        return terminated;
    }

    public CloseReason closeReason() {
        return closeReason;
    }

    public SctpCounters counters() {
        return counters;
    }

    /** Outbound streams after negotiation (min of ours and the peer's MIS). */
    public int outboundStreams() {
        return outboundStreams;
    }

    public int inboundStreams() {
        return inboundStreams;
    }

    public boolean peerSupportsReconfig() {
        return peerReconfig;
    }

    public boolean peerSupportsForwardTsn() {
        return peerForwardTsn;
    }

    public long rtoNanos() {
        return rto.rto();
    }

    public long cwnd() {
        return cc.cwnd;
    }

    public long peerRwnd() {
        return peerRwnd;
    }

    public long flightBytes() {
        return rtx.flightBytes();
    }

    /** Bytes held for sending: queued plus sent-and-unacknowledged; bounded by max-send-queue-bytes. */
    public long heldBytes() {
        return sendQueue.queuedBytes() + rtx.outstandingBytes();
    }

    /** Bytes waiting to be sent on the stream (what RTCDataChannel.bufferedAmount reports). */
    public long bufferedAmount(int streamId) {
        SendQueue.Stream s = sendQueue.existing(streamId);
        return s == null ? 0 : s.queuedBytes;
    }

    public void setBufferedAmountLowThreshold(int streamId, long bytes) {
        sendQueue.stream(streamId).lowThreshold = bytes;
    }

    /** Bytes held in the reassembly queue (received, not yet delivered). */
    public long receiveBufferedBytes() {
        return reassembly.bufferedBytes();
    }

    /** Streams with outbound state (they were sent on). */
    public int outboundStreamStates() {
        return sendQueue.streamCount();
    }

    /** Streams with inbound reassembly state. */
    public int inboundStreamStates() {
        return reassembly.streamCount();
    }

    /** Starts the association as a client: sends INIT (RFC 9260 §5.1). WebRTC peers both do this. */
    public void connect(long now) {
        lastNow = Math.max(lastNow, now);
        if (terminated || state != State.CLOSED) {
            return;
        }
        state = State.COOKIE_WAIT;
        sendInit();
        t1Init.start(now, rto.rto());
        dispatch();
    }

    /**
     * Queues a message. The array is taken over (not copied): do not change it afterwards. Messages sent
     * before the association is up wait for it.
     */
    public SendResult send(int streamId, int ppid, byte[] data, SendOptions options, long now) {
        lastNow = Math.max(lastNow, now);
        if (terminated || state.compareTo(State.SHUTDOWN_PENDING) >= 0) {
            return SendResult.NOT_CONNECTED;
        }
        if (data.length == 0) {
            return SendResult.EMPTY_MESSAGE;
        }
        if (data.length > cfg.maxSendMessageSize()) {
            return SendResult.MESSAGE_TOO_LARGE;
        }
        if (streamId < 0 || streamId >= outboundStreams) {
            return SendResult.INVALID_STREAM;
        }
        SendQueue.Stream s = sendQueue.existing(streamId);
        if (s != null && s.resetting) {
            return SendResult.STREAM_RESETTING;
        }
        if (heldBytes() + data.length > cfg.maxSendQueueBytes) {
            counters.sendRefusedQueueFull++;
            return SendResult.QUEUE_FULL;
        }
        sendQueue.add(new OutboundMessage(streamId, ppid, data, options, now));
        counters.messagesSent++;
        flush(now);
        dispatch();
        return SendResult.OK;
    }

    /**
     * Resets outbound streams (RFC 6525 §5.1.2), what closing a data channel does. Each stream stops taking
     * messages now; the request goes out once what was queued on it has been given TSNs. Returns false if
     * the peer did not announce RE-CONFIG or the association is not up.
     */
    public boolean resetStreams(int[] streamIds, long now) {
        lastNow = Math.max(lastNow, now);
        if (terminated || state != State.ESTABLISHED || !peerReconfig) {
            return false;
        }
        for (int id : streamIds) {
            if (id < 0 || id >= outboundStreams) {
                continue;
            }
            resets.reset(id);
        }
        flush(now);
        dispatch();
        return true;
    }

    /** Graceful close (RFC 9260 §9.2): what was queued is still delivered, then SHUTDOWN. */
    public void shutdown(long now) {
        lastNow = Math.max(lastNow, now);
        if (terminated) {
            return;
        }
        if (state == State.ESTABLISHED) {
            state = State.SHUTDOWN_PENDING;
            flush(now);
        } else if (state.compareTo(State.ESTABLISHED) < 0) {
            terminate(CloseReason.SHUTDOWN, "shutdown before established");
        }
        dispatch();
    }

    /** Ends the association at once with ABORT (RFC 9260 §9.1), with a "User-Initiated Abort" cause. */
    public void abort(String reason, long now) {
        lastNow = Math.max(lastNow, now);
        if (terminated) {
            return;
        }
        sendAbort(ErrorCauseChunk.CAUSE_USER_INITIATED_ABORT, reason);
        terminate(CloseReason.ABORTED_LOCALLY, reason);
        dispatch();
    }

    /** When {@link #handleTimeout} should be called next, on the caller's clock; Long.MAX_VALUE if never. */
    public long nextTimeoutNanos() {
        long t = Long.MAX_VALUE;
        for (Timer timer : timers) {
            t = Math.min(t, timer.deadline());
        }
        return t;
    }

    public void handleTimeout(long now) {
        lastNow = Math.max(lastNow, now);
        if (terminated) {
            return;
        }
        if (t1Init.fire(now)) {
            onT1Init(now);
        }
        if (t1Cookie.fire(now)) {
            onT1Cookie(now);
        }
        if (!terminated && t3Rtx.fire(now)) {
            onT3(now);
        }
        if (!terminated && t2Shutdown.fire(now)) {
            onT2(now);
        }
        if (!terminated && delayedAck.fire(now)) {
            sackNow = true;
        }
        if (!terminated && heartbeat.fire(now)) {
            onHeartbeatTimer(now);
        }
        if (!terminated && resets.timer.fire(now)) {
            resets.onTimer(now);
        }
        flush(now);
        dispatch();
    }

    /** One inbound SCTP packet (the DTLS application data). */
    public void receive(byte[] b, int off, int len, long now) {
        if (off < 0 || len < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException("off " + off + " len " + len + " of " + b.length);
        }
        lastNow = Math.max(lastNow, now);
        counters.packetsReceived++;
        if (terminated) {
            counters.drop(DropReason.CLOSED);
            answerAfterClose(b, off, len);
            return;
        }
        if (len < SctpPacket.COMMON_HEADER) {
            counters.drop(DropReason.TOO_SHORT);
            return;
        }
        if (SctpPacket.storedChecksum(b, off) != SctpPacket.checksum(b, off, len)) {
            counters.drop(DropReason.BAD_CHECKSUM);
            return;
        }
        SctpPacket p = SctpPacket.parse(b, off, len);
        if (p.sourcePort != cfg.remotePort || p.destinationPort != cfg.localPort) {
            counters.drop(DropReason.BAD_PORT);
            return;
        }
        if (p.stoppedBy == DropReason.TRUNCATED_CHUNK || p.stoppedBy == DropReason.MALFORMED_CHUNK) {
            counters.drop(p.stoppedBy);
            return;
        }
        for (int i = 0; i < p.unknownChunks; i++) {
            counters.drop(DropReason.UNKNOWN_CHUNK);
        }
        if (!p.chunks.isEmpty() && acceptTag(p)) {
            boolean data = false;
            for (Chunk c : p.chunks) {
                if (terminated) {
                    break;
                }
                // Only DATA that the state takes counts (before the handshake there is no TSN tracking).
                data |= c instanceof DataChunk && acceptsData();
                handleChunk(c, p, now);
            }
            if (data && !terminated && tracker != null) {
                afterData(now);
            }
        }
        if (!terminated && peerKnown && !p.toReport.isEmpty() && p.verificationTag == myTag) {
            reportUnrecognized(p.toReport);
        }
        flush(now);
        dispatch();
    }

    /**
     * After a graceful close, a SHUTDOWN ACK means our SHUTDOWN COMPLETE was lost: answer it again, with the
     * T bit and the packet's own tag, as §8.4 item 5 says for SHUTDOWN ACK without an association; otherwise
     * the peer would retransmit until it gives up and report a failure instead of a clean close.
     */
    private void answerAfterClose(byte[] b, int off, int len) {
        if (closeReason != CloseReason.SHUTDOWN || len < SctpPacket.COMMON_HEADER + Chunk.HEADER
                || SctpPacket.storedChecksum(b, off) != SctpPacket.checksum(b, off, len)
                || (b[off + SctpPacket.COMMON_HEADER] & 0xFF) != ChunkType.SHUTDOWN_ACK) {
            return;
        }
        sendPacket(SctpPacket.verificationTag(b, off), EmptyChunk.shutdownComplete(true));
    }

    // ------------------------------------------------------------------------- inbound: tags and chunks

    /** Verification tag rules (RFC 9260 §8.5, §8.5.1). */
    private boolean acceptTag(SctpPacket p) {
        Chunk first = p.chunks.get(0);
        if (first.type() == ChunkType.INIT) {
            if (p.chunks.size() != 1 || p.verificationTag != 0) {
                counters.drop(DropReason.INIT_NOT_ALONE);
                return false;
            }
            return true;
        }
        if (p.verificationTag == myTag) {
            return true;
        }
        boolean reflected = (first instanceof ErrorCauseChunk e && e.abort && e.tBit)
                || (first instanceof EmptyChunk s && s.type() == ChunkType.SHUTDOWN_COMPLETE && s.tBit);
        if (reflected && peerKnown && p.verificationTag == peerTag) {
            return true;
        }
        counters.drop(DropReason.BAD_VERIFICATION_TAG);
        return false;
    }

    private void handleChunk(Chunk c, SctpPacket p, long now) {
        switch (c.type()) {
            case ChunkType.DATA -> onData((DataChunk) c);
            case ChunkType.SACK -> onSack((SackChunk) c, now);
            case ChunkType.INIT -> {
                // §8.5.1: an INIT is alone in its packet, with tag 0 (acceptTag checked this for a first INIT).
                if (p.chunks.size() == 1 && p.verificationTag == 0) {
                    onInit((InitChunk) c, now);
                } else {
                    counters.drop(DropReason.INIT_NOT_ALONE);
                }
            }
            case ChunkType.INIT_ACK -> onInitAck((InitChunk) c, now);
            case ChunkType.COOKIE_ECHO -> onCookieEcho((CookieEchoChunk) c, now);
            case ChunkType.COOKIE_ACK -> onCookieAck(now);
            case ChunkType.HEARTBEAT -> onHeartbeat((HeartbeatChunk) c);
            case ChunkType.HEARTBEAT_ACK -> onHeartbeatAck((HeartbeatChunk) c, now);
            case ChunkType.ABORT -> terminate(CloseReason.ABORTED_BY_PEER, ((ErrorCauseChunk) c).describe());
            case ChunkType.ERROR -> onError((ErrorCauseChunk) c, now);
            case ChunkType.SHUTDOWN -> onShutdown((ShutdownChunk) c, now);
            case ChunkType.SHUTDOWN_ACK -> onShutdownAck();
            case ChunkType.SHUTDOWN_COMPLETE -> onShutdownComplete();
            case ChunkType.FORWARD_TSN -> onForwardTsn((ForwardTsnChunk) c);
            case ChunkType.RE_CONFIG -> onReconfig((ReConfigChunk) c, now);
            default -> counters.drop(DropReason.UNKNOWN_CHUNK);
        }
    }

    private boolean acceptsData() {
        return state == State.ESTABLISHED || state == State.SHUTDOWN_PENDING || state == State.SHUTDOWN_SENT;
    }

    private boolean sending() {
        return state == State.ESTABLISHED || state == State.SHUTDOWN_PENDING || state == State.SHUTDOWN_RECEIVED;
    }

    // ------------------------------------------------------------------------------------ handshake

    private InitChunk ourInit(boolean ack, byte[] cookie) {
        return new InitChunk(ack, myTag, cfg.receiveBufferBytes, cfg.maxOutboundStreams, cfg.maxInboundStreams,
                myInitialTsn, cookie, new int[] {ChunkType.RE_CONFIG, ChunkType.FORWARD_TSN}, true);
    }

    private void sendInit() {
        sendPacket(0, ourInit(false, null));
    }

    private void onT1Init(long now) {
        if (t1Init.expirations > cfg.maxInitRetransmissions) {
            terminate(CloseReason.FAILED, "INIT not answered after " + cfg.maxInitRetransmissions + " retransmissions");
            return;
        }
        rto.backOff();
        sendInit();
        t1Init.start(now, rto.rto());
    }

    private void onT1Cookie(long now) {
        if (t1Cookie.expirations > cfg.maxInitRetransmissions) {
            terminate(CloseReason.FAILED, "COOKIE ECHO not answered");
            return;
        }
        rto.backOff();
        control.add(new CookieEchoChunk(cookieToEcho));
        t1Cookie.start(now, rto.rto());
    }

    /**
     * INIT: answered with an INIT-ACK carrying a signed cookie and no state kept (§5.1.3). During our own
     * INIT (simultaneous open, §5.2.1) the INIT-ACK carries the tag and TSN of our INIT. Once established a
     * new INIT would be a peer restart, which this stack does not support: it is dropped.
     */
    private void onInit(InitChunk init, long now) {
        if (init.initiateTag == 0 || init.outboundStreams == 0 || init.inboundStreams == 0) {
            counters.drop(DropReason.MALFORMED_CHUNK);
            return;
        }
        if (state.compareTo(State.COOKIE_ECHOED) > 0) {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
            return;
        }
        byte[] cookie = new StateCookie(now, init, myTag, myInitialTsn).sign(cookieKey);
        sendPacket(init.initiateTag, ourInit(true, cookie));
    }

    private void onInitAck(InitChunk ack, long now) {
        if (state != State.COOKIE_WAIT) {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
            return;
        }
        if (ack.stateCookie == null || ack.initiateTag == 0 || ack.outboundStreams == 0 || ack.inboundStreams == 0) {
            counters.drop(DropReason.MALFORMED_CHUNK);
            return;
        }
        adoptPeer(ack.initiateTag, ack.initialTsn, ack.aRwnd, ack.outboundStreams, ack.inboundStreams,
                ack.supports(ChunkType.FORWARD_TSN), ack.supports(ChunkType.RE_CONFIG));
        t1Init.stop();
        cookieToEcho = ack.stateCookie;
        control.add(new CookieEchoChunk(cookieToEcho));
        state = State.COOKIE_ECHOED;
        t1Cookie.start(now, rto.rto());
    }

    private void adoptPeer(int tag, int initialTsn, long rwnd, int peerOs, int peerMis, boolean fwd, boolean reconfig) {
        peerKnown = true;
        peerTag = tag;
        peerRwnd = rwnd;
        outboundStreams = Math.min(cfg.maxOutboundStreams, peerMis);
        inboundStreams = Math.min(cfg.maxInboundStreams, peerOs);
        peerForwardTsn = fwd;
        peerReconfig = reconfig;
        rtx.partialReliability = fwd;
        tracker = new DataTracker(initialTsn & 0xFFFFFFFFL, cfg.maxGapRanges, cfg.maxTsnWindow, cfg.maxDuplicateTsns);
        resets.peerInitialTsn(initialTsn);
        cc.setInitialSsthresh(rwnd);
    }

    /** COOKIE ECHO (§5.1.5) and the collision cases of §5.2.4 that matter with fixed tags. */
    private void onCookieEcho(CookieEchoChunk echo, long now) {
        StateCookie c = StateCookie.verify(cookieKey, echo.cookie);
        if (c == null || c.localTag != myTag || c.localInitialTsn != myInitialTsn) {
            counters.drop(DropReason.BAD_COOKIE);
            return;
        }
        long age = now - c.createdAt;
        if (age < 0 || age > cfg.cookieLifetimeNanos) {
            counters.drop(DropReason.STALE_COOKIE);
            if (state.compareTo(State.ESTABLISHED) < 0) {
                // §5.1.5 step 3: tell the peer, with how stale it was (microseconds), so it starts again.
                long staleness = Math.max(0, (age - cfg.cookieLifetimeNanos) / 1000);
                byte[] info = new byte[4];
                for (int i = 0; i < 4; i++) {
                    info[i] = (byte) (Math.min(staleness, 0xFFFFFFFFL) >>> (24 - 8 * i));
                }
                sendPacket(c.peerTag, new ErrorCauseChunk(false, false,
                        ErrorCauseChunk.cause(ErrorCauseChunk.CAUSE_STALE_COOKIE, info)));
            }
            return;
        }
        switch (state) {
            case CLOSED, COOKIE_WAIT, COOKIE_ECHOED -> {
                if (!peerKnown || c.peerTag != peerTag) {
                    adoptPeer(c.peerTag, c.peerInitialTsn, c.peerRwnd, c.peerOutboundStreams, c.peerInboundStreams,
                            c.peerForwardTsn, c.peerReconfig);
                }
                control.add(EmptyChunk.cookieAck());
                established(now);
            }
            default -> {
                if (c.peerTag == peerTag) {
                    control.add(EmptyChunk.cookieAck()); // case D: our COOKIE ACK was lost
                } else {
                    counters.drop(DropReason.RESTART_UNSUPPORTED);
                }
            }
        }
    }

    /** ERROR: counted; a Stale Cookie while we echo one means our cookie aged out: start again with INIT. */
    private void onError(ErrorCauseChunk e, long now) {
        counters.errorsReceived++;
        if (state == State.COOKIE_ECHOED && e.firstCauseCode() == ErrorCauseChunk.CAUSE_STALE_COOKIE) {
            t1Cookie.stop();
            cookieToEcho = null;
            state = State.COOKIE_WAIT;
            sendInit();
            t1Init.start(now, rto.rto());
        }
    }

    private void onCookieAck(long now) {
        if (state == State.COOKIE_ECHOED) {
            established(now);
        }
    }

    private void established(long now) {
        state = State.ESTABLISHED;
        t1Init.stop();
        t1Cookie.stop();
        cookieToEcho = null;
        heartbeat.start(now, cfg.heartbeatIntervalNanos);
        events.add(listener::onConnected);
    }

    // ----------------------------------------------------------------------------------- receiving data

    private void onData(DataChunk c) {
        if (!acceptsData()) {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
            return;
        }
        counters.dataChunksReceived++;
        if (c.immediate) {
            sackNow = true;
        }
        long tsn = tracker.unwrap(c.tsn);
        switch (tracker.classify(tsn)) {
            case DUPLICATE -> {
                counters.drop(DropReason.DUPLICATE_TSN);
                tracker.addDuplicate(c.tsn);
                sackNow = true; // §6.7: a duplicate means our SACK was lost
                return;
            }
            case OUT_OF_WINDOW -> {
                counters.drop(DropReason.OUT_OF_WINDOW_TSN);
                return;
            }
            case TOO_MANY_GAPS -> {
                counters.drop(DropReason.TOO_MANY_GAPS);
                sackNow = true;
                return;
            }
            default -> {}
        }
        if (c.streamId >= inboundStreams) {
            // §6.8.. §3.3.10.1: acknowledge the TSN, report the invalid stream, do not deliver.
            counters.drop(DropReason.INVALID_STREAM);
            tracker.record(tsn);
            byte[] info = new byte[4];
            info[0] = (byte) (c.streamId >>> 8);
            info[1] = (byte) c.streamId;
            control.add(new ErrorCauseChunk(false, false,
                    ErrorCauseChunk.cause(ErrorCauseChunk.CAUSE_INVALID_STREAM, info)));
            return;
        }
        long held = reassembly.bufferedBytes();
        long limit = cfg.receiveBufferBytes;
        // The next expected TSN is taken even over the buffer, by up to one max-size message: it may be what
        // completes the messages filling the buffer (or a message larger than the buffer), and refusing it
        // could stall the association.
        boolean next = tsn == tracker.cumTsn() + 1;
        if (held + c.payload.length > limit
                && !(next && held + c.payload.length <= limit + (long) cfg.maxMessageSize)) {
            counters.drop(DropReason.RECEIVE_BUFFER_FULL);
            sackNow = true;
            return;
        }
        tracker.record(tsn);
        if (!reassembly.add(c, tsn, this::deliver)) {
            protocolViolation("message larger than max-message-size " + cfg.maxMessageSize);
        }
    }

    private void deliver(int streamId, int ppid, byte[] data) {
        counters.messagesReceived++;
        events.add(() -> listener.onMessage(streamId, ppid, data));
    }

    /** After a packet with DATA: SACK at once on gaps, else every second packet, else after the delay (§6.2). */
    private void afterData(long now) {
        resets.onCumulativeTsnMoved();
        if (tracker.hasGaps()) {
            sackNow = true;
        }
        if (!sackNow && ++dataPacketsSinceSack >= 2) {
            sackNow = true;
        }
        if (!sackNow && !delayedAck.running()) {
            delayedAck.start(now, cfg.delayedAckNanos);
        }
    }

    private void onForwardTsn(ForwardTsnChunk f) {
        if (!acceptsData()) {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
            return;
        }
        counters.forwardTsnsReceived++;
        long newCum = tracker.unwrap(f.newCumulativeTsn);
        if (newCum - tracker.cumTsn() > cfg.maxTsnWindow) {
            counters.drop(DropReason.OUT_OF_WINDOW_TSN);
            return;
        }
        sackNow = true; // RFC 3758 §3.6: answer with a SACK
        if (newCum <= tracker.cumTsn()) {
            return;
        }
        tracker.forwardTo(newCum);
        // Entries for streams outside the negotiated ones are ignored: they cannot carry data, and would
        // otherwise make state for streams never used.
        int valid = 0;
        for (int sid : f.streamIds) {
            if (sid < inboundStreams) {
                valid++;
            }
        }
        int[] sids = f.streamIds;
        int[] ssns = f.ssns;
        if (valid < sids.length) {
            sids = new int[valid];
            ssns = new int[valid];
            for (int i = 0, j = 0; i < f.streamIds.length; i++) {
                if (f.streamIds[i] < inboundStreams) {
                    sids[j] = f.streamIds[i];
                    ssns[j++] = f.ssns[i];
                }
            }
        }
        reassembly.forward(newCum, sids, ssns, this::deliver);
        resets.onCumulativeTsnMoved();
    }

    // ------------------------------------------------------------------------------------- sending data

    private void onSack(SackChunk sack, long now) {
        if (!(sending() || state == State.SHUTDOWN_SENT)) {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
            return;
        }
        counters.sacksReceived++;
        RetransmissionQueue.AckResult r = rtx.onSack(sack, nextTsn - 1, now);
        if (!r.valid) {
            counters.drop(r.stale ? DropReason.STALE_SACK : DropReason.BAD_SACK);
            return;
        }
        if (r.rttSample >= 0) {
            rto.measure(r.rttSample);
        }
        peerRwnd = Math.max(0, sack.aRwnd - rtx.flightBytes());
        if (r.cumAdvanced) {
            errorCount = 0;
            // The peer is alive: a heartbeat still unanswered must not count against it later.
            heartbeatOutstanding = false;
            cc.onCumulativeAck(r.bytesAcked, r.flightBefore, rtx.cumAckPoint());
        }
        if (r.fastRetransmitMarked) {
            cc.onFastRetransmit(rtx.highestTsn());
            fastRetransmitPending = true;
        }
        if (rtx.isEmpty()) {
            t3Rtx.stop();
            cc.onAllAcked();
        } else if (r.cumAdvanced) {
            t3Rtx.start(now, rto.rto()); // §6.3.2 R3: restart on an ack of the earliest outstanding
        }
        if (peerForwardTsn && rtx.advancedPeerAckPoint(new TreeMap<>(), maxForwardTsnStreams()) > rtx.cumAckPoint()) {
            forwardTsnNeeded = true; // RFC 3758 §3.5 C2/C3: (re)send while the peer lags
        }
    }

    private void onT3(long now) {
        counters.t3Expirations++;
        if (++errorCount > cfg.maxRetransmissions) {
            fail("data not acknowledged after " + cfg.maxRetransmissions + " retransmissions");
            return;
        }
        rto.backOff();
        cc.onRetransmissionTimeout();
        rtx.onRetransmissionTimeout(now);
        fastRetransmitPending = false;
        if (peerForwardTsn && rtx.advancedPeerAckPoint(new TreeMap<>(), maxForwardTsnStreams()) > rtx.cumAckPoint()) {
            forwardTsnNeeded = true;
        }
        if (!rtx.isEmpty()) {
            t3Rtx.start(now, rto.rto());
        }
    }

    // --------------------------------------------------------------------------- heartbeat, shutdown, abort

    private void onHeartbeatTimer(long now) {
        if (state != State.ESTABLISHED) {
            return;
        }
        if (rtx.isEmpty()) { // idle: T3 watches the path while data is outstanding
            if (heartbeatOutstanding) {
                if (++errorCount > cfg.maxRetransmissions) {
                    fail("heartbeats not answered");
                    return;
                }
                rto.backOff();
            }
            heartbeatNonce = random.nextLong();
            byte[] info = new byte[16];
            for (int i = 0; i < 8; i++) {
                info[i] = (byte) (now >>> (56 - 8 * i));
                info[8 + i] = (byte) (heartbeatNonce >>> (56 - 8 * i));
            }
            control.add(new HeartbeatChunk(false, info));
            heartbeatOutstanding = true;
            counters.heartbeatsSent++;
        }
        heartbeat.start(now, cfg.heartbeatIntervalNanos + rto.rto());
    }

    private void onHeartbeat(HeartbeatChunk hb) {
        if (!peerKnown || state.compareTo(State.COOKIE_ECHOED) < 0) {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
            return;
        }
        control.add(new HeartbeatChunk(true, hb.info));
    }

    private void onHeartbeatAck(HeartbeatChunk ack, long now) {
        if (!heartbeatOutstanding || ack.info.length != 16) {
            counters.drop(DropReason.BAD_HEARTBEAT_ACK);
            return;
        }
        long sent = 0;
        long nonce = 0;
        for (int i = 0; i < 8; i++) {
            sent = (sent << 8) | (ack.info[i] & 0xFF);
            nonce = (nonce << 8) | (ack.info[8 + i] & 0xFF);
        }
        if (nonce != heartbeatNonce) {
            counters.drop(DropReason.BAD_HEARTBEAT_ACK);
            return;
        }
        heartbeatOutstanding = false;
        counters.heartbeatAcksReceived++;
        errorCount = 0;
        rto.measure(now - sent);
    }

    private void onShutdown(ShutdownChunk s, long now) {
        switch (state) {
            case ESTABLISHED, SHUTDOWN_PENDING, SHUTDOWN_RECEIVED -> {
                // The cumulative ack in SHUTDOWN acknowledges like a SACK without gaps (§9.2).
                onSack(new SackChunk(s.cumulativeTsnAck, peerRwnd + rtx.flightBytes(), new int[0], new int[0],
                        new int[0]), now);
                state = State.SHUTDOWN_RECEIVED;
            }
            case SHUTDOWN_SENT -> {
                // Both sides shut down at once: answer with SHUTDOWN ACK (§9.2).
                control.add(EmptyChunk.shutdownAck());
                state = State.SHUTDOWN_ACK_SENT;
                t2Shutdown.start(now, rto.rto());
            }
            default -> counters.drop(DropReason.UNEXPECTED_IN_STATE);
        }
    }

    private void onShutdownAck() {
        if (state == State.SHUTDOWN_SENT || state == State.SHUTDOWN_ACK_SENT) {
            sendPacket(peerTag, EmptyChunk.shutdownComplete(false));
            terminate(CloseReason.SHUTDOWN, "shutdown complete");
        } else {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
        }
    }

    private void onShutdownComplete() {
        if (state == State.SHUTDOWN_ACK_SENT) {
            terminate(CloseReason.SHUTDOWN, "shutdown complete");
        } else {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
        }
    }

    private void onT2(long now) {
        if (++errorCount > cfg.maxRetransmissions) {
            fail("shutdown not acknowledged");
            return;
        }
        rto.backOff();
        if (state == State.SHUTDOWN_SENT) {
            control.add(new ShutdownChunk((int) tracker.cumTsn()));
        } else if (state == State.SHUTDOWN_ACK_SENT) {
            control.add(EmptyChunk.shutdownAck());
        } else {
            return;
        }
        t2Shutdown.start(now, rto.rto());
    }

    /** SHUTDOWN-PENDING / SHUTDOWN-RECEIVED move on once everything sent is acknowledged (§9.2). */
    private void progressShutdown(long now) {
        if (!sendQueue.isEmpty() || !rtx.isEmpty()) {
            return;
        }
        if (state == State.SHUTDOWN_PENDING) {
            control.add(new ShutdownChunk((int) tracker.cumTsn()));
            state = State.SHUTDOWN_SENT;
            t2Shutdown.start(now, rto.rto());
            t3Rtx.stop();
            heartbeat.stop();
        } else if (state == State.SHUTDOWN_RECEIVED) {
            control.add(EmptyChunk.shutdownAck());
            state = State.SHUTDOWN_ACK_SENT;
            t2Shutdown.start(now, rto.rto());
            t3Rtx.stop();
            heartbeat.stop();
        }
    }

    private void fail(String detail) {
        sendAbort(ErrorCauseChunk.CAUSE_USER_INITIATED_ABORT, detail);
        terminate(CloseReason.FAILED, detail);
    }

    private void protocolViolation(String detail) {
        sendAbort(ErrorCauseChunk.CAUSE_PROTOCOL_VIOLATION, detail);
        terminate(CloseReason.PROTOCOL_VIOLATION, detail);
    }

    private void sendAbort(int cause, String detail) {
        if (peerKnown) {
            String d = detail.length() > 200 ? detail.substring(0, 200) : detail;
            sendPacket(peerTag, ErrorCauseChunk.abort(cause, d));
        }
    }

    private void terminate(CloseReason reason, String detail) {
        if (terminated) {
            return;
        }
        terminated = true;
        closeReason = reason;
        state = State.CLOSED;
        for (Timer t : timers) {
            t.stop();
        }
        sendQueue.clear();
        rtx.clear();
        control.clear();
        events.add(() -> listener.onClosed(reason, detail));
    }

    private void reportUnrecognized(List<UnknownChunk> chunks) {
        for (UnknownChunk u : chunks) {
            byte[] whole = u.toBytes();
            if (whole.length <= cfg.mtu - 64) {
                control.add(new ErrorCauseChunk(false, false,
                        ErrorCauseChunk.cause(ErrorCauseChunk.CAUSE_UNRECOGNIZED_CHUNK, whole)));
            }
        }
    }

    // --------------------------------------------------------------------------------- RE-CONFIG (6525)

    private void onReconfig(ReConfigChunk rc, long now) {
        if (!peerKnown || state.compareTo(State.ESTABLISHED) < 0) {
            counters.drop(DropReason.UNEXPECTED_IN_STATE);
            return;
        }
        resets.onChunk(rc, now);
    }

    /** The association as {@link StreamResets} sees it. */
    private final class ResetHost implements StreamResets.Host {
        @Override
        public long cumTsn() {
            return tracker.cumTsn();
        }

        @Override
        public long unwrapPeerTsn(int tsn) {
            return tracker.unwrap(tsn);
        }

        @Override
        public long lastAssignedTsn() {
            return nextTsn - 1;
        }

        @Override
        public boolean hasQueued(int streamId) {
            return sendQueue.hasQueued(streamId);
        }

        @Override
        public void markResetting(int streamId) {
            sendQueue.stream(streamId).resetting = true;
        }

        @Override
        public int outboundStreams() {
            return outboundStreams;
        }

        @Override
        public void incomingReset(int[] streamIds) {
            reassembly.reset(streamIds);
            events.add(() -> listener.onIncomingStreamsReset(streamIds));
        }

        @Override
        public void outgoingResetAnswered(int[] streamIds, boolean performed) {
            for (int id : streamIds) {
                if (performed) {
                    sendQueue.resetSsn(id);
                }
                sendQueue.stream(id).resetting = false;
            }
            if (performed) {
                events.add(() -> listener.onOutgoingStreamsReset(streamIds));
            }
        }

        @Override
        public void send(Chunk chunk) {
            control.add(chunk);
        }

        @Override
        public long rto() {
            return rto.rto();
        }

        @Override
        public void backOffRto() {
            rto.backOff();
        }
    }

    // ------------------------------------------------------------------------------------ packet output

    private SctpPacket.Builder packet;

    private void sendPacket(int tag, Chunk c) {
        SctpPacket.Builder b = new SctpPacket.Builder(cfg.mtu, cfg.localPort, cfg.remotePort, tag);
        if (b.add(c)) {
            emit(b);
        }
    }

    private void emit(SctpPacket.Builder b) {
        counters.packetsSent++;
        sink.send(b.build());
    }

    /** Adds a chunk to the packet being built, starting a new one when it is full. */
    private void add(Chunk c) {
        int size = (c.length() + 3) & ~3;
        if (size > cfg.mtu - SctpPacket.COMMON_HEADER) {
            return; // cannot be sent in one packet (e.g. echoing a huge heartbeat info): dropped
        }
        if (packet != null && packet.remaining() < size) {
            emit(packet);
            packet = null;
        }
        if (packet == null) {
            packet = new SctpPacket.Builder(cfg.mtu, cfg.localPort, cfg.remotePort, peerTag);
        }
        packet.add(c);
    }

    private int roomFor(int payload) {
        return DATA_CHUNK_OVERHEAD + ((payload + 3) & ~3);
    }

    /**
     * Builds and sends what is due: control chunks, a SACK, a FORWARD TSN, retransmissions and new DATA as the
     * congestion window (§7.2) and the peer's receive window (§6.1) allow, bundled into packets up to the MTU.
     */
    private void flush(long now) {
        if (terminated || !peerKnown) {
            return;
        }
        if (state == State.ESTABLISHED) {
            resets.maybeRequest(now);
        }
        if (state == State.SHUTDOWN_PENDING || state == State.SHUTDOWN_RECEIVED) {
            progressShutdown(now);
        }
        // A delayed SACK rides along with anything else going out now (§6.2: bundle SACKs with outbound data).
        if (delayedAck.running() && (!control.isEmpty() || (sending() && !sendQueue.isEmpty()
                && rtx.flightBytes() < cc.cwnd))) {
            sackNow = true;
        }
        for (Chunk c : control) {
            add(c);
        }
        control.clear();
        if (sackNow && tracker != null) {
            int maxBlocks = (cfg.mtu - SctpPacket.COMMON_HEADER - 16 - 4 * cfg.maxDuplicateTsns) / 4;
            add(tracker.createSack(Math.max(0, cfg.receiveBufferBytes - reassembly.bufferedBytes()), maxBlocks));
            counters.sacksSent++;
            sackNow = false;
            dataPacketsSinceSack = 0;
            delayedAck.stop();
        }
        if (sending()) {
            sendData(now);
        }
        if (rtx.takeNewlyAbandoned()) {
            forwardTsnNeeded = true;
        }
        if (sending() || state == State.SHUTDOWN_SENT || state == State.SHUTDOWN_ACK_SENT) {
            sendForwardTsn();
        }
        if (packet != null) {
            emit(packet);
            packet = null;
        }
        if (!rtx.isEmpty() && !t3Rtx.running()) { // also for abandoned chunks: a lost FORWARD TSN is resent on T3
            t3Rtx.start(now, rto.rto());
        }
        if (state == State.SHUTDOWN_PENDING || state == State.SHUTDOWN_RECEIVED) {
            // Everything may have been acknowledged by what was just handled.
            if (sendQueue.isEmpty() && rtx.isEmpty()) {
                progressShutdown(now);
                for (Chunk c : control) {
                    add(c);
                }
                control.clear();
                if (packet != null) {
                    emit(packet);
                    packet = null;
                }
            }
        }
    }

    /** Stream entries that fit a FORWARD TSN in one packet (4 bytes each after the 8-byte chunk start). */
    private int maxForwardTsnStreams() {
        return (cfg.mtu - SctpPacket.COMMON_HEADER - 8) / 4;
    }

    private void sendForwardTsn() {
        if (!forwardTsnNeeded || !peerForwardTsn) {
            return;
        }
        forwardTsnNeeded = false;
        Map<Integer, Integer> ordered = new TreeMap<>();
        long point = rtx.advancedPeerAckPoint(ordered, maxForwardTsnStreams());
        if (point <= rtx.cumAckPoint()) {
            return;
        }
        int[] sids = new int[ordered.size()];
        int[] ssns = new int[ordered.size()];
        int i = 0;
        for (Map.Entry<Integer, Integer> e : ordered.entrySet()) {
            sids[i] = e.getKey();
            ssns[i++] = e.getValue();
        }
        add(new ForwardTsnChunk((int) point, sids, ssns));
        counters.forwardTsnsSent++;
    }

    private void sendData(long now) {
        int maxPayload = cfg.mtu - SctpPacket.COMMON_HEADER - DATA_CHUNK_OVERHEAD;
        // Fast retransmit (§7.2.4): one packet's worth of the marked chunks goes out whatever cwnd says.
        if (fastRetransmitPending) {
            fastRetransmitPending = false;
            int budget = maxPayload;
            RetransmissionQueue.Sent s;
            while ((s = rtx.nextToRetransmit(now, true)) != null && s.size() <= budget) {
                budget -= s.size();
                add(s.chunk);
                rtx.retransmitted(s, now);
            }
            if (s != null && budget == maxPayload) {
                add(s.chunk); // one chunk always goes
                rtx.retransmitted(s, now);
            }
        }
        RetransmissionQueue.Sent s;
        while (rtx.flightBytes() < cc.cwnd && (s = rtx.nextToRetransmit(now, false)) != null) {
            add(s.chunk);
            rtx.retransmitted(s, now);
        }
        if (rtx.hasMarked() && rtx.flightBytes() >= cc.cwnd) {
            return; // retransmissions first (§6.1 C)
        }
        while (rtx.flightBytes() < cc.cwnd && !sendQueue.isEmpty()) {
            int size = sendQueue.peekSize(maxPayload);
            // §6.1 A: respect the peer's window, but one chunk may probe a zero window when nothing is in flight.
            if (size > peerRwnd && rtx.flightBytes() > 0) {
                break;
            }
            if (packet != null && packet.remaining() < roomFor(size)) {
                emit(packet);
                packet = null;
            }
            DataChunk c = sendQueue.next(maxPayload, nextTsn, now, this::onDrained, m -> counters.abandonedMessages++);
            if (c == null) {
                break;
            }
            rtx.add(nextTsn, c, sendQueue.lastMessage, now);
            nextTsn++;
            peerRwnd = Math.max(0, peerRwnd - c.payload.length);
            counters.dataChunksSent++;
            add(c);
        }
    }

    private void onDrained(int streamId, long before, long after, long threshold) {
        if (before > threshold && after <= threshold) {
            events.add(() -> listener.onBufferedAmountLow(streamId));
        }
    }

    /** Runs queued events; a listener calling back in adds events that the outer loop then runs. */
    private void dispatch() {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            Runnable r;
            while ((r = events.poll()) != null) {
                r.run();
            }
        } finally {
            dispatching = false;
        }
    }

    @Override
    public String toString() {
        return "SctpAssociation{" + state + ", tag=" + Integer.toHexString(myTag) + ", peer="
                + Integer.toHexString(peerTag) + ", cwnd=" + cc.cwnd + ", flight=" + rtx.flightBytes() + ", rto="
                + rto.rto() / 1_000_000 + "ms}";
    }
}
