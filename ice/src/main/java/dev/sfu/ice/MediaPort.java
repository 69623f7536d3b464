package dev.sfu.ice;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one UDP port that every transport of the instance shares (ice4j's single-port harvesting): the
 * first STUN request from a new address is routed to its transport by the ICE username, later packets
 * by their source address. Bound on each usable interface and on loopback, so that clients on the same
 * machine reach it at 127.0.0.1.
 */
public final class MediaPort implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaPort.class);

    private final IceConfig config;
    private final List<CheckedUdpHarvester> harvesters;
    private final List<String> candidateAddresses;
    private final int port;
    private final java.util.Set<IceTransport> transports = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ScheduledThreadPoolExecutor watchdog;
    /** The consent check, scheduled only while there are transports: an idle port wakes no thread. */
    private java.util.concurrent.ScheduledFuture<?> consentChecks; // guarded by transports
    private final IceDrops drops = new IceDrops();
    private final StunSelfCheck selfCheck = new StunSelfCheck();
    /**
     * Live transports by local ufrag: how a new address's first UDP Binding request is checked and an
     * ICE-TCP connection's first request finds its transport.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, IceTransport> byUfrag =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final IceTcpPort tcpPort;
    private volatile RemoteCandidatePolicy remoteCandidatePolicy = RemoteCandidatePolicy.permissive();
    /** Our sending sockets (batched sends), by the local address each shares with ice4j's harvester. */
    private final java.util.Map<InetAddress, UdpSendSocket> senders;
    private volatile boolean strayWarned;

    private MediaPort(IceConfig config, List<CheckedUdpHarvester> harvesters, List<String> candidateAddresses,
            int port, java.util.Map<InetAddress, UdpSendSocket> senders) throws IOException {
        this.senders = senders;
        IceTcpPort tcp = null;
        if (config.tcpPort() != 0) {
            try {
                tcp = IceTcpPort.open(InetAddress.getByName(config.bindAddress()),
                        config.tcpPort() == IceConfig.TCP_PORT_ANY ? 0 : config.tcpPort(), byUfrag::get);
            } catch (IOException e) {
                harvesters.forEach(CheckedUdpHarvester::close);
                senders.values().forEach(UdpSendSocket::close);
                throw new IOException("cannot bind the ICE-TCP port " + config.bindAddress() + ":"
                        + config.tcpPort() + ": " + e.getMessage(), e);
            }
            LOG.info("ICE-TCP on {}:{}", config.bindAddress(), tcp.port());
        }
        this.tcpPort = tcp;
        for (CheckedUdpHarvester h : harvesters) {
            h.checkWith(byUfrag::get, drops);
            h.answerSelfChecks(selfCheck);
        }
        this.config = config;
        this.harvesters = harvesters;
        this.candidateAddresses = candidateAddresses;
        this.port = port;
        this.watchdog = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ice-consent-" + port);
            t.setDaemon(true);
            return t;
        });
        // A cancelled check must leave the queue, or its thread would still wake for it.
        watchdog.setRemoveOnCancelPolicy(true);
    }

    /** Every 500 ms while transports exist: consent expiry (RFC 7675) and the stray-datagram warning. */
    private void checkConsent() {
        long now = System.nanoTime();
        long timeout = config.consentTimeout().toNanos();
        for (IceTransport t : transports) {
            t.checkConsent(now, timeout);
        }
        checkStrays();
    }

    private void track(IceTransport t) {
        synchronized (transports) {
            transports.add(t);
            if (consentChecks == null && !watchdog.isShutdown()) {
                consentChecks = watchdog.scheduleWithFixedDelay(this::checkConsent, 500, 500,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }

    private void untrack(IceTransport t) {
        synchronized (transports) {
            transports.remove(t);
            if (transports.isEmpty() && consentChecks != null) {
                consentChecks.cancel(false);
                consentChecks = null;
            }
        }
    }

    /** Whether the consent check is scheduled (tests: an idle port schedules nothing). */
    boolean consentChecksScheduled() {
        synchronized (transports) {
            return consentChecks != null;
        }
    }

    /** Binds the port. */
    public static MediaPort open(IceConfig config) throws IOException {
        Ice4jSettings.apply(config.consentTimeout());
        List<CheckedUdpHarvester> harvesters = new ArrayList<>();
        java.util.Map<InetAddress, UdpSendSocket> senders = new java.util.concurrent.ConcurrentHashMap<>();
        int port = config.udpPort();
        try {
            if (config.bindAddress().equals("0.0.0.0") || config.bindAddress().equals("::")) {
                // ice4j's own list of usable addresses skips loopback: add it for local clients.
                CheckedUdpHarvester loopback = bindHarvester(InetAddress.getLoopbackAddress(), port, senders);
                harvesters.add(loopback);
                port = loopback.getLocalAddress().getPort();
                for (TransportAddress address : CheckedUdpHarvester.getAllowedAddresses(port)) {
                    try {
                        harvesters.add(bindHarvester(address.getAddress(), port, senders));
                    } catch (IOException e) {
                        LOG.warn("cannot bind media port on {}: {}", address, e.toString());
                    }
                }
            } else {
                CheckedUdpHarvester h = bindHarvester(InetAddress.getByName(config.bindAddress()), port, senders);
                harvesters.add(h);
                port = h.getLocalAddress().getPort();
            }
        } catch (IOException e) {
            harvesters.forEach(CheckedUdpHarvester::close);
            senders.values().forEach(UdpSendSocket::close);
            throw new IOException("cannot bind the media port " + config.bindAddress() + ":" + config.udpPort()
                    + ": " + e.getMessage(), e);
        }
        List<String> addresses = new ArrayList<>();
        if (!config.advertisedAddresses().isEmpty()) {
            addresses.addAll(config.advertisedAddresses());
        } else {
            for (CheckedUdpHarvester h : harvesters) {
                addresses.add(h.getLocalAddress().getHostAddress());
            }
        }
        if (config.stunServer() != null) {
            discoverPublicAddress(config, addresses);
        }
        RemoteCandidatePolicy policy = config.remoteCandidates().policy(addresses);
        LOG.info("media port UDP {} bound on {}, advertised as {}; remote candidates: {} ({})", port,
                harvesters.stream().map(h -> h.getLocalAddress().getHostAddress()).toList(), addresses,
                config.remoteCandidates(), policy);
        if (UdpBatch.supported()) {
            LOG.info("media port UDP {}: batched sends (sendmmsg) from {}", port, senders.values());
        } else {
            LOG.info("media port UDP {}: sends through ice4j, one per packet: {}", port, UdpBatch.unsupportedReason());
        }
        MediaPort mediaPort = new MediaPort(config, harvesters, List.copyOf(addresses), port, senders);
        mediaPort.setRemoteCandidatePolicy(policy);
        return mediaPort;
    }

    /**
     * ice4j's harvester on {@code address}:{@code port}, with (when batched sends are supported) our sending
     * socket bound there first: ice4j's sockets, bound after it, keep receiving ({@link UdpSendSocket}).
     * With port 0 ours picks the port and ice4j's join it. If ice4j cannot share the port (its socket
     * pool without SO_REUSEADDR), ours is closed and ice4j binds alone: sends go through it as before.
     */
    private static CheckedUdpHarvester bindHarvester(InetAddress address, int port,
            java.util.Map<InetAddress, UdpSendSocket> senders) throws IOException {
        UdpSendSocket sender = null;
        if (UdpBatch.supported()) {
            try {
                sender = UdpSendSocket.bind(new InetSocketAddress(address, port));
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot bind a sending socket on {}:{} ({}): sends go through ice4j there", address.getHostAddress(), port, e.toString());
            }
        }
        if (sender == null) {
            return new CheckedUdpHarvester(new TransportAddress(address, port, Transport.UDP));
        }
        try {
            CheckedUdpHarvester h = new CheckedUdpHarvester(new TransportAddress(address, sender.port(), Transport.UDP));
            senders.put(address, sender);
            return h;
        } catch (IOException | RuntimeException e) {
            sender.close();
            LOG.warn("ice4j cannot share {}:{} with our sending socket ({}): sends go through ice4j there",
                    address.getHostAddress(), sender.port(), e.toString());
            return new CheckedUdpHarvester(new TransportAddress(address, port, Transport.UDP));
        }
    }

    /**
     * The route of a selected pair for batched sends: our socket on the pair's local address and the
     * pair's remote address, or one without a socket (ice4j sends) for a pair not on the media port's UDP.
     */
    UdpRoute route(org.ice4j.ice.CandidatePair pair) {
        org.ice4j.ice.LocalCandidate local = pair.getLocalCandidate();
        org.ice4j.ice.RemoteCandidate remote = pair.getRemoteCandidate();
        if (local == null || remote == null || local.getTransport() != Transport.UDP
                || remote.getTransport() != Transport.UDP) {
            return UdpRoute.none(pair);
        }
        TransportAddress l = local.getTransportAddress();
        UdpSendSocket s = senders.get(l.getAddress());
        if (s == null || s.port() != l.getPort() || s.isClosed()) {
            return UdpRoute.none(pair);
        }
        return new UdpRoute(pair, s, remote.getTransportAddress());
    }

    /** Our sending sockets should receive nothing; if the kernel gives them datagrams, it is said once. */
    private void checkStrays() {
        long strays = 0;
        for (UdpSendSocket s : senders.values()) {
            strays += s.strayDatagrams();
        }
        if (strays > 0 && !strayWarned) {
            strayWarned = true;
            LOG.warn("{} datagrams reached our sending sockets instead of ice4j's on port {}: they are lost;"
                    + " set SFU_UDP_BATCH=false", strays, port);
        }
    }

    /** Datagrams delivered to our sending sockets instead of ice4j's (lost; expected 0). */
    public long strayDatagrams() {
        long strays = 0;
        for (UdpSendSocket s : senders.values()) {
            strays += s.strayDatagrams();
        }
        return strays;
    }

    /** Whether this port's UDP sends can be batched (our sending sockets are bound). */
    public boolean batchedSends() {
        return !senders.isEmpty();
    }

    /**
     * Asks the configured STUN server for our public address and advertises it first (the 1:1 NAT case:
     * a cloud VM with a private address). Without an answer the server starts anyway, on what it has.
     */
    private static void discoverPublicAddress(IceConfig config, List<String> addresses) {
        String server = config.stunServer();
        int colon = server.lastIndexOf(':');
        try {
            InetSocketAddress stun = colon > 0
                    ? new InetSocketAddress(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)))
                    : new InetSocketAddress(server, 3478);
            java.util.Optional<InetAddress> found = StunDiscovery.publicAddress(stun,
                    InetAddress.getByName(config.bindAddress()));
            if (found.isEmpty()) {
                LOG.warn("STUN server {} did not answer: advertising {} only", server, addresses);
                return;
            }
            String address = found.get().getHostAddress();
            addresses.remove(address);
            addresses.add(0, address);
            LOG.info("STUN server {} sees us as {}: advertised first", server, address);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("STUN discovery through {} failed: {}; advertising {} only", server, e.toString(), addresses);
        }
    }

    /**
     * The policy of transports made by {@link #createTransport(String)} from now on: which remote addresses
     * they may send to, how many, and whether the peer's credentials are checked. Until set,
     * {@link RemoteCandidatePolicy#permissive()} (no checks, as before the policy existed).
     */
    public void setRemoteCandidatePolicy(RemoteCandidatePolicy policy) {
        this.remoteCandidatePolicy = java.util.Objects.requireNonNull(policy);
    }

    public RemoteCandidatePolicy remoteCandidatePolicy() {
        return remoteCandidatePolicy;
    }

    /** A new server-side (controlled) transport with its own ICE credentials, under the port's policy. */
    public IceTransport createTransport(String name) {
        return createTransport(name, remoteCandidatePolicy);
    }

    /** A new server-side (controlled) transport with its own ICE credentials, under {@code policy}. */
    public IceTransport createTransport(String name, RemoteCandidatePolicy policy) {
        java.util.Objects.requireNonNull(policy);
        try {
            IceTransport t = IceTransport.server(name, harvesters, candidates(), this, policy);
            track(t);
            byUfrag.put(t.localUfrag(), t);
            return t;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create an ICE agent: " + e.getMessage(), e);
        }
    }

    /**
     * Our candidates as SDP writes them: one UDP host candidate per advertised address, all on the one
     * port, then (with ICE-TCP) one passive TCP host candidate per address on the TCP port.
     */
    List<String> candidates() {
        List<String> list = new ArrayList<>();
        int foundation = 1;
        for (String address : candidateAddresses) {
            // RFC 8445 §5.1.2.1: host type preference 126, one component.
            long priority = (126L << 24) | ((65535L - foundation) << 8) | 255;
            list.add("candidate:" + foundation + " 1 udp " + priority + " " + address + " " + port + " typ host generation 0");
            foundation++;
        }
        if (tcpPort != null) {
            for (String address : candidateAddresses) {
                // A lower type preference than UDP host (RFC 6544 §4.2 leaves it to us): a browser that can
                // reach both nominates UDP. Local preference: direction "passive" (4 << 13), then order.
                long priority = (90L << 24) | (((4L << 13) | (8191 - foundation)) << 8) | 255;
                list.add("candidate:" + foundation + " 1 tcp " + priority + " " + address + " " + tcpPort.port()
                        + " typ host tcptype passive generation 0");
                foundation++;
            }
        }
        return list;
    }

    /** An ICE restart gave {@code transport} a new ufrag: first requests now name that one. */
    void sessionRestarted(IceTransport transport, String oldUfrag) {
        byUfrag.remove(oldUfrag, transport);
        if (transports.contains(transport)) {
            byUfrag.put(transport.localUfrag(), transport);
        }
    }

    void transportClosed(IceTransport transport) {
        untrack(transport);
        byUfrag.remove(transport.localUfrag(), transport);
    }

    void countDropped() {
        drops.count(IceDrops.Reason.NOT_DEMULTIPLEXABLE);
    }

    public int udpPort() {
        return port;
    }

    /**
     * Whether a Binding request sent from this machine to {@code address} at this port is answered by this
     * port: true for the machine's own addresses, and for a NAT's public address when the NAT forwards the
     * port and lets hosts behind it reach themselves (see {@link StunSelfCheck}). Blocks up to
     * {@code timeout}; one check at a time.
     */
    public synchronized boolean answersStunAt(java.net.InetAddress address, java.time.Duration timeout) {
        return selfCheck.probe(new InetSocketAddress(address, port), timeout);
    }

    /** The passive ICE-TCP port, or null when ICE-TCP is off. */
    public IceTcpPort tcp() {
        return tcpPort;
    }

    public IceConfig config() {
        return config;
    }

    /** Transports created and not yet closed. */
    public int openTransports() {
        return transports.size();
    }

    /** Packets of known transports that were not STUN, DTLS or RTP (RFC 7983) and were dropped. */
    public long packetsDropped() {
        return drops.get(IceDrops.Reason.NOT_DEMULTIPLEXABLE);
    }

    /** Every drop of the UDP port that our code sees, by reason. */
    public IceDrops drops() {
        return drops;
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        if (tcpPort != null) {
            tcpPort.close();
        }
        harvesters.forEach(CheckedUdpHarvester::close);
        senders.values().forEach(UdpSendSocket::close);
    }
}
