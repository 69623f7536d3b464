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

    private final String name;
    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final List<String> localCandidates;
    private final MediaPort port;
    private volatile PacketHandler handler;
    private volatile Listener listener;
    private volatile boolean connected;
    /** When the peer last sent anything to this transport: consent freshness (RFC 7675) in its simplest form. */
    private volatile long lastReceivedNanos = System.nanoTime();
    private volatile boolean closed;
    private boolean started;
    private Thread reader;

    private IceTransport(String name, Agent agent, IceMediaStream stream, Component component,
            List<String> localCandidates, MediaPort port) {
        this.name = name;
        this.agent = agent;
        this.stream = stream;
        this.component = component;
        this.localCandidates = localCandidates;
        this.port = port;
        agent.addStateChangeListener(this::stateChanged);
    }

    static IceTransport server(String name, List<? extends CandidateHarvester> harvesters, List<String> candidates,
            MediaPort port) throws IOException {
        Agent agent = new Agent();
        agent.setControlling(false);
        agent.setUseDynamicPorts(false);
        agent.setPerformConsentFreshness(true);
        harvesters.forEach(agent::addCandidateHarvester);
        IceMediaStream stream = agent.createMediaStream("stream");
        Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
        IceTransport transport = new IceTransport(name, agent, stream, component, candidates, port);
        component.setBufferCallback(buffer -> transport.deliver(buffer.getBuffer(), buffer.getOffset(),
                buffer.getLength()));
        return transport;
    }

    /**
     * A client-side (controlling) transport on a new UDP socket bound to {@code localAddress}, as a
     * browser's would be. One reader thread per transport.
     */
    public static IceTransport client(String name, InetAddress localAddress) {
        Ice4jSettings.apply(java.time.Duration.ofSeconds(30));
        try {
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
            IceTransport transport = new IceTransport(name, agent, stream, component, List.copyOf(candidates), null);
            transport.startReader();
            return transport;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a client ICE agent: " + e.getMessage(), e);
        }
    }

    private void startReader() {
        reader = new Thread(() -> {
            try {
                var socket = component.getSocket();
                while (!closed) {
                    byte[] buf = new byte[1600];
                    DatagramPacket packet = new DatagramPacket(buf, buf.length);
                    socket.receive(packet);
                    deliver(buf, packet.getOffset(), packet.getLength());
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

    public String localUfrag() {
        return agent.getLocalUfrag();
    }

    public String localPassword() {
        return agent.getLocalPassword();
    }

    /** Our candidates, each as an RTCIceCandidate.candidate value ("candidate:1 1 udp ..."). */
    public List<String> localCandidates() {
        return localCandidates;
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
        lastReceivedNanos = System.nanoTime();
        stream.setRemoteUfrag(remoteUfrag);
        stream.setRemotePassword(remotePassword);
        agent.startConnectivityEstablishment();
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

    /** Sends on the selected pair; false when there is none yet (or any more). Thread-safe. */
    public boolean send(byte[] buf, int off, int len) {
        if (closed || !connected) {
            return false;
        }
        try {
            component.send(buf, off, len);
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
        if (!closed && started && nowNanos - lastReceivedNanos > timeoutNanos && !consentFresh(timeoutNanos)) {
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
        CandidatePair pair = component.getSelectedPair();
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
            CandidatePair pair = component.getSelectedPair();
            InetSocketAddress remote = pair == null ? null : pair.getRemoteCandidate().getTransportAddress();
            LOG.debug("{}: ICE connected via {}", name, pair);
            if (l != null) {
                l.onConnected(remote);
            }
        } else if (state == IceProcessingState.FAILED && !closed) {
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
        agent.free();
        if (port != null) {
            port.transportClosed(this);
        }
        if (reader != null) {
            reader.interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
