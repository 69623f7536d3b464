package dev.sfu.core;

import dev.sfu.core.data.DataLimits;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.core.sdp.PublishLimits;
import dev.sfu.core.transport.HandshakeQuota;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.dtls.DtlsCertificate;
import dev.sfu.dtls.DtlsTransport;
import dev.sfu.ice.MediaPort;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFU: owns the media port, the DTLS certificate, the media threads and every conference. A
 * conference lives on one media thread for its whole life; conferences are spread over the threads.
 */
public final class Sfu implements ConferenceService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sfu.class);
    private static final Pattern CONFERENCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MAX_DISPLAY_NAME = 64;
    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final SfuConfig config;
    private final MediaPort mediaPort;
    private final DtlsCertificate certificate;
    private final ExecutorService handshakes;
    private final MediaThread[] threads;
    private final SfuMetrics metrics;
    /** Null unless per-conference gauges are on. */
    private final ConferenceGauges conferenceGauges;
    private final ConcurrentHashMap<String, Conference> conferences = new ConcurrentHashMap<>();
    private final AtomicInteger nextThread = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private final SfuContext context;
    private volatile boolean closed;
    private volatile SfuEvents events = SfuEvents.NONE;

    private Sfu(SfuConfig config, MediaPort mediaPort, DtlsCertificate certificate, MeterRegistry registry) {
        this.config = config;
        this.mediaPort = mediaPort;
        this.certificate = certificate;
        this.metrics = new SfuMetrics(registry, config.limits().packetCacheBytes());
        this.conferenceGauges = config.conferenceMetrics() ? new ConferenceGauges(registry) : null;
        // Drops that happen below the transports: bytes no transport could classify, and packets a media
        // thread's ring had no room for (the thread could not keep up).
        io.micrometer.core.instrument.FunctionCounter.builder("sfu.packets.dropped.port", mediaPort,
                MediaPort::packetsDropped).description("packets of known peers that were neither STUN, DTLS nor RTP")
                .register(registry);
        for (dev.sfu.ice.IceDrops.Reason reason : dev.sfu.ice.IceDrops.Reason.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder("sfu.ice.packets.dropped", mediaPort.drops(),
                    d -> d.get(reason)).tag("reason", reason.tag)
                    .description("datagrams the UDP media port dropped, by reason (docs/security.md: what ice4j "
                            + "drops uncounted)").register(registry);
        }
        registerIceTcpMeters(mediaPort.tcp(), registry);
        // Bouncy Castle's DTLS handshake blocks its thread while it waits for the peer's next flight, so
        // the pool must hold every handshake in flight, not one per core: a handshake queued behind
        // others would time out. Idle threads exit after 30 s; beyond the bound, handshakes wait (in a queue
        // bounded by dtlsHandshakeQueue when set, beyond which a handshake is refused).
        AtomicInteger handshakeIndex = new AtomicInteger();
        MediaTuning tuning = config.tuning();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(tuning.dtlsHandshakeThreads(), tuning.dtlsHandshakeThreads(), 30,
                TimeUnit.SECONDS, tuning.dtlsHandshakeQueue() == 0 ? new LinkedBlockingQueue<>()
                        : new LinkedBlockingQueue<>(tuning.dtlsHandshakeQueue()), r -> {
                    Thread t = new Thread(r, "dtls-handshake-" + handshakeIndex.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.handshakes = pool;
        HandshakeQuota quota = new HandshakeQuota(config.limits().handshakesPerAddress(),
                config.limits().handshakesPerConference());
        for (HandshakeQuota.Refusal reason : HandshakeQuota.Refusal.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder("sfu.dtls.handshakes.deferred", quota,
                    q -> q.refused(reason)).tag("reason", reason.tag)
                    .description("DTLS handshakes deferred to the peer's next ClientHello by a quota").register(registry);
        }
        this.threads = new MediaThread[Math.max(1, config.mediaThreads())];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new MediaThread("media-" + i, tuning.packetRingSize());
            io.micrometer.core.instrument.FunctionCounter.builder("sfu.packets.dropped.overload", threads[i],
                    MediaThread::packetsDropped).tag("thread", threads[i].toString())
                    .description("packets dropped because a media thread's queue was full").register(registry);
            dev.sfu.ice.UdpBatch batch = threads[i].udpBatch();
            if (batch != null) {
                // Read from the metrics thread: plain counters of the media thread, at most a little stale.
                String thread = threads[i].toString();
                io.micrometer.core.instrument.FunctionCounter.builder("sfu.udp.batch.datagrams", batch,
                        dev.sfu.ice.UdpBatch::sent).tag("thread", thread)
                        .description("datagrams a media thread sent in sendmmsg batches").register(registry);
                io.micrometer.core.instrument.FunctionCounter.builder("sfu.udp.batch.syscalls", batch,
                        dev.sfu.ice.UdpBatch::syscalls).tag("thread", thread)
                        .description("sendmmsg calls of a media thread (datagrams / calls = batch size)").register(registry);
                io.micrometer.core.instrument.FunctionCounter.builder("sfu.udp.batch.dropped", batch,
                        dev.sfu.ice.UdpBatch::dropped).tag("thread", thread)
                        .description("batched datagrams dropped: send buffer full, refused, socket closed").register(registry);
            }
        }
        this.context = new SfuContext() {
            @Override
            public MediaPort mediaPort() {
                return mediaPort;
            }

            @Override
            public DtlsCertificate certificate() {
                return certificate;
            }

            @Override
            public HandshakeQuota handshakeQuota() {
                return quota;
            }

            @Override
            public java.util.concurrent.Executor handshakeExecutor() {
                return handshakes;
            }

            @Override
            public SfuMetrics metrics() {
                return metrics;
            }

            @Override
            public MediaTuning tuning() {
                return config.tuning();
            }

            @Override
            public PublishLimits publishLimits() {
                return config.limits().publish();
            }

            @Override
            public DataLimits dataLimits() {
                return DataLimits.defaults();
            }

            @Override
            public SfuEvents events() {
                return events;
            }

            @Override
            public void conferenceMaybeEmpty(Conference conference) {
                // closeIfEmpty is true once per conference; a join may have taken it out of the map first.
                if (conference.closeIfEmpty()) {
                    conferences.remove(conference.id(), conference);
                    metrics.conferences().decrementAndGet();
                    if (conferenceGauges != null) {
                        conferenceGauges.ended(conference);
                    }
                    LOG.info("conference {} ended", conference.id());
                    events.conferenceEnded(conference.id());
                }
            }
        };
    }

    /** ICE-TCP's open connections and what its limits turned away (Prometheus: sfu_ice_tcp_*). */
    private static void registerIceTcpMeters(dev.sfu.ice.IceTcpPort tcp, MeterRegistry registry) {
        if (tcp == null) {
            return;
        }
        io.micrometer.core.instrument.Gauge.builder("sfu.ice.tcp.connections", tcp, dev.sfu.ice.IceTcpPort::openConnections)
                .description("open ICE-TCP connections").register(registry);
        java.util.Map<String, java.util.function.ToDoubleFunction<dev.sfu.ice.IceTcpPort>> closed = java.util.Map.of(
                "first-frame-not-authenticated", t -> t.rejectedFirstFrame(),
                "limit", t -> t.rejectedLimits(),
                "per-transport-limit", t -> t.rejectedPerTransport(),
                "auth-timeout", t -> t.authTimeouts(),
                "oversized-frame", t -> t.oversizedFrames());
        closed.forEach((reason, f) -> io.micrometer.core.instrument.FunctionCounter
                .builder("sfu.ice.tcp.connections.refused", tcp, f).tag("reason", reason)
                .description("ICE-TCP connections refused or closed before or instead of use").register(registry));
        io.micrometer.core.instrument.FunctionCounter.builder("sfu.ice.tcp.frames.dropped", tcp,
                t -> t.sendDropped()).tag("reason", "send-buffer-full")
                .description("frames not sent because the peer did not read").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("sfu.ice.tcp.frames.dropped", tcp,
                t -> t.badStun()).tag("reason", "bad-stun")
                .description("STUN frames that were not valid Binding requests").register(registry);
    }

    /** Opens the media port, makes the DTLS certificate and starts the media threads. */
    public static Sfu start(SfuConfig config, MeterRegistry registry) throws IOException {
        DtlsCertificate certificate = DtlsCertificate.generate();
        MediaPort port = MediaPort.open(config.ice());
        Sfu sfu = new Sfu(config, port, certificate, registry);
        // The first handshake of a JVM costs hundreds of ms (class loading, JIT, EC tables): pay it now,
        // off every other thread, not in the first participant's join.
        Thread warmUp = new Thread(DtlsTransport::warmUp, "dtls-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        LOG.info("media on UDP {}:{}, DTLS fingerprint {} {}", config.ice().bindAddress(), port.udpPort(),
                certificate.fingerprintAlgorithm(), certificate.fingerprintSha256());
        LOG.info("SRTP: {}", dev.sfu.dtls.srtp.SrtpContext.gcmImplementation());
        return sfu;
    }

    /** The UDP media port actually bound (useful when the configuration asked for port 0). */
    public int mediaPort() {
        return mediaPort.udpPort();
    }

    /**
     * Whether a STUN Binding request sent from this machine to {@code address} at the media port is
     * answered by the media port (the start-up reachability check of advertised addresses).
     */
    public boolean mediaPortAnswersAt(java.net.InetAddress address, java.time.Duration timeout) {
        return mediaPort.answersStunAt(address, timeout);
    }

    /** The passive ICE-TCP port actually bound, or 0 when ICE-TCP is off. */
    public int iceTcpPort() {
        return mediaPort.tcp() == null ? 0 : mediaPort.tcp().port();
    }

    /** Where conference, participant and track events go from now on (webhooks). */
    public void setEvents(SfuEvents events) {
        this.events = events == null ? SfuEvents.NONE : events;
    }

    @Override
    public EndpointHandle join(String conferenceId, String displayName, EndpointListener listener)
            throws SignalingException {
        return join(conferenceId, displayName, listener, JoinOptions.DEFAULT);
    }

    @Override
    public EndpointHandle join(String conferenceId, String displayName, EndpointListener listener, JoinOptions options)
            throws SignalingException {
        if (conferenceId == null || !CONFERENCE_ID.matcher(conferenceId).matches()) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST,
                    "conference must be 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        if (displayName == null || displayName.length() > MAX_DISPLAY_NAME) {
            throw new SignalingException(SignalingException.Code.BAD_REQUEST, "displayName must be at most 64 characters");
        }
        if (closed) {
            throw new SignalingException(SignalingException.Code.CONFERENCE_FULL, "the server is shutting down");
        }
        while (true) {
            Conference conference = conferences.get(conferenceId);
            if (conference == null) {
                if (conferences.size() >= config.maxConferences()) {
                    throw new SignalingException(SignalingException.Code.CONFERENCE_FULL,
                            "the server hosts its maximum number of conferences");
                }
                Conference created = new Conference(conferenceId, pickThread(), config.maxEndpointsPerConference(), context);
                created.setLastN(config.lastN());
                conference = conferences.putIfAbsent(conferenceId, created);
                if (conference == null) {
                    conference = created;
                    metrics.conferences().incrementAndGet();
                    if (conferenceGauges != null) {
                        conferenceGauges.started(created);
                    }
                    LOG.info("conference {} created on {}", conferenceId, created.thread());
                    events.conferenceStarted(conferenceId);
                }
            }
            if (conference.reserveSeat()) {
                Endpoint endpoint = new Endpoint(newEndpointId(), displayName, conference, listener,
                        options == null ? JoinOptions.DEFAULT : options);
                metrics.endpoints().incrementAndGet();
                Conference c = conference;
                conference.thread().execute(() -> c.add(endpoint));
                LOG.info("endpoint {} ({}) joined conference {}", endpoint.endpointId(), displayName, conferenceId);
                return endpoint;
            }
            if (!conference.isClosed()) {
                throw new SignalingException(SignalingException.Code.CONFERENCE_FULL,
                        "conference " + conferenceId + " is full");
            }
            // The conference just emptied and closed: remove it and try again with a fresh one.
            conferences.remove(conferenceId, conference);
        }
    }

    private MediaThread pickThread() {
        return threads[Math.floorMod(nextThread.getAndIncrement(), threads.length)];
    }

    private String newEndpointId() {
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(id);
    }

    /** ICE transports open on the media port (for operators and leak tests). */
    public int openTransports() {
        return mediaPort.openTransports();
    }

    @Override
    public List<ConferenceSummary> conferences() {
        List<ConferenceSummary> list = new ArrayList<>();
        for (Conference c : conferences.values()) {
            list.add(new ConferenceSummary(c.id(), c.participants()));
        }
        return list;
    }

    @Override
    public java.util.concurrent.CompletionStage<ConferenceDetail> conference(String conferenceId) {
        Conference c = conferenceId == null ? null : conferences.get(conferenceId);
        java.util.concurrent.CompletableFuture<ConferenceDetail> result = new java.util.concurrent.CompletableFuture<>();
        if (c == null) {
            result.complete(null);
            return result;
        }
        c.thread().execute(() -> result.complete(c.isClosed() ? null : c.detail()));
        return result;
    }

    /** Closes every endpoint (each listener gets {@code closed}), then the media port. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CountDownLatch done = new CountDownLatch(conferences.size());
        for (Conference c : conferences.values()) {
            c.thread().execute(() -> {
                try {
                    c.closeAll("the server is shutting down");
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            done.await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (MediaThread t : threads) {
            t.close();
        }
        handshakes.shutdownNow();
        mediaPort.close();
    }
}
