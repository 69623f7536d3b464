package dev.sfu.ice;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ICE transport (RFC 8445): what sfu-core and the load harness use. On the server it is the controlled
 * agent on the shared {@link MediaPort}, and packets are pushed to the {@link PacketHandler} by the port's
 * receive thread (or its ICE-TCP selector). On the client side ({@link #client}) it is the controlling
 * agent on a socket of its own, or on ICE-TCP only.
 *
 * <p>This class holds the transport's state (connected, closed, started) and its API; the jobs are
 * elsewhere: {@link IceSession} (the ice4j agent an ICE restart replaces), {@link InboundPackets}
 * (demultiplexing and consent's last-heard time), {@link IceTcpPaths} (the server's ICE-TCP connections),
 * {@link IceTcpClient} and {@link ClientUdpReader} (client roles), {@link CandidateLine} and
 * {@link RemoteCandidates} (the peer's candidates, under its {@link RemoteCandidatePolicy}). It is still
 * about 420 lines because most of them document the public API sfu-core and the load harness call.
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

    /** Which network a client-side transport uses. */
    public enum Mode {
        /** ice4j's connectivity checks over UDP. */
        UDP,
        /** An active ICE-TCP connection (RFC 6544) to the server's passive candidate; no UDP at all. */
        TCP
    }

    private final String name;
    private final IceSession.Factory sessions;
    private volatile IceSession session;
    /** The media port of a server transport; null on a client. */
    private final MediaPort port;
    private final InboundPackets inbound;
    private final RemoteCandidates remoteCandidates;
    /** Server side: the peer's ICE-TCP connections. */
    private final IceTcpPaths tcpPaths;
    private volatile Listener listener;
    private volatile boolean connected;
    private volatile boolean closed;
    /** Whether the current session's checks have started (reset by a restart). */
    private boolean started;
    /** Whether the consent watchdog may fail this transport: from the first start on, restarts included. */
    private volatile boolean consentArmed;
    /** Client over UDP: the current session's reader. */
    private ClientUdpReader reader;
    /** Client over ICE-TCP ({@link Mode#TCP}): the local address its connections start from, else null. */
    private final InetAddress tcpClientAddress;
    private volatile IceTcpClient tcpClient;
    private volatile byte[] localPasswordBytes;
    /** The batched sends' route for the selected pair it was made for (see {@link #send(UdpBatch, byte[], int, int)}). */
    private UdpRoute route;

    private IceTransport(String name, IceSession.Factory sessions, MediaPort port, InetAddress tcpClientAddress,
            RemoteCandidatePolicy policy) throws IOException {
        this.name = name;
        this.sessions = sessions;
        this.port = port;
        this.tcpClientAddress = tcpClientAddress;
        this.remoteCandidates = new RemoteCandidates(name, policy, port == null ? null : port.drops());
        this.inbound = new InboundPackets(name, new InboundPackets.Owner() {
            @Override
            public boolean isClosed() {
                return closed;
            }

            @Override
            public void countDropped() {
                if (port != null) {
                    port.countDropped();
                }
            }
        });
        this.tcpPaths = new IceTcpPaths(new IceTcpPaths.Owner() {
            @Override
            public boolean isClosed() {
                return closed;
            }

            @Override
            public void connectedOverTcp(InetSocketAddress remote) {
                if (!connected) {
                    LOG.debug("{}: ICE connected over TCP from {}", name, remote);
                    connectedTo(remote);
                }
            }

            @Override
            public void selectedPathClosed() {
                failAndClose("ICE-TCP connection closed");
            }
        }, inbound);
        this.tcpClient = newTcpClient();
        this.session = sessions.create();
        watch(session);
    }

    static IceTransport server(String name, List<? extends CandidateHarvester> harvesters, List<String> candidates,
            MediaPort port, RemoteCandidatePolicy policy) throws IOException {
        return new IceTransport(name, IceSession.controlled(harvesters, candidates), port, null, policy);
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
                return new IceTransport(name, IceSession.credentialsOnly(), null, localAddress,
                        RemoteCandidatePolicy.permissive());
            }
            IceTransport transport = new IceTransport(name, IceSession.controllingUdp(localAddress), null, null,
                    RemoteCandidatePolicy.permissive());
            transport.startReader();
            return transport;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot create a client ICE agent: " + e.getMessage(), e);
        }
    }

    private IceTcpClient newTcpClient() {
        return tcpClientAddress == null ? null
                : new IceTcpClient(name, tcpClientAddress, new IceTcpClient.Events() {
                    @Override
                    public void connected(InetSocketAddress remote) {
                        if (!closed) {
                            inbound.heard();
                            connectedTo(remote);
                        }
                    }

                    @Override
                    public void failed(String reason) {
                        failAndClose(reason);
                    }

                    @Override
                    public void received(byte[] buf, int off, int len) {
                        inbound.deliver(buf, off, len);
                    }
                });
    }

    /** Listens to a session's state and packets; events of a session replaced by a restart are ignored. */
    private void watch(IceSession s) {
        s.agent.addStateChangeListener(event -> {
            if (session == s) {
                stateChanged(event);
            }
        });
        if (port != null) {
            s.component.setBufferCallback(buffer -> inbound.deliverUdp(buffer, session == s));
        }
    }

    private void startReader() {
        IceSession mine = session;
        reader = new ClientUdpReader(name, mine, inbound, () -> !closed && session == mine);
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
        IceSession old = session;
        IceSession fresh = sessions.create();
        connected = false;
        started = false;
        localPasswordBytes = null;
        inbound.heard();
        tcpPaths.closeAll(); // before the swap: a closing connection must not fail the new session
        session = fresh;
        watch(fresh);
        if (port != null) {
            port.sessionRestarted(this, old.localUfrag());
        }
        IceTcpClient oldTcp = tcpClient;
        if (oldTcp != null) {
            tcpClient = newTcpClient();
            oldTcp.close();
        }
        old.free();
        if (port == null && tcpClientAddress == null) {
            startReader();
        }
        LOG.debug("{}: ICE restart, new ufrag {}", name, fresh.localUfrag());
    }

    public String localUfrag() {
        return session.localUfrag();
    }

    public String localPassword() {
        return session.localPassword();
    }

    /** Our candidates, each as an RTCIceCandidate.candidate value ("candidate:1 1 udp ..."). */
    public List<String> localCandidates() {
        return session.candidates;
    }

    public void setPacketHandler(PacketHandler handler) {
        inbound.setHandler(handler);
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    /**
     * Starts connectivity checks with the remote credentials; remote candidates may come before or after.
     * Under a policy that validates credentials ({@link RemoteCandidatePolicy#strict()}), a ufrag or
     * password that RFC 8839 §5.4 does not allow fails the transport instead (counted as
     * {@code bad-remote-credentials}): the ufrag would go into every Binding request we send.
     */
    public synchronized void start(String remoteUfrag, String remotePassword) {
        if (started || closed) {
            return;
        }
        String problem = remoteCandidates.credentialsProblem(remoteUfrag, remotePassword);
        if (problem != null) {
            LOG.info("{}: refusing the peer's ICE credentials: {}", name, problem);
            failAndClose("invalid remote ICE credentials: " + problem);
            return;
        }
        started = true;
        consentArmed = true;
        inbound.heard();
        IceSession s = session;
        s.setRemoteCredentials(remoteUfrag, remotePassword);
        IceTcpClient tcp = tcpClient;
        if (tcp != null) {
            InetSocketAddress server = remoteCandidates.passiveTcp();
            if (server == null) {
                failAndClose("no passive TCP candidate from the server");
            } else {
                tcp.start(server, localUfrag(), remoteUfrag, remotePassword);
            }
            return;
        }
        s.agent.startConnectivityEstablishment();
    }

    /**
     * Adds a remote candidate (a=candidate value, with or without the "candidate:" prefix). Candidates
     * ICE here cannot use (TCP, mDNS .local names, malformed) are ignored: peer-reflexive discovery
     * still finds the client.
     */
    public synchronized void addRemoteCandidate(String candidate) {
        if (closed) {
            return;
        }
        if (tcpClient != null) {
            remoteCandidates.rememberPassiveTcp(candidate);
        } else {
            remoteCandidates.addUdp(session, candidate, started);
        }
    }

    /** Sends on the selected pair; false when there is none yet (or any more). Thread-safe. */
    public boolean send(byte[] buf, int off, int len) {
        IceTcpConnection tcp = tcpPaths.selected();
        if (tcp != null) {
            return !closed && tcp.send(buf, off, len);
        }
        IceTcpClient client = tcpClient;
        if (client != null) {
            return !closed && connected && client.send(buf, off, len);
        }
        if (closed || !connected) {
            return false;
        }
        try {
            session.send(buf, off, len);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Sends on the selected pair as {@link #send(byte[], int, int)} does, but through {@code batch} when
     * the pair is UDP on the media port: the datagram is copied into the batch and leaves with its next
     * {@link UdpBatch#flush()}, from our own socket on the media port (not through ice4j). ICE-TCP, a
     * client's transport, a pair not on the media port, a null batch or a call from another thread than
     * the batch's owner all take the immediate path. Call it on the batch's owner thread.
     */
    public boolean send(UdpBatch batch, byte[] buf, int off, int len) {
        if (batch != null && port != null && connected && !closed && batch.isOwnerThread()) {
            UdpRoute r = udpRoute();
            if (r != null && batch.add(r, buf, off, len)) {
                return true;
            }
        }
        return send(buf, off, len);
    }

    /** The route of the selected pair on our sending socket, or null (ICE-TCP, no pair, not ours). */
    private UdpRoute udpRoute() {
        if (tcpPaths.selected() != null) {
            return null;
        }
        CandidatePair pair = session.selectedPair();
        if (pair == null) {
            return null;
        }
        UdpRoute r = route;
        if (r == null || r.pair != pair) {
            // Once per selected pair (a restart or a new nomination makes another): not per packet.
            r = port.route(pair);
            route = r;
        }
        return r.socket == null ? null : r;
    }

    public boolean isConnected() {
        return connected && !closed;
    }

    /**
     * Declares the transport failed when for {@code timeoutNanos} the peer has sent nothing and answered
     * none of our consent checks: its network is gone. Called by the media port's watchdog.
     */
    void checkConsent(long nowNanos, long timeoutNanos) {
        if (!closed && consentArmed && nowNanos - inbound.lastReceivedNanos() > timeoutNanos
                && (tcpPaths.selected() != null || !session.consentAnsweredWithin(timeoutNanos))) {
            // Over TCP the peer's own consent requests count as received (InboundPackets.heard).
            LOG.info("{}: nothing from the peer for {} s: consent expired", name, timeoutNanos / 1_000_000_000L);
            failAndClose("consent expired");
        }
    }

    private void stateChanged(PropertyChangeEvent event) {
        if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(event.getPropertyName()) || closed) {
            return; // agent.free() moves the agent to TERMINATED: that is no connection
        }
        IceProcessingState state = (IceProcessingState) event.getNewValue();
        if ((state == IceProcessingState.COMPLETED || state == IceProcessingState.TERMINATED) && !connected) {
            CandidatePair pair = session.selectedPair();
            LOG.debug("{}: ICE connected via {}", name, pair);
            connectedTo(pair == null ? null : pair.getRemoteCandidate().getTransportAddress());
        } else if (state == IceProcessingState.FAILED && tcpPaths.selected() == null) {
            connected = false;
            Listener l = listener;
            if (l != null) {
                l.onFailed(started ? "connectivity or consent lost" : "ICE failed");
            }
        }
    }

    private void connectedTo(InetSocketAddress remote) {
        connected = true;
        Listener l = listener;
        if (l != null) {
            l.onConnected(remote);
        }
    }

    /** Closes, then tells the listener why (consent expired, the ICE-TCP path closed or failed). */
    private void failAndClose(String reason) {
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
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        connected = false;
        session.free();
        if (port != null) {
            port.transportClosed(this);
        }
        tcpPaths.closeAll();
        if (tcpClient != null) {
            tcpClient.close();
        }
        if (reader != null) {
            reader.interrupt();
        }
    }

    // What the media port and its ICE-TCP side ask of a server transport.

    byte[] localPasswordBytes() {
        byte[] b = localPasswordBytes;
        if (b == null) {
            b = session.localPassword().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            localPasswordBytes = b;
        }
        return b;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * The media port's check of a new UDP source address for this transport's current ufrag (after its
     * first Binding request authenticated): null to accept it, or why not. On a receive thread.
     */
    IceDrops.Reason admitUdpSource(java.net.InetSocketAddress source) {
        return remoteCandidates.admitUdpSource(session, source);
    }

    /** ice4j did not take a source that {@link #admitUdpSource} accepted. */
    void releaseUdpSource(java.net.InetSocketAddress source) {
        session.releaseUdpSource(source);
    }

    /** The current ice4j session (tests look at its sockets). */
    IceSession session() {
        return session;
    }

    /** The peer's ICE-TCP connections to this transport (server side). */
    IceTcpPaths tcp() {
        return tcpPaths;
    }

    @Override
    public String toString() {
        return name;
    }
}
