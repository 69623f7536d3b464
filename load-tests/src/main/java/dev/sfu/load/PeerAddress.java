package dev.sfu.load;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The local address the peers bind their ICE sockets to and offer as their host candidates ({@code
 * --bind}). A candidate must be an address the server can answer, so the wildcard ({@code 0.0.0.0} or
 * {@code ::}) stands for the address this machine's routing table picks toward the server.
 */
final class PeerAddress {
    private PeerAddress() {
    }

    /**
     * @param bind an address of this machine, or the wildcard
     * @param server the server's WebSocket URL (its host is where the media goes); null for the one in process
     */
    static InetAddress resolve(String bind, URI server) throws IOException {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind " + bind + ": not an address of this machine");
        }
        if (!address.isAnyLocalAddress()) {
            return address;
        }
        InetAddress target = server == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(server.getHost());
        // Connecting a UDP socket sends nothing: it asks the kernel for the route, whose source address we read.
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(address, 0))) {
            probe.connect(target, 9);
            InetAddress routed = probe.getLocalAddress();
            if (routed == null || routed.isAnyLocalAddress()) {
                throw new IOException("no route from this machine to " + target.getHostAddress());
            }
            return routed;
        }
    }
}
