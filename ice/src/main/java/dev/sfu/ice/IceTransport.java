package dev.sfu.ice;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ICE session (RFC 8445) on ice4j: one stream, one component (BUNDLE and rtcp-mux). On the server
 * it is the controlled agent on the shared {@link MediaPort}, and packets are pushed to the
 * {@link PacketHandler} by the port's receive thread. On the client side ({@link #client}) it is the
 * controlling agent on a socket of its own, read by a thread of its own.
 *
 * <p>The server runs full ICE rather than ICE-lite: ice4j implements it, it gives consent freshness
 * (RFC 7675) on the selected pair, and it lets the server learn peer-reflexive candidates from any
 * source address (a browser on this machine may send from a non-loopback address to 127.0.0.1).
 */
public final class IceTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IceTransport.class);

    /** ICE outcome. Called on ice4j's threads: hand off, do not block. */
    public interface Listener {
        void onConnected(InetSocketAddress remote);

        void onFailed(String reason);
    }

    /**
     * One ice4j agent with its one stream and component, and our candidates on it. An ICE restart
     * replaces the whole session beneath the transport (ice4j cannot restart an agent).
     */
    private record Session(Agent agent, IceMediaStream stream, Component component, List<String> candidates) {
    }

    /** Makes a session: the first, and one per ICE restart. */
    private interface SessionFactory {
        Session create() throws IOException;
    }

    private final String name;
    private final SessionFactory sessions;
    private volatile Session session;
    private final MediaPort port;
    private volatile PacketHandler handler;
    private volatile Listener listener;
    private volatile boolean connected;
    /** When the peer last sent anything to this transport: consent freshness (RFC 7675) in its simplest form. */
    private volatile long lastReceivedNanos = System.nanoTime();
    private volatile boolean closed;
    /** Whether the current session's checks have started (reset by a restart). */
    private boolean started;
    /** Whether the consent watchdog may fail this transport: from the first start on, restarts included. */
    private volatile boolean consentArmed;
    private Thread reader;
    /** The peer's ICE-TCP connections that authenticated (server side); at most {@link IceTcpPort#MAX_AUTHENTICATED_PER_TRANSPORT}. */
    private final java.util.Set<IceTcpConnection> tcpConnections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The ICE-TCP connection chosen as this transport's path (server side), or null while UDP is. */
    private volatile IceTcpConnection tcpSelected;
    /** The client side of ICE-TCP ({@link Mode#TCP}), or null. */
    private volatile IceTcpClient tcpClient;
    private final InetAddress tcpClientAddress;
    private volatile InetSocketAddress remoteTcpCandidate;
    private volatile byte[] localPasswordBytes;

    /** Which network a client-side transport uses. */
    public enum Mode {
        /** ice4j's connectivity checks over UDP. */
        UDP,
        /** An active ICE-TCP connection (RFC 6544) to the server's passive candidate; no UDP at all. */
        TCP
    }

    private IceTransport(String name, SessionFactory sessions, MediaPort port, InetAddress tcpClientAddress)
            throws IOException {
        this.name = name;
        this.sessions = sessions;
        this.port = port;
        this.tcpClientAddress = tcpClientAddress;
        this.tcpClient = newTcpClient();
        this.session = sessions.create();
        watch(session);
    }

    private IceTcpClient newTcpClient() {
        return tcpClientAddress == null ? null
                : new IceTcpClient(name, tcpClientAddress, new IceTcpClient.Events() {
                    @Override
                    public void connected(InetSocketAddress remote) {
                        tcpConnected(remote);
                    }

                    @Override
                    public void failed(String reason) {
                        tcpFailed(reason);
                    }

                    @Override
                    public void received(byte[] buf, int off, int len) {
                        deliver(buf, off, len);
                    }
                });
    }

    /** Listens to a session's state and packets; events of a session replaced by a restart are ignored. */
    private void watch(Session s) {
        s.agent().addStateChangeListener(event -> {
            if (session == s) {
                stateChanged(event);
            }
        });
        if (port != null) {
            s.component().setBufferCallback(buffer -> deliverUdp(s, buffer));
        }
    }

    static IceTransport server(String name, List<? extends CandidateHarvester> harvesters, List<String> candidates,
            MediaPort port) throws IOException {
        return new IceTransport(name, () -> {
            Agent agent = new Agent();
            agent.setControlling(false);
            agent.setUseDynamicPorts(false);
            agent.setPerformConsentFreshness(true);
            harvesters.forEach(agent::addCandidateHarvester);
            IceMediaStream stream = agent.createMediaStream("stream");
            Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
            return new Session(agent, stream, component, candidates);
        }, port, null);
    }

    /**
     * A client-side (controlling) transport on a new UDP socket bound to {@code localAddress}, as a
     * browser's would be. One reader thread per transport.
     */
    public static IceTransport client(String name, InetAddress localAddress) {
        return client(name, localAddress, Mode.UDP);
    }

    /**
     * A client-side (controlling) transport over UDP, as {@link #client(String, InetAddress)}, or over
     * ICE-TCP only ({@link Mode#TCP}): then it connects to the first passive TCP candidate of the server
     * and never sends UDP, as a browser behind a firewall that blocks UDP would.
     */
    public static IceTransport client(String name, InetAddress localAddress, Mode mode) {
        Ice4jSettings.apply(java.time.Duration.ofSeconds(30));
        try {
            if (mode == Mode.TCP) {
                // The agent only makes our credentials: the TCP client does the checks.
                return new IceTransport(name, () -> {
                    Agent agent = new Agent();
                    agent.setControlling(true);
                    agent.setUseDynamicPorts(false);
                    IceMediaStream stream = agent.createMediaStream("stream");
                    try {
                        Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
                        return new Session(agent, stream, component, List.of());
                    } catch (IOException | RuntimeException e) {
                        agent.free();
                        throw e;
                    }
                }, null, localAddress);
            }
            IceTransport transport = new IceTransport(name, () -> {
                Agent agent = new Agent();
                agent.setControlling(true);
                agent.setUseDynamicPorts(false);
                agent.addCandidateHarvester(new LocalHostHarvester(localAddress));
                IceMediaStream stream = agent.createMediaStream("stream");
                Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
                List<String> candidates = new java.util.ArrayList<>();
                int foundation = 1;
                for (LocalCandidate c : component.getLocalCandidates()) {
                    TransportAddress a = c.getTransportAddress();
                    candidates.add("candidate:" + foundation++ + " 1 udp " + c.getPriority() + " "
                            + a.getHostAddress() + " " + a.getPort() + " typ host generation 0");
                }
                return new Session(agent, stream, component, List.copyOf(candidates));
            }, null, null);
            transport.startReader();
            return transport;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot create a client ICE agent: " + e.getMessage(), e);
        }
    }

    /**
     * ICE restart (RFC 8445 §2.4, RFC 8839 §4.4.1.1.1): a fresh session with new local credentials (and, on
     * a client, a new socket) replaces the current one beneath whatever runs above (DTLS and SRTP go on).
     * {@link #start} must be called again with the peer's new credentials. Until the new session connects,
     * {@link #send} fails; the consent timeout keeps running from now.
     */
    public synchronized void restart() throws IOException {
        if (closed) {
            return;
        }
        Session old = session;
        Session fresh = sessions.create();
        connected = false;
        started = false;
        tcpSelected = null;
        localPasswordBytes = null;
        lastReceivedNanos = System.nanoTime();
        session = fresh;
        watch(fresh);
        if (port != null) {
            port.sessionRestarted(this, old.agent().getLocalUfrag());
        }
        for (IceTcpConnection c : tcpConnections) {
            c.close();
        }
        IceTcpClient oldTcp = tcpClient;
        if (oldTcp != null) {
            tcpClient = newTcpClient();
            oldTcp.close();
        }
        old.agent().free();
        if (port == null && tcpClientAddress == null) {
            startReader();
        }
        LOG.debug("{}: ICE restart, new ufrag {}", name, fresh.agent().getLocalUfrag());
    }

    private void startReader() {
        Session mine = session;
        reader = new Thread(() -> {
            try {
                var socket = mine.component().getSocket();
                while (!closed && session == mine) {
                    byte[] buf = new byte[1600];
                    DatagramPacket packet = new DatagramPacket(buf, buf.length);
                    socket.receive(packet);
                    if (session == mine) {
                        deliver(buf, packet.getOffset(), packet.getLength());
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.debug("{}: reader stopped: {}", name, e.toString());
                }
            }
        }, "ice-client-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void deliver(byte[] buf, int off, int len) {
        if (len <= 0 || closed) {
            return;
        }
        lastReceivedNanos = System.nanoTime();
        int kind = PacketKind.classify(buf[off]);
        if (kind == PacketKind.STUN) {
            return; // ice4j answers STUN itself
        }
        PacketHandler h = handler;
        if (h == null || kind == PacketKind.UNKNOWN) {
            if (port != null) {
                port.countDropped();
            }
            return;
        }
        h.onPacket(buf, off, len);
    }

    /**
     * A datagram of session {@code s} from the media port's receive thread (ice4j's push API), in a buffer
     * from ice4j's {@code BufferPool}. A pooled one ({@link Ice4jBufferPool}) goes to the handler with
     * {@link PacketHandler#onPooledPacket}, whose release gives it back to the pool; every other way out
     * gives it back here at once. An unpooled one (the pool's fallback) is the handler's to keep, as before.
     * Must not throw: ice4j would then return the buffer itself, a second time.
     */
    private void deliverUdp(Session s, org.ice4j.util.Buffer buffer) {
        Ice4jBufferPool pool = Ice4jBufferPool.installed();
        if (pool == null || !pool.owns(buffer)) {
            if (session == s) {
                deliver(buffer.getBuffer(), buffer.getOffset(), buffer.getLength());
            }
            return;
        }
        byte[] buf = buffer.getBuffer();
        int off = buffer.getOffset();
        int len = buffer.getLength();
        if (session != s || len <= 0 || closed) {
            pool.returnBuffer(buffer);
            return;
        }
        // As deliver(), with the pooled buffer.
        lastReceivedNanos = System.nanoTime();
        int kind = PacketKind.classify(buf[off]);
        PacketHandler h = handler;
        if (kind == PacketKind.STUN || h == null || kind == PacketKind.UNKNOWN) {
            pool.returnBuffer(buffer);
            if (kind != PacketKind.STUN && port != null) {
                port.countDropped();
            }
            return;
        }
        try {
            h.onPooledPacket(buf, off, len, pool); // the handler's now, whatever happens
        } catch (RuntimeException e) {
            LOG.warn("{}: packet handler failed", name, e);
        }
    }

    public String localUfrag() {
        return session.agent().getLocalUfrag();
    }

    public String localPassword() {
        return session.agent().getLocalPassword();
    }

    /** Our candidates, each as an RTCIceCandidate.candidate value ("candidate:1 1 udp ..."). */
    public List<String> localCandidates() {
        return session.candidates();
    }

    public void setPacketHandler(PacketHandler handler) {
        this.handler = handler;
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    /** Starts connectivity checks with the remote credentials; remote candidates may come before or after. */
    public synchronized void start(String remoteUfrag, String remotePassword) {
        if (started || closed) {
            return;
        }
        started = true;
        consentArmed = true;
        lastReceivedNanos = System.nanoTime();
        Session s = session;
        s.stream().setRemoteUfrag(remoteUfrag);
        s.stream().setRemotePassword(remotePassword);
        IceTcpClient tcpClient = this.tcpClient;
        if (tcpClient != null) {
            InetSocketAddress server = remoteTcpCandidate;
            if (server == null) {
                tcpFailed("no passive TCP candidate from the server");
            } else {
                tcpClient.start(server, localUfrag(), remoteUfrag, remotePassword);
            }
            return;
        }
        s.agent().startConnectivityEstablishment();
    }

    /**
     * Adds a remote candidate (a=candidate value, with or without the "candidate:" prefix). Candidates
     * ICE here cannot use (TCP, mDNS .local names, malformed) are ignored: peer-reflexive discovery
     * still finds the client.
     */
    public synchronized void addRemoteCandidate(String candidate) {
        if (closed || candidate == null) {
            return;
        }
        String text = candidate.startsWith("candidate:") ? candidate.substring(10) : candidate;
        String[] f = text.trim().split(" +");
        if (tcpClient != null) {
            rememberPassiveTcpCandidate(f);
            return;
        }
        if (f.length < 8 || !f[2].equalsIgnoreCase("udp") || !f[6].equals("typ") || !f[1].equals("1")) {
            return;
        }
        String host = f[4];
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            return; // a hostname (mDNS): never resolved here
        }
        try {
            long priority = Long.parseLong(f[3]);
            int remotePort = Integer.parseInt(f[5]);
            CandidateType type = CandidateType.parse(f[7]);
            TransportAddress address = new TransportAddress(host, remotePort, Transport.UDP);
            Component component = session.component();
            RemoteCandidate remote = new RemoteCandidate(address, component, type, f[0], priority, null);
            if (started) {
                component.addUpdateRemoteCandidates(remote);
                component.updateRemoteCandidates();
            } else {
                component.addRemoteCandidate(remote);
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: ignoring candidate {}: {}", name, candidate, e.toString());
        }
    }

    /** The first "tcp ... tcptype passive" candidate with a numeric address: where a TCP client connects. */
    private void rememberPassiveTcpCandidate(String[] f) {
        if (remoteTcpCandidate != null || f.length < 10 || !f[2].equalsIgnoreCase("tcp") || !f[1].equals("1")
                || !String.join(" ", f).contains("tcptype passive")) {
            return;
        }
        try {
            if (f[4].matches("[0-9.]+") || f[4].contains(":")) {
                remoteTcpCandidate = new InetSocketAddress(InetAddress.getByName(f[4]), Integer.parseInt(f[5]));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: ignoring TCP candidate: {}", name, e.toString());
        }
    }

    /** Sends on the selected pair; false when there is none yet (or any more). Thread-safe. */
    public boolean send(byte[] buf, int off, int len) {
        IceTcpConnection tcp = tcpSelected;
        if (tcp != null) {
            return !closed && tcp.send(buf, off, len);
        }
        IceTcpClient tcpClient = this.tcpClient;
        if (tcpClient != null) {
            return !closed && connected && tcpClient.send(buf, off, len);
        }
        if (closed || !connected) {
            return false;
        }
        try {
            session.component().send(buf, off, len);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public boolean isConnected() {
        return connected && !closed;
    }

    /**
     * Declares the transport failed when for {@code timeoutNanos} the peer has sent nothing and answered
     * none of our consent checks: its network is gone. Called by the media port's watchdog.
     */
    void checkConsent(long nowNanos, long timeoutNanos) {
        if (!closed && consentArmed && nowNanos - lastReceivedNanos > timeoutNanos && !consentFresh(timeoutNanos)) {
            Listener l = listener;
            LOG.info("{}: nothing from the peer for {} s: consent expired", name, timeoutNanos / 1_000_000_000L);
            close();
            if (l != null) {
                l.onFailed("consent expired");
            }
        }
    }

    /**
     * Whether the peer answered one of ice4j's consent checks (RFC 7675 Binding requests on the selected
     * pair) within the timeout: a peer that sends no media but still answers is still there.
     */
    private boolean consentFresh(long timeoutNanos) {
        if (tcpSelected != null) {
            return false; // over TCP the peer's consent requests count as received (lastReceivedNanos)
        }
        CandidatePair pair = session.component().getSelectedPair();
        if (pair == null) {
            return false;
        }
        long freshness = pair.getConsentFreshness();
        return freshness > 0 && System.currentTimeMillis() - freshness < timeoutNanos / 1_000_000L;
    }

    private void stateChanged(PropertyChangeEvent event) {
        if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(event.getPropertyName())) {
            return;
        }
        IceProcessingState state = (IceProcessingState) event.getNewValue();
        Listener l = listener;
        if (closed) {
            return; // agent.free() moves the agent to TERMINATED: that is no connection
        }
        if ((state == IceProcessingState.COMPLETED || state == IceProcessingState.TERMINATED) && !connected) {
            connected = true;
            CandidatePair pair = session.component().getSelectedPair();
            InetSocketAddress remote = pair == null ? null : pair.getRemoteCandidate().getTransportAddress();
            LOG.debug("{}: ICE connected via {}", name, pair);
            if (l != null) {
                l.onConnected(remote);
            }
        } else if (state == IceProcessingState.FAILED && !closed && tcpSelected == null) {
            connected = false;
            if (l != null) {
                l.onFailed(started ? "connectivity or consent lost" : "ICE failed");
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        connected = false;
        session.agent().free();
        if (port != null) {
            port.transportClosed(this);
        }
        for (IceTcpConnection c : tcpConnections) {
            c.close();
        }
        if (tcpClient != null) {
            tcpClient.close();
        }
        if (reader != null) {
            reader.interrupt();
        }
    }

    // ICE-TCP, server side: called by the port's selector thread.

    byte[] localPasswordBytes() {
        byte[] b = localPasswordBytes;
        if (b == null) {
            b = session.agent().getLocalPassword().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            localPasswordBytes = b;
        }
        return b;
    }

    boolean isClosed() {
        return closed;
    }

    /** Authenticated ICE-TCP connections open now (the port caps them per transport). */
    int tcpConnectionCount() {
        return tcpConnections.size();
    }

    void addTcpConnection(IceTcpConnection c) {
        tcpConnections.add(c);
        if (closed) {
            c.close(); // closed meanwhile: its loop above may have missed this one
        }
    }

    /** A valid Binding request arrived on {@code c}: consent, and with USE-CANDIDATE the nomination. */
    void tcpBindingRequest(IceTcpConnection c, boolean useCandidate) {
        lastReceivedNanos = System.nanoTime();
        if (useCandidate) {
            selectTcp(c);
        }
    }

    /**
     * A non-STUN frame on {@code c}. The frame is copied out of the connection's read buffer (which the
     * next read reuses) into one of the connection's pooled buffers, which the handler gives back when
     * done: no allocation once the pool has warmed up. A frame too big for it, or one that finds every
     * pooled buffer still in flight, is copied into a new array instead.
     */
    void receiveTcp(IceTcpConnection c, byte[] buf, int off, int len) {
        if (tcpSelected != c) {
            selectTcp(c); // RFC 8445 §7.3.1.5 aggressive-style: media on a checked pair means it is in use
        }
        BufferPool pool = c.receiveBuffers;
        byte[] pooled = len <= pool.bufferSize() ? pool.take() : null;
        if (pooled == null) {
            deliver(java.util.Arrays.copyOfRange(buf, off, off + len), 0, len);
            return;
        }
        if (len <= 0 || closed) {
            pool.release(pooled);
            return;
        }
        // As deliver(), with the pooled copy.
        lastReceivedNanos = System.nanoTime();
        int kind = PacketKind.classify(buf[off]);
        PacketHandler h = handler;
        if (kind == PacketKind.STUN || h == null || kind == PacketKind.UNKNOWN) {
            pool.release(pooled);
            if (kind != PacketKind.STUN && port != null) {
                port.countDropped();
            }
            return;
        }
        System.arraycopy(buf, off, pooled, 0, len);
        h.onPooledPacket(pooled, 0, len, pool);
    }

    private void selectTcp(IceTcpConnection c) {
        if (closed || c.isClosed()) {
            return;
        }
        tcpSelected = c;
        if (!connected) {
            connected = true;
            LOG.debug("{}: ICE connected over TCP from {}", name, c.remote);
            Listener l = listener;
            if (l != null) {
                l.onConnected(c.remote);
            }
        }
    }

    void tcpConnectionClosed(IceTcpConnection c) {
        tcpConnections.remove(c);
        if (tcpSelected == c && !closed) {
            tcpFailed("ICE-TCP connection closed");
        }
    }

    // ICE-TCP, client side.

    private void tcpConnected(InetSocketAddress remote) {
        if (closed) {
            return;
        }
        connected = true;
        lastReceivedNanos = System.nanoTime();
        Listener l = listener;
        if (l != null) {
            l.onConnected(remote);
        }
    }

    private void tcpFailed(String reason) {
        if (closed) {
            return;
        }
        Listener l = listener;
        close();
        if (l != null) {
            l.onFailed(reason);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
