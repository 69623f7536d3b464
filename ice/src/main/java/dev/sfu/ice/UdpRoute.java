package dev.sfu.ice;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where a transport's batched datagrams go: the remote address of ICE's selected pair in the form the
 * {@code sendmmsg} descriptors take (16 bytes, IPv4 mapped into IPv6), and our sending socket on the pair's
 * local address. Made once per selected pair, on the media thread, and kept while the pair stays selected.
 */
final class UdpRoute {
    /** The ice4j pair this route was made for (compared by identity). */
    final Object pair;
    /** Our socket on the pair's local address; null when the pair is not on one (ice4j sends then). */
    final UdpSendSocket socket;
    final InetSocketAddress remote;
    final byte[] address = new byte[16];
    final int scopeId;
    final int port;

    UdpRoute(Object pair, UdpSendSocket socket, InetSocketAddress remote) {
        this.pair = pair;
        this.socket = socket;
        this.remote = remote;
        InetAddress a = remote == null ? null : remote.getAddress();
        if (a instanceof Inet6Address v6) {
            System.arraycopy(v6.getAddress(), 0, address, 0, 16);
            scopeId = v6.getScopeId();
        } else if (a != null) {
            address[10] = (byte) 0xff;
            address[11] = (byte) 0xff;
            System.arraycopy(a.getAddress(), 0, address, 12, 4);
            scopeId = 0;
        } else {
            scopeId = 0;
        }
        port = remote == null ? 0 : remote.getPort();
    }

    /** A pair that our sockets cannot send on (not UDP, or not on an address of the media port). */
    static UdpRoute none(Object pair) {
        return new UdpRoute(pair, null, null);
    }

    @Override
    public String toString() {
        return (socket == null ? "ice4j" : socket.toString()) + " -> " + remote;
    }
}
