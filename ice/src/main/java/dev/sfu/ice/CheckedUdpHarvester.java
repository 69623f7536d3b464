package dev.sfu.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.ice4j.util.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media port's harvester on one local address: ice4j's single-port listener (one bound socket, one
 * receive thread, datagrams routed by source address) with ice4j's {@code SinglePortUdpHarvester} replaced
 * in two ways.
 * <ul>
 * <li>The first Binding request from a new address is checked before it becomes a session: the ufrag must
 * be a live transport's, the FINGERPRINT right and the MESSAGE-INTEGRITY made with that transport's
 * password; then the transport's {@link RemoteCandidatePolicy} must allow the source address and its ufrag
 * have room for another one. Otherwise it is dropped and counted by reason, and no per-address state is
 * created for it (so no check or answer is ever sent there). (ice4j itself only checks that the ufrag
 * exists; it verifies MESSAGE-INTEGRITY later, on its STUN stack, without telling anyone.)
 * <li>Each transport's candidate is a {@link SharedPortCandidate}, which gives the per-address socket to
 * the STUN stack without ice4j's multiplexing sockets and their receive queues.
 * </ul>
 */
final class CheckedUdpHarvester extends AbstractUdpListener implements CandidateHarvester {
    private static final Logger LOG = LoggerFactory.getLogger(CheckedUdpHarvester.class);

    /** The candidate of each transport (agent) harvested here, by its local ufrag. */
    private final Map<String, SharedPortCandidate> candidates = new ConcurrentHashMap<>();
    private final HarvestStatistics harvestStatistics = new HarvestStatistics();
    private volatile Function<String, IceTransport> transportsByUfrag;
    private volatile IceDrops drops;
    private volatile StunSelfCheck selfCheck;

    CheckedUdpHarvester(TransportAddress address) throws IOException {
        super(address);
    }

    /** A host candidate on this port for the component's agent (one stream of one component, as ours are). */
    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        IceMediaStream stream = component.getParentStream();
        Agent agent = stream.getParentAgent();
        if (stream.getComponentCount() != 1 || agent.getStreamCount() != 1) {
            LOG.warn("a shared-port candidate needs an agent of one stream with one component");
            return List.of();
        }
        SharedPortCandidate candidate = new SharedPortCandidate(localAddress, component, agent.getLocalUfrag(),
                c -> candidates.remove(c.ufrag(), c));
        candidates.put(candidate.ufrag(), candidate);
        if (!component.addLocalCandidate(candidate)) {
            // ice4j found it redundant and will never free it: it must not stay reachable from here.
            candidates.remove(candidate.ufrag(), candidate);
            return List.of();
        }
        return List.of(candidate);
    }

    @Override
    public HarvestStatistics getHarvestStatistics() {
        return harvestStatistics;
    }

    @Override
    public boolean isHostHarvester() {
        return true;
    }

    /** Set once, right after construction; until then (no transport exists yet) ice4j decides alone. */
    void checkWith(Function<String, IceTransport> transportsByUfrag, IceDrops drops) {
        this.drops = drops;
        this.transportsByUfrag = transportsByUfrag;
    }

    /** Answers the server's own reachability probes (set once, right after construction). */
    void answerSelfChecks(StunSelfCheck check) {
        this.selfCheck = check;
    }

    /** On ice4j's receive thread: must not throw (that would end the thread) and must not block. */
    @Override
    protected MySocket maybeAcceptNewSession(Buffer buf, InetSocketAddress remoteAddress, String ufrag) {
        StunSelfCheck self = selfCheck;
        if (self != null && self.isMine(ufrag)) {
            answer(self, buf, remoteAddress);
            return null;
        }
        Function<String, IceTransport> lookup = transportsByUfrag;
        IceDrops d = drops;
        if (lookup == null || d == null) {
            return accept(remoteAddress, ufrag);
        }
        IceTransport transport;
        try {
            IceDrops.Reason reason = check(lookup, buf.getBuffer(), buf.getOffset(), buf.getLength(), ufrag);
            transport = reason == null ? lookup.apply(ufrag) : null;
            if (reason == null && transport != null) {
                // Only now, authenticated: its transport's policy on source addresses and their number.
                reason = transport.admitUdpSource(remoteAddress);
            }
            if (reason != null || transport == null) {
                d.count(reason != null ? reason : IceDrops.Reason.UNKNOWN_UFRAG);
                return null;
            }
        } catch (RuntimeException e) {
            return null; // a bug of ours must not stop the port
        }
        MySocket socket = accept(remoteAddress, ufrag);
        if (socket == null) {
            transport.releaseUdpSource(remoteAddress);
        }
        return socket;
    }

    /** A socket for a new remote address of the ufrag's candidate, given to its STUN stack; or null. */
    private MySocket accept(InetSocketAddress remoteAddress, String ufrag) {
        SharedPortCandidate candidate = candidates.get(ufrag);
        if (candidate == null) {
            return null;
        }
        candidate.forgetClosed(remoteAddress);
        MySocket socket;
        try {
            socket = addSocket(remoteAddress, ufrag, candidate.getParentComponent());
        } catch (IOException e) {
            LOG.info("cannot make a socket for {}: {}", remoteAddress, e.toString());
            return null;
        }
        try {
            candidate.addSocket(socket, remoteAddress);
            return socket;
        } catch (IOException | RuntimeException e) {
            LOG.debug("not accepting {} for {}: {}", remoteAddress, ufrag, e.toString());
            socket.close(); // takes it out of the port's table again
            return null;
        }
    }

    /** Sends the self-check's answer from this port, through a session socket that is closed at once. */
    private void answer(StunSelfCheck self, Buffer buf, InetSocketAddress remoteAddress) {
        byte[] out = new byte[128];
        int length = self.answer(buf.getBuffer(), buf.getOffset(), buf.getLength(), remoteAddress, out,
                System.nanoTime());
        if (length < 0) {
            return;
        }
        try {
            MySocket socket = addSocket(remoteAddress, null, b -> {
            });
            try {
                socket.send(new java.net.DatagramPacket(out, length));
            } finally {
                socket.close();
            }
        } catch (IOException | RuntimeException e) {
            // the check then reports the address unreachable, which it says with its caveats
        }
    }

    /** Why the first request must be dropped, or null to accept it. */
    static IceDrops.Reason check(Function<String, IceTransport> lookup, byte[] b, int off, int len, String ufrag) {
        IceTransport transport = ufrag == null ? null : lookup.apply(ufrag);
        if (transport == null || transport.isClosed()) {
            return IceDrops.Reason.UNKNOWN_UFRAG;
        }
        if (!Stun.isMessage(b, off, len) || !Stun.fingerprintValid(b, off, len)) {
            return IceDrops.Reason.BAD_FINGERPRINT;
        }
        if (!Stun.integrityValid(b, off, len, transport.localPasswordBytes())) {
            return IceDrops.Reason.WRONG_PASSWORD;
        }
        return null;
    }
}
