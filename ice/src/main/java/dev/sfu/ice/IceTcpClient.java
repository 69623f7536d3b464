package dev.sfu.ice;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controlling side of ICE-TCP for in-process clients (tests, load harness): an active connection
 * (RFC 6544) to the server's passive candidate, one nominating Binding request (USE-CANDIDATE), then
 * RFC 4571 frames both ways, and a Binding request every {@value #CONSENT_INTERVAL_MILLIS} ms as consent
 * (RFC 7675). Blocking, one thread per client: fine for a client, never used by the server.
 */
final class IceTcpClient {
    private static final Logger LOG = LoggerFactory.getLogger(IceTcpClient.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int CONSENT_INTERVAL_MILLIS = 2000;

    interface Events {
        void connected(InetSocketAddress remote);

        void failed(String reason);

        void received(byte[] buf, int off, int len);
    }

    private final String name;
    private final InetAddress localAddress;
    private final Events events;
    private final long tieBreaker = RANDOM.nextLong();
    private final byte[] stunOut = new byte[256];
    private volatile Socket socket;
    private volatile OutputStream out;
    private volatile boolean closed;
    private Thread thread;

    IceTcpClient(String name, InetAddress localAddress, Events events) {
        this.name = name;
        this.localAddress = localAddress;
        this.events = events;
    }

    /** Connects to {@code server} and checks the pair with the given credentials, on a thread of its own. */
    synchronized void start(InetSocketAddress server, String localUfrag, String remoteUfrag, String remotePassword) {
        if (thread != null || closed) {
            return;
        }
        thread = new Thread(() -> run(server, remoteUfrag + ":" + localUfrag,
                remotePassword.getBytes(StandardCharsets.UTF_8)), "ice-tcp-client-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(InetSocketAddress server, String username, byte[] key) {
        try (Socket s = new Socket()) {
            socket = s;
            s.bind(new InetSocketAddress(localAddress, 0));
            s.connect(server, 5000);
            s.setTcpNoDelay(true);
            s.setSoTimeout(CONSENT_INTERVAL_MILLIS);
            out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] transaction = request(username, key, true);
            byte[] frame = new byte[IceTcpPort.MAX_FRAME];
            boolean connected = false;
            while (!closed) {
                int length;
                try {
                    length = in.readUnsignedShort();
                    in.readFully(frame, 0, length);
                } catch (SocketTimeoutException e) {
                    request(username, key, false); // consent: the server's watchdog sees us alive
                    continue;
                }
                if (length > 0 && PacketKind.classify(frame[0]) == PacketKind.STUN) {
                    if (!connected && Stun.isMessage(frame, 0, length) && Stun.type(frame, 0) == Stun.BINDING_SUCCESS
                            && Arrays.equals(frame, 8, 20, transaction, 0, 12)
                            && Stun.integrityValid(frame, 0, length, key)) {
                        connected = true;
                        events.connected(server);
                    }
                    continue;
                }
                if (connected) {
                    events.received(Arrays.copyOf(frame, length), 0, length);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("{}: ICE-TCP connection ended: {}", name, e.toString());
                events.failed("ICE-TCP connection ended: " + e.getMessage());
            }
        }
    }

    private byte[] request(String username, byte[] key, boolean nominate) throws IOException {
        byte[] transaction = new byte[12];
        RANDOM.nextBytes(transaction);
        synchronized (stunOut) {
            // Priority of a host candidate of ours (RFC 8445 §5.1.2.1), as the peer-reflexive one it learns.
            int n = Stun.bindingRequest(stunOut, 0, transaction, username, (110L << 24) | (65535L << 8) | 255,
                    tieBreaker, nominate, key);
            sendFrame(stunOut, 0, n);
        }
        return transaction;
    }

    /** Sends one frame; blocks while the socket's buffer is full (a client may). */
    boolean send(byte[] buf, int off, int len) {
        try {
            sendFrame(buf, off, len);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void sendFrame(byte[] buf, int off, int len) throws IOException {
        OutputStream o = out;
        if (o == null || closed) {
            throw new IOException("not connected");
        }
        byte[] framed = new byte[len + 2];
        framed[0] = (byte) (len >>> 8);
        framed[1] = (byte) len;
        System.arraycopy(buf, off, framed, 2, len);
        synchronized (this) {
            o.write(framed);
        }
    }

    void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
