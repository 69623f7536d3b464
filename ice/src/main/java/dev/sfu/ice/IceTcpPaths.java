package dev.sfu.ice;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server side of ICE-TCP for one transport: the peer's authenticated connections on the
 * {@link IceTcpPort} (at most {@link IceTcpPort#MAX_AUTHENTICATED_PER_TRANSPORT}) and which one, if any, is
 * the transport's path. A Binding request with USE-CANDIDATE, or the first DTLS/SRTP frame, selects a
 * connection; closing the selected one fails the transport. Called by the port's selector thread, and
 * {@link #selected} by any sending thread.
 */
final class IceTcpPaths {
    /** What the paths tell their transport. */
    interface Owner {
        boolean isClosed();

        /** A connection was selected while the transport was not connected yet. */
        void connectedOverTcp(InetSocketAddress remote);

        /** The selected connection closed. */
        void selectedPathClosed();
    }

    private final Owner owner;
    private final InboundPackets inbound;
    private final Set<IceTcpConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile IceTcpConnection selected;

    IceTcpPaths(Owner owner, InboundPackets inbound) {
        this.owner = owner;
        this.inbound = inbound;
    }

    /** The connection media goes over, or null while UDP is the path. */
    IceTcpConnection selected() {
        return selected;
    }

    /** Authenticated connections open now (the port caps them per transport). */
    int count() {
        return connections.size();
    }

    void add(IceTcpConnection c) {
        connections.add(c);
        if (owner.isClosed()) {
            c.close(); // closed meanwhile: closeAll() may have missed this one
        }
    }

    /** A valid Binding request arrived on {@code c}: consent, and with USE-CANDIDATE the nomination. */
    void bindingRequest(IceTcpConnection c, boolean useCandidate) {
        inbound.heard();
        if (useCandidate) {
            select(c);
        }
    }

    /** A non-STUN frame on {@code c}: media on a checked pair means it is in use (RFC 8445 §7.3.1.5). */
    void receive(IceTcpConnection c, byte[] buf, int off, int len) {
        if (selected != c) {
            select(c);
        }
        inbound.deliverTcpFrame(c.receiveBuffers, buf, off, len);
    }

    private void select(IceTcpConnection c) {
        if (owner.isClosed() || c.isClosed()) {
            return;
        }
        selected = c;
        owner.connectedOverTcp(c.remote);
    }

    void connectionClosed(IceTcpConnection c) {
        connections.remove(c);
        if (selected == c && !owner.isClosed()) {
            owner.selectedPathClosed();
        }
    }

    /** An ICE restart or close: every connection of the old session goes, and UDP is the path again. */
    void closeAll() {
        selected = null;
        for (IceTcpConnection c : connections) {
            c.close();
        }
    }
}
