package dev.sfu.ice;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;

/**
 * One ice4j agent with its one stream and one component (BUNDLE, rtcp-mux), and our candidates on it: the
 * part of an {@link IceTransport} that an ICE restart replaces (ice4j cannot restart an agent). Three
 * kinds: the server's controlled agent on the shared media port, a client's controlling agent on a UDP
 * socket of its own, and a credentials-only agent for a client on ICE-TCP.
 */
final class IceSession {
    /** Makes a session: the first of a transport, and one per ICE restart. */
    interface Factory {
        IceSession create() throws IOException;
    }

    final Agent agent;
    final IceMediaStream stream;
    final Component component;
    /** Our candidates, each as an RTCIceCandidate.candidate value ("candidate:1 1 udp ..."). */
    final List<String> candidates;
    /** Candidates the peer signalled for this session (under the transport's monitor). */
    int remoteCandidatesSignalled;
    /** UDP source addresses the media port accepted for this session's ufrag. */
    private final java.util.Set<java.net.InetSocketAddress> udpSources = new java.util.HashSet<>();

    private IceSession(Agent agent, IceMediaStream stream, Component component, List<String> candidates) {
        this.agent = agent;
        this.stream = stream;
        this.component = component;
        this.candidates = candidates;
    }

    /** The server's controlled agent: its candidates are the media port's, written by the port. */
    static Factory controlled(List<? extends CandidateHarvester> harvesters, List<String> candidates) {
        return () -> {
            Agent agent = new Agent();
            try {
                agent.setControlling(false);
                // On the subscribe transport the server offers and the browser answers, so both start
                // controlled (RFC 8445 §6.1.1 would make the offerer controlling). The role conflict is
                // settled by tie-breakers (§7.3.1.1): the smaller one switches. With ours the smallest
                // possible, the server takes the controlling role on the browser's first check and
                // answers it; it never answers 487 (Role Conflict), from which Firefox does not recover:
                // it retried the same check until its ICE failed, in about half of its calls.
                agent.setTieBreaker(0);
                agent.setUseDynamicPorts(false);
                agent.setPerformConsentFreshness(true);
                harvesters.forEach(agent::addCandidateHarvester);
                IceMediaStream stream = agent.createMediaStream("stream");
                Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
                return new IceSession(agent, stream, component, candidates);
            } catch (IOException | RuntimeException e) {
                agent.free();
                throw e;
            }
        };
    }

    /** A client's controlling agent on a new UDP socket bound to {@code localAddress}, loopback included. */
    static Factory controllingUdp(InetAddress localAddress) {
        return () -> {
            Agent agent = new Agent();
            try {
                agent.setControlling(true);
                agent.setUseDynamicPorts(false);
                agent.addCandidateHarvester(new LocalHostHarvester(localAddress));
                IceMediaStream stream = agent.createMediaStream("stream");
                Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
                List<String> candidates = new ArrayList<>();
                int foundation = 1;
                for (LocalCandidate c : component.getLocalCandidates()) {
                    TransportAddress a = c.getTransportAddress();
                    candidates.add("candidate:" + foundation++ + " 1 udp " + c.getPriority() + " "
                            + a.getHostAddress() + " " + a.getPort() + " typ host generation 0");
                }
                return new IceSession(agent, stream, component, List.copyOf(candidates));
            } catch (IOException | RuntimeException e) {
                agent.free();
                throw e;
            }
        };
    }

    /** A client on ICE-TCP: the agent only makes our credentials; {@link IceTcpClient} does the checks. */
    static Factory credentialsOnly() {
        return () -> {
            Agent agent = new Agent();
            agent.setControlling(true);
            agent.setUseDynamicPorts(false);
            IceMediaStream stream = agent.createMediaStream("stream");
            try {
                Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
                return new IceSession(agent, stream, component, List.of());
            } catch (IOException | RuntimeException e) {
                agent.free();
                throw e;
            }
        };
    }

    String localUfrag() {
        return agent.getLocalUfrag();
    }

    String localPassword() {
        return agent.getLocalPassword();
    }

    void setRemoteCredentials(String ufrag, String password) {
        stream.setRemoteUfrag(ufrag);
        stream.setRemotePassword(password);
    }

    /** Adds a remote UDP candidate of component 1; after the checks started, as an update (trickle). */
    void addRemoteCandidate(TransportAddress address, CandidateType type, String foundation, long priority,
            boolean checksStarted) {
        RemoteCandidate remote = new RemoteCandidate(address, component, type, foundation, priority, null);
        if (checksStarted) {
            component.addUpdateRemoteCandidates(remote);
            component.updateRemoteCandidates();
        } else {
            component.addRemoteCandidate(remote);
        }
    }

    static TransportAddress udpAddress(InetAddress address, int port) {
        return new TransportAddress(address, port, Transport.UDP);
    }

    /**
     * Takes a new UDP source address for this session's ufrag, unless it has {@code max} already. On the
     * media port's receive threads (one per bound address), once per new address, not per packet.
     */
    synchronized boolean reserveUdpSource(java.net.InetSocketAddress source, int max) {
        return udpSources.contains(source) || (udpSources.size() < max && udpSources.add(source));
    }

    /** ice4j did not take the address after all: it frees its place. */
    synchronized void releaseUdpSource(java.net.InetSocketAddress source) {
        udpSources.remove(source);
    }

    CandidatePair selectedPair() {
        return component.getSelectedPair();
    }

    /**
     * Whether the peer answered one of ice4j's consent checks (RFC 7675 Binding requests on the selected
     * pair) within the timeout: a peer that sends no media but still answers is still there.
     */
    boolean consentAnsweredWithin(long timeoutNanos) {
        CandidatePair pair = component.getSelectedPair();
        if (pair == null) {
            return false;
        }
        long freshness = pair.getConsentFreshness();
        return freshness > 0 && System.currentTimeMillis() - freshness < timeoutNanos / 1_000_000L;
    }

    void send(byte[] buf, int off, int len) throws IOException {
        component.send(buf, off, len);
    }

    /** Frees the agent and closes explicitly the descriptors ice4j would leave to the GC ({@link Ice4jSockets}). */
    void free() {
        var stunSockets = Ice4jSockets.stunSockets(component);
        agent.free();
        stunSockets.forEach(Ice4jSockets::closeDescriptor);
    }
}
