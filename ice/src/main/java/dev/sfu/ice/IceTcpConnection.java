package dev.sfu.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One accepted ICE-TCP connection (RFC 6544, passive side): its frame reader, the transport it
 * authenticated for, and a bounded send buffer. {@link #send} may be called from any thread and never
 * blocks: it writes what the socket takes at once and keeps the rest for the port's selector thread; when
 * the buffer is full (the peer reads too slowly) the frame is dropped and counted, as a full UDP socket
 * buffer would drop a datagram.
 */
final class IceTcpConnection {
    final SocketChannel channel;
    final InetSocketAddress remote;
    final FrameReader reader;
    final long acceptedNanos = System.nanoTime();
    /**
     * Where received non-STUN frames are copied for the transport's handler, which gives each buffer back
     * when done (after the media thread has processed the packet): 2 KiB covers any media packet; at most
     * 32 exist (64 KiB, as the send buffer), made only as many as are in flight at once.
     */
    final BufferPool receiveBuffers = new BufferPool(2048, 32);
    /** Set once at accept, used by the selector thread: one consumer per connection, not one per read. */
    FrameReader.FrameConsumer consumer;
    private final IceTcpPort port;
    private final ByteBuffer out;
    private SelectionKey key;
    private boolean writeInterest;
    /** Set once by the selector thread when the first frame authenticated; read by any thread. */
    private volatile IceTransport transport;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    IceTcpConnection(IceTcpPort port, SocketChannel channel, InetSocketAddress remote, int maxFrame,
            int sendBufferBytes) {
        this.port = port;
        this.channel = channel;
        this.remote = remote;
        this.reader = new FrameReader(maxFrame);
        this.out = ByteBuffer.allocate(sendBufferBytes);
    }

    synchronized void register(SelectionKey key) {
        this.key = key;
    }

    IceTransport transport() {
        return transport;
    }

    void authenticated(IceTransport transport) {
        this.transport = transport;
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Frames and sends {@code [off, off + len)}: false when the connection is closed or its send buffer
     * has no room (then the frame is dropped and counted). Never blocks.
     */
    boolean send(byte[] buf, int off, int len) {
        if (closed.get() || len > 0xffff) {
            return false;
        }
        boolean written;
        synchronized (this) {
            if (out.remaining() < len + 2) {
                port.countSendDropped();
                return false;
            }
            out.put((byte) (len >>> 8));
            out.put((byte) len);
            out.put(buf, off, len);
            written = flush();
        }
        if (!written) {
            port.close(this); // outside the monitor: closing reaches the transport, which may close others
        }
        return written;
    }

    /**
     * Writes what the socket takes now; the rest waits for OP_WRITE on the selector thread. A write from
     * here and one from the selector never interleave: both hold this connection's monitor, which is held
     * only for a non-blocking write. False when the socket is broken: the caller closes the connection
     * after leaving the monitor.
     */
    synchronized boolean flush() {
        out.flip();
        try {
            channel.write(out);
        } catch (IOException e) {
            out.clear();
            return false;
        }
        out.compact();
        boolean pending = out.position() > 0;
        if (pending != writeInterest && key != null && key.isValid()) {
            writeInterest = pending;
            try {
                key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                if (pending) {
                    key.selector().wakeup(); // the interest set changes at the selector's next select
                }
            } catch (java.nio.channels.CancelledKeyException e) {
                return !closed.get();
            }
        }
        return true;
    }

    /** Closes the connection and tells its port and transport; any thread, idempotent. */
    void close() {
        port.close(this);
    }

    /** Marks closed and closes the socket; the port's bookkeeping is the caller's ({@link IceTcpPort#close}). */
    boolean markClosed() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do with a socket that cannot even close
        }
        return true;
    }
}
