package dev.sfu.core.transport;

import dev.sfu.core.sdp.DtlsSetup;
import dev.sfu.core.sdp.TransportParameters;
import dev.sfu.dtls.DtlsCertificate;
import dev.sfu.dtls.DtlsRole;
import dev.sfu.dtls.DtlsTransport;
import dev.sfu.dtls.SrtpSession;
import dev.sfu.ice.IceTransport;
import dev.sfu.ice.PacketKind;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ICE + DTLS-SRTP session of an endpoint (BUNDLE, rtcp-mux): its {@code publish} or its
 * {@code subscribe} transport. Packets arrive on the media port's listener thread; DTLS goes straight to
 * the handshake, SRTP/SRTCP is handed to the conference's media thread, where it is decrypted in place
 * and given to the {@link MediaHandler}. Everything but {@link #onPacket} runs on the media thread.
 */
public final class Transport implements PacketSink, RtpSender {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    /** What the owner of a transport does with it. Called on the media thread. */
    public interface MediaHandler {
        /** A decrypted RTP packet that arrived at {@code receivedNanos}; the buffer is valid only during the call. */
        void onRtp(Transport transport, byte[] buffer, int offset, int length, long receivedNanos);

        /** A decrypted (compound) RTCP packet; the buffer is valid only during the call. */
        void onRtcp(Transport transport, byte[] buffer, int offset, int length);

        /** ICE and DTLS are up: SRTP flows from now on. */
        void onConnected(Transport transport);

        /** ICE failed (consent expired) or DTLS failed; the transport is closed. */
        void onFailed(Transport transport, String reason);

        /** A DTLS application-data record's content: an SCTP packet of the data channels (RFC 8261). */
        default void onApplicationData(Transport transport, byte[] data) {
        }
    }

    private final String name;
    private final IceTransport ice;
    private final DtlsCertificate certificate;
    private final Executor handshakeExecutor;
    private final MediaThread mediaThread;
    private final MediaHandler handler;
    private final TransportCounters counters;
    private final HandshakeQuota quota;
    private final String quotaScope;
    /** The peer's address on the pair ICE chose, for the handshake quota per address. */
    private volatile InetSocketAddress remoteAddress;
    private volatile DtlsTransport dtls;
    private volatile boolean iceConnected;
    /** DTLS datagrams in and out, and those sent before ICE had a pair: what a failed handshake is logged with. */
    private final java.util.concurrent.atomic.AtomicInteger dtlsReceived = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger dtlsSent = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger dtlsQueued = new java.util.concurrent.atomic.AtomicInteger();
    private int transportWideSequence;
    /** DTLS records that arrived before the remote description (a flight or two of a handshake). */
    private final java.util.Queue<byte[]> earlyDtls = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** DTLS records of ours written before ICE had a pair to send them on. */
    private final java.util.Queue<byte[]> earlyDtlsOut = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int MAX_EARLY_DTLS = 8;
    private volatile SrtpSession srtp;
    private boolean started;
    /** The ICE username fragment of the peer the current ICE session checks with. */
    private String remoteUfrag;
    private DtlsSetup localSetup = DtlsSetup.ACTPASS;
    private boolean closed;
    /** For the setup-time histograms: when the remote parameters came, when ICE connected (0 = not yet). */
    private volatile long startedNanos;
    private volatile long iceConnectedNanos;
    /** When the endpoint joined, until the first RTP packet is sent on this transport (-1 = not measured). */
    private long firstPacketOriginNanos = -1;

    public Transport(String name, IceTransport ice, DtlsCertificate certificate, Executor handshakeExecutor,
            MediaThread mediaThread, MediaHandler handler, TransportCounters counters) {
        this(name, ice, certificate, handshakeExecutor, mediaThread, handler, counters, null, null);
    }

    /**
     * @param quota handshake quotas to count this transport's handshake in, or null for none
     * @param quotaScope the conference the quota counts it for
     */
    public Transport(String name, IceTransport ice, DtlsCertificate certificate, Executor handshakeExecutor,
            MediaThread mediaThread, MediaHandler handler, TransportCounters counters, HandshakeQuota quota,
            String quotaScope) {
        this.name = name;
        this.quota = quota;
        this.quotaScope = quotaScope;
        this.ice = ice;
        this.certificate = certificate;
        this.handshakeExecutor = handshakeExecutor;
        this.mediaThread = mediaThread;
        this.handler = handler;
        this.counters = counters;
        ice.setPacketHandler(new dev.sfu.ice.PacketHandler() {
            @Override
            public void onPacket(byte[] buffer, int offset, int length) {
                onNetworkPacket(buffer, offset, length, null);
            }

            @Override
            public void onPooledPacket(byte[] buffer, int offset, int length, dev.sfu.ice.BufferRelease pool) {
                onNetworkPacket(buffer, offset, length, pool);
            }
        });
        ice.setListener(new IceTransport.Listener() {
            @Override
            public void onConnected(InetSocketAddress remote) {
                LOG.debug("{}: ICE connected to {}", name, remote);
                remoteAddress = remote;
                long now = System.nanoTime();
                if (iceConnectedNanos == 0 && startedNanos != 0) {
                    counters.iceSetup(now - startedNanos);
                }
                iceConnectedNanos = now;
                iceConnected = true;
                flushEarlyDtlsOut();
                DtlsTransport d = dtls;
                if (d != null) {
                    d.start();
                }
            }

            @Override
            public void onFailed(String reason) {
                counters.iceFailures().increment();
                mediaThread.execute(() -> fail("ICE: " + reason));
            }
        });
    }

    public String name() {
        return name;
    }

    /** Our ICE credentials, fingerprint and candidates, with the given {@code setup} role. */
    public TransportParameters localParameters(DtlsSetup setup) {
        localSetup = setup;
        return new TransportParameters(ice.localUfrag(), ice.localPassword(), certificate.fingerprintAlgorithm(),
                certificate.fingerprintSha256(), setup, ice.localCandidates());
    }

    /**
     * Starts ICE and DTLS toward the remote side described by its SDP. The DTLS role follows our and the
     * remote {@code a=setup} (the last {@link #localParameters} call tells ours). Only the first call counts: later offers and answers renegotiate media, not the
     * transport.
     */
    public void start(TransportParameters remote) {
        if (closed) {
            return;
        }
        if (started) {
            if (iceRestarted(remote)) {
                // After our own restart(): the peer's new credentials start the new ICE session.
                remoteUfrag = remote.iceUfrag();
                for (String candidate : remote.candidates()) {
                    ice.addRemoteCandidate(candidate);
                }
                ice.start(remote.iceUfrag(), remote.icePwd());
            }
            return;
        }
        started = true;
        startedNanos = System.nanoTime();
        remoteUfrag = remote.iceUfrag();
        DtlsRole role = DtlsRole.of(localSetup.wireName(), remote.setup().wireName());
        DtlsTransport.Admission admission = quota == null ? DtlsTransport.Admission.ALWAYS
                : quota.admission(quotaScope, () -> {
                    InetSocketAddress r = remoteAddress;
                    return r == null ? null : r.getAddress();
                });
        dtls = new DtlsTransport(role, certificate, handshakeExecutor, this::sendDtls, new DtlsTransport.Listener() {
            @Override
            public void onConnected(SrtpSession session) {
                mediaThread.execute(() -> connected(session));
            }

            @Override
            public void onFailed(String reason) {
                counters.dtlsFailures().increment();
                // Enough to tell a lost flight from a silent peer or a path that never came up.
                LOG.warn("{}: DTLS handshake failed as {} ({}): ICE {}, {} DTLS datagrams received, {} sent,"
                        + " {} of them queued until ICE had a pair", name, role, reason,
                        iceConnected ? "connected" : "not connected", dtlsReceived.get(), dtlsSent.get(),
                        dtlsQueued.get());
                mediaThread.execute(() -> fail("DTLS: " + reason));
            }

            @Override
            public void onClosed() {
                mediaThread.execute(() -> fail("DTLS closed by the peer"));
            }

            @Override
            public void onApplicationData(byte[] data) {
                mediaThread.execute(() -> {
                    if (!closed) {
                        handler.onApplicationData(Transport.this, data);
                    }
                });
            }
        }, DtlsTransport.DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, admission);
        dtls.setRemoteFingerprint(remote.fingerprintAlgorithm(), remote.fingerprint());
        for (String candidate : remote.candidates()) {
            ice.addRemoteCandidate(candidate);
        }
        deliverEarlyDtls();
        ice.start(remote.iceUfrag(), remote.icePwd());
        // A DTLS client starts once ICE has a pair: a ClientHello sent before that is lost and Bouncy
        // Castle would resend it only after its 1 s retransmission timer. A DTLS server takes a handshake
        // thread only once ICE has a pair or the peer's ClientHello arrives (it can beat our own ICE state
        // change): a peer that never does ICE holds no thread (docs/security.md).
        if (iceConnected) {
            dtls.start();
        } else if (role == DtlsRole.SERVER) {
            dtls.startOnClientHello();
        }
    }

    /**
     * Whether {@code remote} carries other ICE credentials than the running session's: the peer restarts
     * ICE (RFC 8839 §4.4.1.1.1), and we must too, before we describe ourselves to it again.
     */
    public boolean iceRestarted(TransportParameters remote) {
        return started && remote.iceUfrag() != null && !remote.iceUfrag().equals(remoteUfrag);
    }

    /**
     * ICE restart: a fresh ICE session with new local credentials beneath the running DTLS-SRTP session
     * (the endpoint, its keys and its SSRCs stay). The next {@link #start} with the peer's new credentials
     * starts its checks. Media sent meanwhile is dropped.
     */
    public void restartIce() {
        if (closed) {
            return;
        }
        iceConnected = false;
        remoteUfrag = null;
        try {
            ice.restart();
        } catch (java.io.IOException | RuntimeException e) {
            // The reason reaches the client: the exception's own text stays in the log.
            LOG.warn("{}: ICE restart failed", name, e);
            fail("ICE restart failed");
        }
    }

    public void addRemoteCandidate(String candidate) {
        if (!closed) {
            ice.addRemoteCandidate(candidate);
        }
    }

    /** Measures join to first packet: the first RTP packet sent records the time since {@code joinedNanos}. */
    public void measureFirstPacketFrom(long joinedNanos) {
        firstPacketOriginNanos = joinedNanos;
    }

    /** {@code connecting}, {@code connected} (DTLS-SRTP up) or {@code closed}, for the admin API. */
    public String state() {
        return closed ? "closed" : srtp != null ? "connected" : "connecting";
    }

    @Override
    public boolean isConnected() {
        return srtp != null && !closed;
    }

    private void connected(SrtpSession session) {
        if (closed) {
            return;
        }
        srtp = session;
        if (iceConnectedNanos != 0) {
            counters.dtlsSetup(System.nanoTime() - iceConnectedNanos);
        }
        LOG.info("{}: connected (DTLS-SRTP up)", name);
        handler.onConnected(this);
    }

    private void fail(String reason) {
        if (closed) {
            return;
        }
        LOG.info("{}: failed: {}", name, reason);
        close();
        handler.onFailed(this, reason);
    }

    /**
     * Sends a DTLS record, or keeps it until ICE has a pair: a DTLS server answers a ClientHello that may
     * arrive before our side of ICE has chosen the pair, and a flight lost there costs the peer's 1 s
     * retransmission timer.
     */
    private void sendDtls(byte[] buf, int off, int len) {
        dtlsSent.incrementAndGet();
        if (ice.send(buf, off, len)) {
            return;
        }
        dtlsQueued.incrementAndGet();
        // Queue first, then look: ICE may connect (and flush) between the failed send and here.
        if (!closed && earlyDtlsOut.size() < MAX_EARLY_DTLS) {
            earlyDtlsOut.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            if (iceConnected) {
                flushEarlyDtlsOut();
            }
        }
    }

    private void flushEarlyDtlsOut() {
        for (byte[] record; (record = earlyDtlsOut.poll()) != null; ) {
            ice.send(record, 0, record.length);
        }
    }

    /** Hands DTLS records that came before {@link #start} to the DTLS transport, once there is one. */
    private void deliverEarlyDtls() {
        DtlsTransport d = dtls;
        if (d == null) {
            return;
        }
        for (byte[] record; (record = earlyDtls.poll()) != null; ) {
            d.receive(record, 0, record.length);
        }
    }

    /**
     * Called on the media port's thread for every non-STUN packet of this transport. With a {@code pool}
     * (pooled UDP and ICE-TCP buffers) the buffer goes back to it once used: after the media thread's processing for SRTP/SRTCP,
     * at once otherwise (DTLS copies what it keeps).
     */
    private void onNetworkPacket(byte[] buffer, int offset, int length, dev.sfu.ice.BufferRelease pool) {
        if (length >= 1 && PacketKind.classify(buffer[offset]) == PacketKind.RTP) {
            if (!mediaThread.offer(this, buffer, offset, length, pool) && pool != null) {
                pool.release(buffer); // ring full: dropped and counted by the media thread
            }
            return;
        }
        try {
            onNetworkPacket(buffer, offset, length);
        } finally {
            if (pool != null) {
                pool.release(buffer);
            }
        }
    }

    /**
     * A DTLS or unclassifiable packet (SRTP/SRTCP went to the media thread before this): its buffer is the
     * caller's again when this returns, DTLS copies what it keeps.
     */
    private void onNetworkPacket(byte[] buffer, int offset, int length) {
        if (length < 1) {
            return;
        }
        switch (PacketKind.classify(buffer[offset])) {
            case PacketKind.DTLS -> {
                dtlsReceived.incrementAndGet();
                DtlsTransport d = dtls;
                if (d != null) {
                    d.receive(buffer, offset, length);
                } else if (earlyDtls.size() < MAX_EARLY_DTLS) {
                    // The peer's ClientHello can beat its SDP answer here: ICE needs only our own
                    // credentials, so its checks succeed before the answer that starts our DTLS arrives.
                    earlyDtls.add(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
                    deliverEarlyDtls();
                }
            }
            default -> counters.packetsDropped().increment();
        }
    }

    /** On the media thread: decrypts in place and passes the packet on. */
    @Override
    public void onPacket(byte[] buffer, int offset, int length, long receivedNanos) {
        SrtpSession session = srtp;
        if (session == null || closed) {
            counters.packetsDropped().increment();
            return;
        }
        if (length >= 2 && isRtcp(buffer[offset + 1])) {
            int plain = session.unprotectRtcp(buffer, offset, length);
            if (plain > 0) {
                handler.onRtcp(this, buffer, offset, plain);
            } else {
                counters.packetsDropped().increment();
            }
        } else {
            int plain = session.unprotectRtp(buffer, offset, length);
            if (plain > 0) {
                counters.countIn(plain);
                handler.onRtp(this, buffer, offset, plain, receivedNanos);
            } else {
                counters.packetsDropped().increment();
            }
        }
    }

    /** RFC 5761 §4: with rtcp-mux, RTCP packet types 192..223 occupy the second byte. */
    private static boolean isRtcp(byte secondByte) {
        int pt = secondByte & 0xff;
        return pt >= 192 && pt <= 223;
    }

    /**
     * Encrypts an RTP packet in place and sends it: over UDP on the media port it is copied into the media
     * thread's {@link dev.sfu.ice.UdpBatch} and leaves at the end of the thread's loop iteration. The buffer
     * needs {@link SrtpSession#MAX_OVERHEAD} spare bytes after the packet. Media thread only.
     */
    @Override
    public int sendRtp(byte[] buffer, int offset, int length) {
        SrtpSession session = srtp;
        if (session == null) {
            return -1;
        }
        int protectedLength = session.protectRtp(buffer, offset, length);
        if (protectedLength > 0 && ice.send(mediaThread.udpBatch(), buffer, offset, protectedLength)) {
            counters.countOut(protectedLength);
            if (firstPacketOriginNanos >= 0) {
                counters.joinToFirstPacket(System.nanoTime() - firstPacketOriginNanos);
                firstPacketOriginNanos = -1;
            }
            return protectedLength;
        }
        return -1;
    }

    /** Media thread only. */
    @Override
    public int nextTransportWideSequence() {
        return transportWideSequence++ & 0xffff;
    }

    /** Encrypts an RTCP packet in place and sends it. Media thread only. */
    @Override
    public void sendRtcp(byte[] buffer, int offset, int length) {
        SrtpSession session = srtp;
        if (session == null) {
            return;
        }
        int protectedLength = session.protectRtcp(buffer, offset, length);
        if (protectedLength > 0) {
            ice.send(mediaThread.udpBatch(), buffer, offset, protectedLength);
        }
    }

    /**
     * Frees the SRTP sending state of an SSRC whose stream ended; it is refused if sent again, since its
     * packet indexes were used (a state that started over would reuse keystream).
     */
    public void removeSendingSsrc(int ssrc) {
        SrtpSession session = srtp;
        if (session != null) {
            session.removeSendingSsrc(ssrc);
        }
    }

    /** Sends an SCTP packet of the data channels as DTLS application data; false when DTLS is not up. */
    public boolean sendApplicationData(byte[] packet) {
        DtlsTransport d = dtls;
        return d != null && !closed && d.sendApplicationData(packet, 0, packet.length);
    }

    /** Closes DTLS (close_notify) and ICE; idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        srtp = null;
        if (dtls != null) {
            dtls.close();
        }
        ice.close();
    }
}
