package dev.sfu.ice;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * Asks a TURN server for a relayed address (RFC 8656 Allocate with long-term credentials) and gives it
 * back at once (Refresh with LIFETIME 0): whether a TURN URL the server hands out works from here, over
 * its own transport (UDP, TCP, or TLS for {@code turns:}). The connectivity check's TURN verdict.
 */
public final class TurnProbe {
    private static final int ALLOCATE = 0x0003;
    private static final int REFRESH = 0x0004;
    private static final int SUCCESS = 0x0100;
    private static final int ERROR = 0x0110;
    private static final int ERROR_CODE = 0x0009;
    private static final int USERNAME = 0x0006;
    private static final int REALM = 0x0014;
    private static final int NONCE = 0x0015;
    private static final int LIFETIME = 0x000D;
    private static final int XOR_RELAYED_ADDRESS = 0x0016;
    private static final int REQUESTED_TRANSPORT = 0x0019;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What the probe found.
     *
     * @param ok an allocation was made
     * @param problem why not, in plain words (null when ok)
     * @param relayed the relayed address the server allocated (null unless ok)
     * @param roundTripMillis the last request's round trip
     */
    public record Result(boolean ok, String problem, InetSocketAddress relayed, long roundTripMillis) {
    }

    private TurnProbe() {
    }

    /** Probes {@code url} ({@code turn:host[:port][?transport=udp|tcp]} or {@code turns:...}). */
    public static Result allocate(String url, String username, String password, Duration timeout) {
        Target target;
        try {
            target = Target.parse(url);
        } catch (IllegalArgumentException e) {
            return new Result(false, e.getMessage(), null, -1);
        }
        try (Exchange exchange = target.open(timeout)) {
            return allocate(exchange, username, password);
        } catch (SocketTimeoutException e) {
            return new Result(false, "no answer from " + target + " within " + timeout.toMillis() + " ms", null, -1);
        } catch (SSLException e) {
            return new Result(false, "TLS with " + target + " failed: " + e.getMessage(), null, -1);
        } catch (IOException e) {
            return new Result(false, "cannot reach " + target + ": " + e.getMessage(), null, -1);
        }
    }

    private static Result allocate(Exchange exchange, String username, String password) throws IOException {
        byte[] reply = new byte[1500];
        String realm = null;
        String nonce = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            byte[] transaction = new byte[12];
            RANDOM.nextBytes(transaction);
            byte[] request = new byte[512];
            int length = request(request, ALLOCATE, transaction, username, realm, nonce, password, false);
            long start = System.nanoTime();
            int n = exchange.roundTrip(request, length, reply, transaction);
            long rtt = (System.nanoTime() - start) / 1_000_000;
            int type = Stun.type(reply, 0);
            if (type == (ALLOCATE | SUCCESS)) {
                InetSocketAddress relayed = relayedAddress(reply, n, transaction);
                byte[] refresh = new byte[512];
                RANDOM.nextBytes(transaction);
                int refreshLength = request(refresh, REFRESH, transaction, username, realm, nonce, password, true);
                exchange.send(refresh, refreshLength); // gives the allocation back; its answer does not matter
                return new Result(true, null, relayed, rtt);
            }
            if (type != (ALLOCATE | ERROR)) {
                return new Result(false, "an unexpected answer (STUN type 0x" + Integer.toHexString(type) + ")", null, rtt);
            }
            int code = errorCode(reply, n);
            if ((code == 401 && realm == null) || code == 438) {
                realm = text(reply, n, REALM);
                nonce = text(reply, n, NONCE);
                if (realm == null || nonce == null) {
                    return new Result(false, "the server asked for credentials without a realm and nonce", null, rtt);
                }
                continue;
            }
            return new Result(false, code == 401
                    ? "the server refused the credentials (401): the TURN secret the SFU uses is not the TURN server's"
                    : "the server refused the allocation (" + code + ")", null, rtt);
        }
        return new Result(false, "the server kept asking for credentials", null, -1);
    }

    /** An Allocate or Refresh request; with a realm, signed with the long-term key (RFC 8489 §9.2). */
    private static int request(byte[] out, int method, byte[] transaction, String username, String realm,
            String nonce, String password, boolean release) {
        Stun.writeUint16(out, 0, method);
        Stun.writeInt(out, 4, 0x2112A442);
        System.arraycopy(transaction, 0, out, 8, 12);
        int p = 20;
        if (method == ALLOCATE) {
            p = attribute(out, p, REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0}); // UDP relay
        }
        if (release) {
            p = attribute(out, p, LIFETIME, new byte[4]);
        }
        if (realm == null) {
            Stun.writeUint16(out, 2, p - 20);
            return p;
        }
        p = attribute(out, p, USERNAME, username.getBytes(StandardCharsets.UTF_8));
        p = attribute(out, p, REALM, realm.getBytes(StandardCharsets.UTF_8));
        p = attribute(out, p, NONCE, nonce.getBytes(StandardCharsets.UTF_8));
        return Stun.finish(out, 0, p, longTermKey(username, realm, password));
    }

    private static int attribute(byte[] out, int at, int type, byte[] value) {
        Stun.writeUint16(out, at, type);
        Stun.writeUint16(out, at + 2, value.length);
        System.arraycopy(value, 0, out, at + 4, value.length);
        int padded = (value.length + 3) & ~3;
        Arrays.fill(out, at + 4 + value.length, at + 4 + padded, (byte) 0);
        return at + 4 + padded;
    }

    private static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e); // every JDK has it
        }
    }

    private static int errorCode(byte[] m, int length) {
        int value = Stun.attribute(m, 0, length, ERROR_CODE);
        if (value < 0 || Stun.readUint16(m, value - 2) < 4) {
            return -1;
        }
        return (m[value + 2] & 0x07) * 100 + (m[value + 3] & 0xff);
    }

    private static String text(byte[] m, int length, int type) {
        int value = Stun.attribute(m, 0, length, type);
        return value < 0 ? null : new String(m, value, Stun.readUint16(m, value - 2), StandardCharsets.UTF_8);
    }

    private static InetSocketAddress relayedAddress(byte[] m, int length, byte[] transaction) {
        int value = Stun.attribute(m, 0, length, XOR_RELAYED_ADDRESS);
        if (value < 0 || Stun.readUint16(m, value - 2) < 8) {
            return null;
        }
        int size = m[value + 1] == 1 ? 4 : 16;
        if (Stun.readUint16(m, value - 2) < 4 + size) {
            return null;
        }
        byte[] address = Arrays.copyOfRange(m, value + 4, value + 4 + size);
        for (int i = 0; i < size; i++) {
            address[i] ^= i < 4 ? m[4 + i] : transaction[i - 4];
        }
        int port = Stun.readUint16(m, value + 2) ^ 0x2112;
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** Where a TURN URL points and over what. */
    private record Target(String host, int port, String transport) {
        static Target parse(String url) {
            URI uri;
            try {
                uri = URI.create(url.replaceFirst("^(turns?):", "$1://"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a TURN URL: " + url);
            }
            boolean secure = "turns".equals(uri.getScheme());
            if (!secure && !"turn".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not a TURN URL: " + url);
            }
            String query = uri.getQuery() == null ? "" : uri.getQuery();
            String transport = secure ? "tls" : query.contains("transport=tcp") ? "tcp" : "udp";
            return new Target(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : secure ? 5349 : 3478, transport);
        }

        Exchange open(Duration timeout) throws IOException {
            int millis = (int) Math.max(1, timeout.toMillis());
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (transport.equals("udp")) {
                DatagramSocket socket = new DatagramSocket();
                socket.connect(address);
                return new UdpExchange(socket, millis);
            }
            Socket socket = transport.equals("tls") ? SSLSocketFactory.getDefault().createSocket() : new Socket();
            socket.connect(address, millis);
            socket.setSoTimeout(millis);
            return new StreamExchange(socket);
        }

        @Override
        public String toString() {
            return host + ":" + port + " over " + transport.toUpperCase(java.util.Locale.ROOT);
        }
    }

    /** One request, its answer. */
    private interface Exchange extends AutoCloseable {
        int roundTrip(byte[] request, int length, byte[] reply, byte[] transaction) throws IOException;

        void send(byte[] request, int length) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Over UDP: retransmitted after 1/7, 2/7 and 4/7 of the timeout (RFC 8489's doubling), answers matched by transaction. */
    private record UdpExchange(DatagramSocket socket, int timeoutMillis) implements Exchange {
        @Override
        public int roundTrip(byte[] request, int length, byte[] reply, byte[] transaction) throws IOException {
            int n = StunRetransmitter.exchange(socket, null, request, length, reply,
                    StunRetransmitter.doubling(Math.max(1, timeoutMillis / 7), timeoutMillis),
                    received -> received >= 20 && Arrays.equals(reply, 8, 20, transaction, 0, 12));
            if (n < 0) {
                throw new SocketTimeoutException();
            }
            return n;
        }

        @Override
        public void send(byte[] request, int length) throws IOException {
            socket.send(new DatagramPacket(request, length));
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** Over TCP or TLS: messages follow each other, each framed by its own length (RFC 8489 §6.2.2). */
    private record StreamExchange(Socket socket) implements Exchange {
        @Override
        public int roundTrip(byte[] request, int length, byte[] reply, byte[] transaction) throws IOException {
            send(request, length);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                in.readFully(reply, 0, 20);
                int bodyLength = Stun.readUint16(reply, 2);
                if (20 + bodyLength > reply.length) {
                    throw new IOException("a STUN message of " + bodyLength + " bytes");
                }
                in.readFully(reply, 20, bodyLength);
                if (Arrays.equals(reply, 8, 20, transaction, 0, 12)) {
                    return 20 + bodyLength;
                }
            }
        }

        @Override
        public void send(byte[] request, int length) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(request, 0, length);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
