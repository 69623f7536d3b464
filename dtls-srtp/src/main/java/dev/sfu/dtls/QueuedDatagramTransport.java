package dev.sfu.dtls;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * Feeds Bouncy Castle's blocking DTLS engine from packets the ICE layer pushes: received records wait in
 * a small queue for the handshake thread; sends go straight to the {@link DtlsTransport.DatagramSender}.
 */
final class QueuedDatagramTransport implements DatagramTransport {
    /** Flights fit a 1200-byte path MTU (ICE over TURN over IPv6 included). */
    static final int SEND_LIMIT = 1200;
    static final int RECEIVE_LIMIT = 1500;
    private static final byte[] CLOSED = new byte[0];

    private final BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(64);
    private final DtlsTransport.DatagramSender sender;
    private volatile boolean closed;

    QueuedDatagramTransport(DtlsTransport.DatagramSender sender) {
        this.sender = sender;
    }

    /** Queues a copy of a received record; drops it when the handshake thread is far behind. */
    boolean offer(byte[] buf, int off, int len) {
        if (closed || len > RECEIVE_LIMIT) {
            return false;
        }
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        return received.offer(copy);
    }

    boolean hasPending() {
        return !received.isEmpty();
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return SEND_LIMIT;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        byte[] packet;
        try {
            packet = received.poll(Math.max(0, waitMillis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (packet == null) {
            return -1;
        }
        if (packet == CLOSED) {
            throw new IOException("DTLS transport closed");
        }
        int n = Math.min(len, packet.length);
        System.arraycopy(packet, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        sender.send(buf, off, len);
    }

    @Override
    public void close() {
        closed = true;
        received.clear();
        received.offer(CLOSED); // wakes a handshake blocked in receive()
    }
}
