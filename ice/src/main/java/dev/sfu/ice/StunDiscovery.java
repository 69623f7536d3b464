package dev.sfu.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * Asks a STUN server which address our packets come from (a Binding request, RFC 5389 §7), once at start:
 * on a cloud VM behind 1:1 NAT that is the public address to advertise in candidates. Only the address is
 * used; the port is the media port's own, as a 1:1 NAT keeps ports. Requests are retransmitted at
 * 250, 500 and 1000 ms, then discovery gives up (the server runs with its bound addresses).
 */
public final class StunDiscovery {
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_SUCCESS = 0x0101;
    static final int MAGIC_COOKIE = 0x2112A442;
    static final int MAPPED_ADDRESS = 0x0001;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
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
        request[1] = BINDING_REQUEST;
        writeInt(request, 4, MAGIC_COOKIE);
        System.arraycopy(transaction, 0, request, 8, 12);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(bind, 0))) {
            byte[] reply = new byte[1500];
            for (int wait : RETRANSMIT_MILLIS) {
                socket.send(new DatagramPacket(request, request.length, server));
                long deadline = System.nanoTime() + wait * 1_000_000L;
                while (true) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        break;
                    }
                    socket.setSoTimeout((int) left);
                    DatagramPacket p = new DatagramPacket(reply, reply.length);
                    try {
                        socket.receive(p);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    InetAddress mapped = mappedAddress(reply, p.getLength(), transaction);
                    if (mapped != null) {
                        return Optional.of(mapped);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The (XOR-)MAPPED-ADDRESS of a Binding success response to {@code transaction}, or null for anything
     * else (another transaction, an error response, a malformed or truncated message).
     */
    static InetAddress mappedAddress(byte[] m, int length, byte[] transaction) {
        if (length < 20 || readUint16(m, 0) != BINDING_SUCCESS || readInt(m, 4) != MAGIC_COOKIE
                || !Arrays.equals(m, 8, 20, transaction, 0, 12)) {
            return null;
        }
        int end = Math.min(length, 20 + readUint16(m, 2));
        InetAddress plain = null;
        for (int at = 20; at + 4 <= end; ) {
            int type = readUint16(m, at);
            int valueLength = readUint16(m, at + 2);
            int value = at + 4;
            if (value + valueLength > end) {
                return null;
            }
            if ((type == XOR_MAPPED_ADDRESS || type == MAPPED_ADDRESS) && valueLength >= 8) {
                int family = m[value + 1];
                int addressLength = family == 1 ? 4 : family == 2 ? 16 : -1;
                if (addressLength < 0 || valueLength < 4 + addressLength) {
                    return null;
                }
                byte[] address = Arrays.copyOfRange(m, value + 4, value + 4 + addressLength);
                if (type == XOR_MAPPED_ADDRESS) {
                    // XORed with the magic cookie, and for IPv6 then the transaction id (RFC 5389 §15.2).
                    for (int i = 0; i < addressLength; i++) {
                        address[i] ^= i < 4 ? (byte) (MAGIC_COOKIE >>> (24 - 8 * i)) : transaction[i - 4];
                    }
                }
                try {
                    InetAddress a = InetAddress.getByAddress(address);
                    if (type == XOR_MAPPED_ADDRESS) {
                        return a;
                    }
                    plain = a;
                } catch (java.net.UnknownHostException e) {
                    return null;
                }
            }
            at = value + ((valueLength + 3) & ~3);
        }
        return plain;
    }

    private static int readUint16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static int readInt(byte[] b, int at) {
        return readUint16(b, at) << 16 | readUint16(b, at + 2);
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
