package dev.sfu.ice;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.ice4j.ice.CandidateType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The candidates the peer signals (a=candidate), taken into the current {@link IceSession}: UDP ones of
 * component 1 with an IP literal become ice4j remote candidates; the rest ICE here cannot use (TCP on a
 * server, mDNS {@code .local} names, malformed) are ignored, since peer-reflexive discovery still finds
 * the peer. A client on ICE-TCP keeps only the server's first passive TCP candidate, where it connects.
 * Called under the transport's monitor.
 */
final class RemoteCandidates {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteCandidates.class);

    private final String name;
    private volatile InetSocketAddress passiveTcp;

    RemoteCandidates(String name) {
        this.name = name;
    }

    /** Adds {@code candidate} to {@code session}; {@code checksStarted}: as a trickled update. */
    void addUdp(IceSession session, String candidate, boolean checksStarted) {
        CandidateLine line = CandidateLine.parse(candidate);
        if (line == null || !line.isRtpComponent() || !line.isUdp()) {
            return;
        }
        String host = line.address();
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            return; // a hostname (mDNS): never resolved here
        }
        try {
            CandidateType type = CandidateType.parse(line.type());
            session.addRemoteCandidate(IceSession.udpAddress(InetAddress.getByName(host), line.port()), type,
                    line.foundation(), line.priority(), checksStarted);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: ignoring candidate {}: {}", name, candidate, e.toString());
        }
    }

    /** Client on ICE-TCP: remembers the first "tcp ... tcptype passive" candidate with an IP literal. */
    void rememberPassiveTcp(String candidate) {
        CandidateLine line = CandidateLine.parse(candidate);
        if (passiveTcp != null || line == null || !line.isRtpComponent() || !line.isTcp()
                || !"passive".equals(line.tcpType())) {
            return;
        }
        String host = line.address();
        try {
            if (host.matches("[0-9.]+") || host.contains(":")) {
                passiveTcp = new InetSocketAddress(InetAddress.getByName(host), line.port());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: ignoring TCP candidate: {}", name, e.toString());
        }
    }

    /** The server's passive TCP candidate, or null when none came. */
    InetSocketAddress passiveTcp() {
        return passiveTcp;
    }
}
