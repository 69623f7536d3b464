package dev.sfu.ice;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * Asks a STUN server which address our packets come from (a Binding request, RFC 5389 §7), once at start:
 * on a cloud VM behind 1:1 NAT that is the public address to advertise in candidates. Only the address is
 * used; the port is the media port's own, as a 1:1 NAT keeps ports. Requests are retransmitted at
 * 250, 500 and 1000 ms, then discovery gives up (the server runs with its bound addresses).
 */
public final class StunDiscovery {
    private static final int[] RETRANSMIT_MILLIS = {250, 500, 1000};
    private static final SecureRandom RANDOM = new SecureRandom();

    private StunDiscovery() {
    }

    /**
     * The address the STUN server at {@code server} sees our requests come from, sent from {@code bind}.
     *
     * @return the mapped address, or empty when the server did not answer in time or answered nonsense
     */
    public static Optional<InetAddress> publicAddress(InetSocketAddress server, InetAddress bind) throws IOException {
        byte[] transaction = new byte[12];
        RANDOM.nextBytes(transaction);
        byte[] request = new byte[20];
        request[1] = Stun.BINDING_REQUEST;
        Stun.writeInt(request, 4, Stun.MAGIC_COOKIE);
        System.arraycopy(transaction, 0, request, 8, 12);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(bind, 0))) {
            byte[] reply = new byte[1500];
            int n = StunRetransmitter.exchange(socket, server, request, request.length, reply, RETRANSMIT_MILLIS,
                    length -> mappedAddress(reply, length, transaction) != null);
            if (n > 0) {
                return Optional.of(mappedAddress(reply, n, transaction));
            }
        }
        return Optional.empty();
    }

    /** The Binding success response's mapped address for {@code transaction}, or null: see {@link Stun#mappedAddress}. */
    static InetAddress mappedAddress(byte[] m, int length, byte[] transaction) {
        return Stun.mappedAddress(m, length, transaction);
    }
}
