package dev.sfu.dtls;

import dev.sfu.dtls.srtp.SrtpProfile;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Hashtable;
import java.util.Vector;
import java.util.concurrent.Executor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DTLS 1.2 (RFC 6347) for one ICE transport, with use_srtp (RFC 5764): the handshake runs on a
 * handshake thread over records the ICE layer pushes in through {@link #receive}; once done, the peer's
 * certificate has matched the fingerprint from its SDP and the exported keying material becomes an
 * {@link SrtpSession}. Bouncy Castle's own crypto (BcTlsCrypto) does the handshake: it costs less CPU
 * than the JCA provider; the per-packet SRTP work uses the JDK's AES instead.
 *
 * <p>Over 400 lines because the Bouncy Castle {@code Server} and {@code Client} callbacks at the bottom are
 * inner classes: they share this transport's crypto, certificate, allowed profiles, fingerprint check and
 * exported keys, which separate classes would have to be handed one by one.
 */
public final class DtlsTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsTransport.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Profiles we offer and accept, most preferred first. */
    private static final int[] PROFILES = {SrtpProfile.AEAD_AES_128_GCM.protectionProfileId(),
        SrtpProfile.AES_CM_128_HMAC_SHA1_80.protectionProfileId()};
    private static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };
    public static final int DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** Handshakes refused because the peer's certificate did not match its signalled fingerprint. */
    private static final LongAdder FINGERPRINT_MISMATCHES = new LongAdder();

    /** Where DTLS records go out (the ICE transport). Must be thread-safe. */
    @FunctionalInterface
    public interface DatagramSender {
        void send(byte[] buf, int off, int len);
    }

    /** Outcome of the handshake, and application data after it. Called on a handshake thread. */
    public interface Listener {
        void onConnected(SrtpSession session);

        void onFailed(String reason);

        void onClosed();

        /**
         * An application-data record's content (WebRTC: an SCTP packet of the data channels, RFC 8261); the
         * array is the listener's.
         */
        default void onApplicationData(byte[] data) {
        }
    }

    /**
     * Whether a handshake may take a thread now: the owner's quotas (per conference, per remote address).
     * A refused server handshake waits for the peer's next ClientHello, which DTLS retransmits (RFC 6347
     * §4.2.4: after 1 s, then doubling), so a crowd of handshakes is spread out rather than failed; a
     * refused client handshake fails, as nothing would retry it.
     */
    public interface Admission {
        Admission ALWAYS = new Admission() {
            @Override
            public boolean tryAcquire() {
                return true;
            }

            @Override
            public void release() {
            }
        };

        boolean tryAcquire();

        /** Called once for each successful {@link #tryAcquire}, when that handshake ends either way. */
        void release();
    }

    private final DtlsRole role;
    private final DtlsCertificate certificate;
    private final Admission admission;
    private final AtomicBoolean admitted = new AtomicBoolean();
    private final Executor executor;
    private final Listener listener;
    private final QueuedDatagramTransport datagrams;
    private final BcTlsCrypto crypto = new BcTlsCrypto(RANDOM);
    private final AtomicBoolean draining = new AtomicBoolean();
    private final int handshakeTimeoutMillis;
    private volatile String remoteFingerprintAlgorithm;
    private volatile String remoteFingerprint;
    private volatile DTLSTransport dtls;
    private volatile boolean closed;
    private volatile boolean started;
    /** Server: start the handshake when a ClientHello arrives ({@link #startOnClientHello}). */
    private volatile boolean startOnClientHello;
    private SrtpProfile profile;
    private byte[] keyingMaterial;
    private volatile int[] profiles = PROFILES;

    public DtlsTransport(DtlsRole role, DtlsCertificate certificate, Executor handshakeExecutor,
            DatagramSender sender, Listener listener) {
        this(role, certificate, handshakeExecutor, sender, listener, DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, Admission.ALWAYS);
    }

    public DtlsTransport(DtlsRole role, DtlsCertificate certificate, Executor handshakeExecutor,
            DatagramSender sender, Listener listener, int handshakeTimeoutMillis) {
        this(role, certificate, handshakeExecutor, sender, listener, handshakeTimeoutMillis, Admission.ALWAYS);
    }

    public DtlsTransport(DtlsRole role, DtlsCertificate certificate, Executor handshakeExecutor,
            DatagramSender sender, Listener listener, int handshakeTimeoutMillis, Admission admission) {
        this.role = role;
        this.admission = admission;
        this.certificate = certificate;
        this.executor = handshakeExecutor;
        this.listener = listener;
        this.datagrams = new QueuedDatagramTransport(sender);
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /** Handshakes (server-wide) refused because a peer's certificate did not match its fingerprint. */
    public static long fingerprintMismatches() {
        return FINGERPRINT_MISMATCHES.sum();
    }

    /**
     * Runs one full client/server handshake in memory with throwaway certificates, so that class loading,
     * the first EC key generation and the JIT happen at server start instead of during a caller's first
     * connection. Blocks at most the handshake timeout; returns whether both sides connected.
     */
    public static boolean warmUp() {
        DtlsCertificate serverCert = DtlsCertificate.generate();
        DtlsCertificate clientCert = DtlsCertificate.generate();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "dtls-warmup-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CountDownLatch done = new CountDownLatch(2);
        AtomicInteger connected = new AtomicInteger();
        Listener listener = new Listener() {
            @Override
            public void onConnected(SrtpSession session) {
                connected.incrementAndGet();
                done.countDown();
            }

            @Override
            public void onFailed(String reason) {
                done.countDown();
            }

            @Override
            public void onClosed() {
            }
        };
        DtlsTransport[] pair = new DtlsTransport[2];
        pair[0] = new DtlsTransport(DtlsRole.SERVER, serverCert, executor,
                (buf, off, len) -> pair[1].receive(buf, off, len), listener);
        pair[1] = new DtlsTransport(DtlsRole.CLIENT, clientCert, executor,
                (buf, off, len) -> pair[0].receive(buf, off, len), listener);
        pair[0].setRemoteFingerprint("sha-256", clientCert.fingerprintSha256());
        pair[1].setRemoteFingerprint("sha-256", serverCert.fingerprintSha256());
        try {
            pair[0].start();
            pair[1].start();
            done.await(DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pair[1].close();
            pair[0].close();
            executor.shutdownNow();
        }
        return connected.get() == 2;
    }

    public DtlsRole role() {
        return role;
    }

    /**
     * Restricts the SRTP protection profiles this side offers (client) or accepts (server), most
     * preferred first; by default both, AES-GCM first. Call before {@link #start}. A peer that supports
     * none of them fails the handshake with handshake_failure.
     */
    public void setSrtpProfiles(SrtpProfile... allowed) {
        if (allowed.length == 0) {
            throw new IllegalArgumentException("at least one SRTP profile");
        }
        int[] ids = new int[allowed.length];
        for (int i = 0; i < allowed.length; i++) {
            ids[i] = allowed[i].protectionProfileId();
        }
        profiles = ids;
    }

    /** The fingerprint the peer signalled in its SDP; its certificate must match it. */
    public void setRemoteFingerprint(String algorithm, String fingerprint) {
        this.remoteFingerprintAlgorithm = algorithm;
        this.remoteFingerprint = fingerprint;
    }

    /**
     * Starts the handshake on a handshake thread now (a client sends its ClientHello; a server waits for
     * one, holding that thread until the handshake ends or times out). Call it when ICE has a selected
     * pair; a server that may be asked before that uses {@link #startOnClientHello} too.
     */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        if (!admission.tryAcquire()) {
            if (role == DtlsRole.SERVER) {
                // Wait for the retransmitted ClientHello. One already queued stays: Bouncy Castle's server
                // does not complete a handshake that starts from a retransmission (its record sequence
                // number is not the first), and it takes the duplicate that follows for a retransmission.
                startOnClientHello = true;
            } else {
                closed = true;
                datagrams.close();
                listener.onFailed("too many DTLS handshakes in progress");
            }
            return;
        }
        admitted.set(true);
        started = true;
        try {
            executor.execute(this::handshake);
        } catch (RejectedExecutionException e) {
            // The handshake pool's queue is full (sfu.core.tuning.dtls-handshake-queue).
            releaseAdmission();
            closed = true;
            datagrams.close();
            listener.onFailed("too many DTLS handshakes waiting");
        }
    }

    private void releaseAdmission() {
        if (admitted.compareAndSet(true, false)) {
            admission.release();
        }
    }

    /**
     * Server only: starts the handshake when the first ClientHello arrives ({@link #receive}), or at
     * {@link #start}, whichever comes first. Until then the transport costs no thread: a peer that never
     * sends a ClientHello (it never got through ICE, or it is hostile) does not hold a handshake thread for
     * the handshake timeout. Records that arrive before the ClientHello are dropped; if some were queued
     * before this call, the handshake starts at once.
     */
    public void startOnClientHello() {
        if (role != DtlsRole.SERVER) {
            throw new IllegalStateException("only a DTLS server waits for a ClientHello");
        }
        startOnClientHello = true;
        if (datagrams.hasPending()) {
            start(); // records came before the arming: one may be the ClientHello, and none will follow it
        }
    }

    /** Whether received records wait for the handshake thread (tests). */
    boolean hasQueuedRecords() {
        return datagrams.hasPending();
    }

    /** Whether the handshake has been started (a thread runs or ran it). */
    public boolean isStarted() {
        return started;
    }

    /**
     * Whether a datagram is a DTLS record carrying the start of a ClientHello (RFC 6347 §4.1 record
     * header, 13 bytes: content type 22 = handshake; then §4.2.2 handshake header: msg_type 1 =
     * client_hello, fragment_offset 0). Only its header is looked at: Bouncy Castle checks the rest.
     */
    static boolean isClientHello(byte[] buf, int off, int len) {
        if (len < 13 + 12 || buf[off] != 22 || buf[off + 1] != (byte) 0xfe) {
            return false;
        }
        int fragmentOffset = ((buf[off + 13 + 6] & 0xff) << 16) | ((buf[off + 13 + 7] & 0xff) << 8)
                | (buf[off + 13 + 8] & 0xff);
        return buf[off + 13] == 1 && fragmentOffset == 0;
    }

    private void handshake() {
        try {
            DTLSTransport transport;
            if (role == DtlsRole.SERVER) {
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                // ICE connectivity checks already proved the peer's address: skip the cookie round trip.
                protocol.setVerifyRequests(false);
                transport = protocol.accept(new Server(), datagrams);
            } else {
                transport = new DTLSClientProtocol().connect(new Client(), datagrams);
            }
            if (closed) {
                transport.close();
                return;
            }
            dtls = transport;
            SrtpSession session = SrtpSession.fromKeyingMaterial(profile, keyingMaterial, role == DtlsRole.CLIENT);
            keyingMaterial = null;
            LOG.debug("DTLS {} handshake done, {}", role, profile);
            listener.onConnected(session);
            if (datagrams.hasPending()) {
                scheduleDrain();
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                String reason = describe(e);
                LOG.debug("DTLS {} handshake failed: {}", role, reason, e);
                closed = true;
                datagrams.close();
                listener.onFailed(reason);
            }
        } finally {
            releaseAdmission(); // the handshake no longer holds its thread
        }
    }

    /**
     * A handshake failure in plain words: the reason reaches the client (the close reason the page shows),
     * so it never names a Java class; the exception itself goes to the debug log.
     */
    static String describe(Throwable e) {
        if (e instanceof TlsFatalAlert alert) {
            return "handshake failed (we sent alert " + AlertDescription.getName(alert.getAlertDescription()) + ")";
        }
        if (e instanceof org.bouncycastle.tls.TlsFatalAlertReceived alert) {
            return "handshake failed (the peer sent alert " + AlertDescription.getName(alert.getAlertDescription()) + ")";
        }
        if (e instanceof org.bouncycastle.tls.TlsTimeoutException) {
            return "handshake timed out";
        }
        return "handshake failed";
    }

    /**
     * A DTLS record from the network (first byte 20..63). Copies it and returns at once: during the
     * handshake a handshake thread reads it; afterwards it is a retransmission or an alert.
     */
    public void receive(byte[] buf, int off, int len) {
        boolean waitingForHello = startOnClientHello && !started;
        if (closed || (waitingForHello && !isClientHello(buf, off, len)) || !datagrams.offer(buf, off, len)) {
            // Before a lazy server's ClientHello nothing else can belong to a handshake: it is dropped, so
            // records a peer sent early cannot be read as the start of the handshake.
            return;
        }
        if (dtls != null) {
            scheduleDrain();
        } else if (waitingForHello) {
            start();
        }
    }

    /**
     * After the handshake: let Bouncy Castle answer retransmitted flights, see close_notify and decrypt
     * application data, which goes to the listener.
     */
    private void scheduleDrain() {
        if (draining.compareAndSet(false, true)) {
            executor.execute(() -> {
                byte[] buf = new byte[QueuedDatagramTransport.RECEIVE_LIMIT];
                try {
                    while (datagrams.hasPending() && !closed) {
                        int n = dtls.receive(buf, 0, buf.length, 1);
                        if (n > 0) {
                            listener.onApplicationData(java.util.Arrays.copyOf(buf, n));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    if (!closed) {
                        closed = true;
                        LOG.debug("DTLS closed by the peer: {}", e.toString());
                        listener.onClosed();
                    }
                } finally {
                    draining.set(false);
                }
            });
        }
    }

    /**
     * Sends application data (an SCTP packet) in one DTLS record; dropped before the handshake is done or
     * after close (SCTP retransmits). Any thread: Bouncy Castle guards sending with its record layer's
     * write lock.
     *
     * @return whether it was sent
     */
    public boolean sendApplicationData(byte[] buf, int off, int len) {
        DTLSTransport t = dtls;
        if (t == null || closed) {
            return false;
        }
        try {
            t.send(buf, off, len);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("DTLS application data not sent: {}", e.toString());
            return false;
        }
    }

    /** Sends close_notify if connected, and stops; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        DTLSTransport t = dtls;
        if (t != null) {
            try {
                t.close();
            } catch (IOException | RuntimeException ignored) {
                // the peer may be gone already
            }
        }
        datagrams.close();
    }

    private void verifyPeer(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
        String algorithm = remoteFingerprintAlgorithm;
        String expected = remoteFingerprint;
        TlsCertificate first = chain.getCertificateAt(0);
        if (algorithm == null || expected == null
                || !DtlsCertificate.fingerprint(algorithm, first.getEncoded()).equalsIgnoreCase(expected.trim())) {
            FINGERPRINT_MISMATCHES.increment();
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }

    private TlsCredentialedSigner signer(TlsContext context) throws IOException {
        Certificate chain = new Certificate(new TlsCertificate[] {
            crypto.createCertificate(encoded(certificate))});
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                certificate.privateKey(), chain,
                SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    private static byte[] encoded(DtlsCertificate certificate) {
        try {
            return certificate.certificate().getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void exportKeys(TlsContext context, int profileId) {
        profile = SrtpProfile.ofProtectionProfileId(profileId);
        int length = 2 * (profile.keyLength() + profile.saltLength());
        keyingMaterial = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, length);
    }

    private final class Server extends DefaultTlsServer {
        private int chosenProfile = -1;

        Server() {
            super(crypto);
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return CIPHER_SUITES;
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return handshakeTimeoutMillis;
        }

        @Override
        @SuppressWarnings("unchecked") // Bouncy Castle's API returns a raw Vector
        public CertificateRequest getCertificateRequest() {
            // WebRTC authenticates the client by its certificate's fingerprint: always ask for it.
            Vector<SignatureAndHashAlgorithm> algorithms = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
            return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                    algorithms, null);
        }

        @Override
        public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
            verifyPeer(clientCertificate);
        }

        @Override
        protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
            return signer(context);
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public void processClientExtensions(Hashtable clientExtensions) throws IOException {
            super.processClientExtensions(clientExtensions);
            UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
            if (offered != null) {
                for (int ours : profiles) {
                    for (int theirs : offered.getProtectionProfiles()) {
                        if (ours == theirs && chosenProfile < 0) {
                            chosenProfile = ours;
                        }
                    }
                }
            }
            if (chosenProfile < 0) {
                throw new TlsFatalAlert(AlertDescription.handshake_failure);
            }
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Hashtable getServerExtensions() throws IOException {
            Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {chosenProfile}, TlsUtils.EMPTY_BYTES));
            return extensions;
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            exportKeys(context, chosenProfile);
        }
    }

    private final class Client extends DefaultTlsClient {
        private int chosenProfile = -1;

        Client() {
            super(crypto);
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return CIPHER_SUITES;
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return handshakeTimeoutMillis;
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Hashtable getClientExtensions() throws IOException {
            Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(profiles, TlsUtils.EMPTY_BYTES));
            return extensions;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            if (chosen == null || chosen.getProtectionProfiles().length != 1
                    || SrtpProfile.ofProtectionProfileId(chosen.getProtectionProfiles()[0]) == null) {
                throw new TlsFatalAlert(AlertDescription.illegal_parameter);
            }
            chosenProfile = chosen.getProtectionProfiles()[0];
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    verifyPeer(serverCertificate.getCertificate());
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                    return signer(context);
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            exportKeys(context, chosenProfile);
        }
    }
}
