package dev.sfu.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.ice4j.ice.CandidateType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The candidates the peer signals (a=candidate), taken into the current {@link IceSession}: UDP ones of
 * component 1 with an IP literal become ice4j remote candidates; the rest ICE here cannot use (TCP on a
 * server, mDNS {@code .local} names, malformed) are ignored, since peer-reflexive discovery still finds
 * the peer. The {@link RemoteCandidatePolicy} decides which addresses and how many. A client on ICE-TCP
 * keeps only the server's first passive TCP candidate, where it connects. Called under the transport's
 * monitor.
 */
final class RemoteCandidates {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteCandidates.class);

    private final String name;
    private final RemoteCandidatePolicy policy;
    /** Where refusals are counted; null on a client. */
    private final IceDrops drops;
    private volatile InetSocketAddress passiveTcp;

    RemoteCandidates(String name, RemoteCandidatePolicy policy, IceDrops drops) {
        this.name = name;
        this.policy = policy;
        this.drops = drops;
    }

    RemoteCandidatePolicy policy() {
        return policy;
    }

    /**
     * Adds {@code candidate} to {@code session}; {@code checksStarted}: as a trickled update. Every line
     * that parses counts towards the policy's limit, whatever it names; beyond it, and for an address the
     * policy refuses, the candidate is dropped and counted and ice4j never hears of it.
     */
    void addUdp(IceSession session, String candidate, boolean checksStarted) {
        CandidateLine line = CandidateLine.parse(candidate);
        if (line == null) {
            return;
        }
        if (++session.remoteCandidatesSignalled > policy.maxCandidates()) {
            count(IceDrops.Reason.TOO_MANY_CANDIDATES);
            return;
        }
        if (!line.isRtpComponent() || !line.isUdp()) {
            return;
        }
        InetAddress address = IpLiteral.parse(line.address());
        if (address == null) {
            return; // a hostname (mDNS .local): never resolved here
        }
        if (!policy.allows(address)) {
            count(IceDrops.Reason.CANDIDATE_ADDRESS_REFUSED);
            LOG.debug("{}: refusing candidate {} ({})", name, candidate, AddressClass.of(address));
            return;
        }
        try {
            CandidateType type = CandidateType.parse(line.type());
            session.addRemoteCandidate(IceSession.udpAddress(address, line.port()), type, line.foundation(),
                    line.priority(), checksStarted);
        } catch (RuntimeException e) {
            LOG.debug("{}: ignoring candidate {}: {}", name, candidate, e.toString());
        }
    }

    /**
     * What is wrong with the peer's ice-ufrag/ice-pwd under this policy (counted), or null: RFC 8839
     * §5.4 when the policy validates credentials, nothing otherwise.
     */
    String credentialsProblem(String ufrag, String password) {
        String problem = policy.validatesCredentials() ? IceCredentials.problem(ufrag, password) : null;
        if (problem != null) {
            count(IceDrops.Reason.BAD_REMOTE_CREDENTIALS);
        }
        return problem;
    }

    /**
     * A new UDP source address for {@code session}'s ufrag, whose first Binding request authenticated:
     * null to accept it (it takes one of the policy's places), or why not. On a receive thread.
     */
    IceDrops.Reason admitUdpSource(IceSession session, InetSocketAddress source) {
        if (!policy.allows(source.getAddress())) {
            return IceDrops.Reason.SOURCE_ADDRESS_REFUSED;
        }
        return session.reserveUdpSource(source, policy.maxUdpSources()) ? null : IceDrops.Reason.TOO_MANY_SOURCES;
    }

    private void count(IceDrops.Reason reason) {
        if (drops != null) {
            drops.count(reason);
        }
    }

    /** Client on ICE-TCP: remembers the first "tcp ... tcptype passive" candidate with an IP literal. */
    void rememberPassiveTcp(String candidate) {
        CandidateLine line = CandidateLine.parse(candidate);
        if (passiveTcp != null || line == null || !line.isRtpComponent() || !line.isTcp()
                || !"passive".equals(line.tcpType())) {
            return;
        }
        InetAddress address = IpLiteral.parse(line.address());
        if (address != null) {
            passiveTcp = new InetSocketAddress(address, line.port());
        }
    }

    /** The server's passive TCP candidate, or null when none came. */
    InetSocketAddress passiveTcp() {
        return passiveTcp;
    }
}
