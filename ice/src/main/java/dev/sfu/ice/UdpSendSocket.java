package dev.sfu.ice;

import io.netty.channel.epoll.LinuxSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP socket of ours bound to the media port's address and port, only for sending: the media threads'
 * batched sends ({@link UdpBatch}) leave through it, so the peer sees them come from the media port as
 * before. It shares the port with ice4j's sockets through {@code SO_REUSEADDR} (ice4j's own socket pool
 * does the same) and is bound <em>before</em> them: Linux gives a unicast datagram to the socket of the
 * group bound last (of the same address family, and ours is never of a better-matching one), so every
 * received datagram still reaches ice4j's receive socket. {@link #strayDatagrams()} reads any that
 * came here all the same, so that a kernel behaving otherwise is seen, not silent.
 *
 * <p>Non-blocking (a full send buffer is reported, not waited for) with a large send buffer.
 */
final class UdpSendSocket implements AutoCloseable {
    /** As large as this kind of machine allows (net.core.wmem_max); the kernel caps it. */
    static final int SEND_BUFFER_BYTES = 4 * 1024 * 1024;

    private final LinuxSocket socket;
    private final int fd;
    private final InetSocketAddress localAddress;
    private volatile boolean closed;
    private long strays;
    /** Where {@link #strayDatagrams()} reads to (made on its first use). */
    private ByteBuffer strayScratch;

    private UdpSendSocket(LinuxSocket socket, InetSocketAddress localAddress) {
        this.socket = socket;
        this.fd = socket.intValue();
        this.localAddress = localAddress;
    }

    /** Binds a sending socket to {@code address} (port 0: any free port); needs {@link NettyMmsg#AVAILABLE}. */
    static UdpSendSocket bind(InetSocketAddress address) throws IOException {
        if (!NettyMmsg.AVAILABLE) {
            throw new IOException(NettyMmsg.UNAVAILABLE_REASON);
        }
        // The address family of the JDK's own sockets (IPv6 dual-stack where the host has IPv6): an IPv4-only
        // socket would match an IPv4 destination better than ice4j's and take its datagrams.
        LinuxSocket s = LinuxSocket.newSocketDgram();
        try {
            s.setReuseAddress(true);
            s.setSendBufferSize(SEND_BUFFER_BYTES);
            s.setReceiveBufferSize(4096);
            s.bind(address);
            return new UdpSendSocket(s, (InetSocketAddress) s.localAddress());
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    int fd() {
        return fd;
    }

    boolean isClosed() {
        return closed;
    }

    int port() {
        return localAddress.getPort();
    }

    InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Reads and discards what the kernel delivered to this socket instead of ice4j's (nothing, as long as
     * the bind order works as described above); returns how many so far. Not on the media path.
     */
    synchronized long strayDatagrams() {
        if (closed) {
            return strays;
        }
        if (strayScratch == null) {
            strayScratch = ByteBuffer.allocateDirect(2048);
        }
        ByteBuffer scratch = strayScratch;
        scratch.clear();
        try {
            for (int i = 0; i < 1000 && socket.recvFrom(scratch, 0, scratch.capacity()) != null; i++) {
                strays++;
                scratch.clear();
            }
        } catch (IOException e) {
            // nothing to read, or closed meanwhile
        }
        return strays;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "udp-send " + localAddress;
    }
}
