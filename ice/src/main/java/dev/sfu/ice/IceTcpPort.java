package dev.sfu.ice;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The passive ICE-TCP port (RFC 6544, RFC 4571 framing) shared by every transport of the instance, for
 * clients whose UDP is blocked. One NIO selector thread serves every connection and nothing on it blocks:
 * reads are non-blocking, sends go through each connection's bounded buffer ({@link IceTcpConnection}),
 * so a client that stops reading costs its own frames, never another client's time. (Jitsi's bridge gave
 * up ICE-TCP partly because its blocking sockets let one slow peer stall a shared thread.)
 *
 * <p>The server answers STUN on these connections itself (ice4j sees only UDP): the first frame must be a
 * Binding request with a valid FINGERPRINT and MESSAGE-INTEGRITY for the ufrag of a live transport, or
 * the connection is closed and counted. USE-CANDIDATE, or the first non-STUN frame, selects the
 * connection as the transport's path.
 *
 * <p>Limits against a hostile peer: {@value #AUTH_TIMEOUT_SECONDS} s to authenticate,
 * {@value #MAX_UNAUTHENTICATED} unauthenticated connections in all and {@value #MAX_UNAUTHENTICATED_PER_IP}
 * per source address, {@value #MAX_AUTHENTICATED_PER_TRANSPORT} authenticated connections per transport,
 * frames of at most {@value #MAX_FRAME} bytes.
 */
public final class IceTcpPort implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IceTcpPort.class);
    static final int MAX_FRAME = 4096;
    static final int AUTH_TIMEOUT_SECONDS = 10;
    static final int MAX_UNAUTHENTICATED = 256;
    static final int MAX_UNAUTHENTICATED_PER_IP = 16;
    /**
     * Authenticated connections per transport: a browser opens one or two; without a cap a peer with valid
     * credentials could open connections (each with a 64 KiB send buffer) without end.
     */
    static final int MAX_AUTHENTICATED_PER_TRANSPORT = 4;
    /** About 50 full-size packets: a peer that is this far behind is not reading. */
    static final int SEND_BUFFER_BYTES = 64 * 1024;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final Function<String, IceTransport> transportsByUfrag;
    private final AtomicInteger unauthenticated = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> unauthenticatedPerIp = new ConcurrentHashMap<>();
    private final AtomicLong rejectedLimits = new AtomicLong();
    private final AtomicLong rejectedFirstFrame = new AtomicLong();
    private final AtomicLong rejectedPerTransport = new AtomicLong();
    private final AtomicLong authTimeouts = new AtomicLong();
    private final AtomicLong oversizedFrames = new AtomicLong();
    private final AtomicLong badStun = new AtomicLong();
    private final AtomicLong sendDropped = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    /** Selector thread only: the answer to a Binding request is written here, then copied into the send buffer. */
    private final byte[] stunOut = new byte[128];
    private volatile boolean closed;

    private IceTcpPort(ServerSocketChannel server, Selector selector, Function<String, IceTransport> transportsByUfrag) {
        this.server = server;
        this.selector = selector;
        this.transportsByUfrag = transportsByUfrag;
        int port = server.socket().getLocalPort();
        this.thread = new Thread(this::run, "ice-tcp-" + port);
        thread.setDaemon(true);
    }

    /**
     * Listens on {@code bind}:{@code port} (0 = any free port).
     *
     * @param transportsByUfrag the live transport whose local ufrag is the argument, or null
     */
    static IceTcpPort open(InetAddress bind, int port, Function<String, IceTransport> transportsByUfrag)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector = null;
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(bind, port), 128);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        IceTcpPort p = new IceTcpPort(server, selector, transportsByUfrag);
        p.thread.start();
        return p;
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    private void run() {
        long lastSweep = System.nanoTime();
        try {
            while (!closed) {
                // With connections, wake each second to close unauthenticated ones; with none (only the
                // listening key), sleep until one arrives: an idle port costs nothing.
                selector.select(selector.keys().size() > 1 ? 1000 : 0);
                var keys = selector.selectedKeys();
                for (var it = keys.iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                            continue;
                        }
                        IceTcpConnection c = (IceTcpConnection) key.attachment();
                        if (key.isWritable() && !c.flush()) {
                            close(c);
                            continue;
                        }
                        if (key.isReadable()) {
                            read(c);
                        }
                    } catch (java.nio.channels.CancelledKeyException e) {
                        // closed from another thread meanwhile (a send that failed, a transport that closed)
                    }
                }
                long now = System.nanoTime();
                if (now - lastSweep > TimeUnit.MILLISECONDS.toNanos(500)) {
                    lastSweep = now;
                    closeUnauthenticatedOlderThan(now - TimeUnit.SECONDS.toNanos(AUTH_TIMEOUT_SECONDS));
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                LOG.warn("ICE-TCP port stopped: {}", e.toString());
            }
        } finally {
            shutDown();
        }
    }

    private void shutDown() {
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof IceTcpConnection c) {
                    close(c);
                }
            }
        } catch (ClosedSelectorException ignored) {
            // already closed
        }
        try {
            selector.close();
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Accepts what is pending. An error on one new connection closes that one; an error of the listening
     * socket itself (e.g. out of file descriptors) waits for the next select: neither stops the thread.
     */
    private void accept() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                LOG.debug("ICE-TCP accept failed: {}", e.toString());
                return;
            }
            if (channel == null) {
                return;
            }
            try {
                admit(channel);
            } catch (IOException e) {
                closeQuietly(channel);
            }
        }
    }

    private void admit(SocketChannel channel) throws IOException {
        InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
        AtomicInteger perIp = unauthenticatedPerIp.computeIfAbsent(remote.getAddress(), a -> new AtomicInteger());
        if (unauthenticated.get() >= MAX_UNAUTHENTICATED || perIp.get() >= MAX_UNAUTHENTICATED_PER_IP) {
            rejectedLimits.incrementAndGet();
            if (perIp.get() == 0) {
                unauthenticatedPerIp.remove(remote.getAddress(), perIp);
            }
            closeQuietly(channel);
            return;
        }
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // media: no Nagle delay
        IceTcpConnection c = new IceTcpConnection(this, channel, remote, MAX_FRAME, SEND_BUFFER_BYTES);
        c.consumer = (buf, off, len) -> onFrame(c, buf, off, len);
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ, c);
        // Counted only once nothing can fail any more: close() undoes exactly these.
        unauthenticated.incrementAndGet();
        perIp.incrementAndGet();
        open.incrementAndGet();
        c.register(key);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do with it
        }
    }

    private void read(IceTcpConnection c) {
        int n;
        try {
            n = c.channel.read(c.reader.buffer());
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            close(c);
            return;
        }
        int frames = c.reader.frames(c.consumer);
        if (frames == FrameReader.OVERSIZED) {
            oversizedFrames.incrementAndGet();
            close(c);
        }
    }

    /** One frame of {@code c}; false when the connection was closed. */
    private boolean onFrame(IceTcpConnection c, byte[] buf, int off, int len) {
        IceTransport transport = c.transport();
        if (transport == null) {
            return authenticate(c, buf, off, len);
        }
        if (transport.isClosed()) {
            close(c);
            return false;
        }
        if (len == 0) {
            return true; // an empty frame carries nothing (and must not select the connection)
        }
        if (len > 0 && PacketKind.classify(buf[off]) == PacketKind.STUN) {
            if (Stun.isMessage(buf, off, len) && Stun.type(buf, off) == Stun.BINDING_REQUEST
                    && Stun.fingerprintValid(buf, off, len)
                    && Stun.integrityValid(buf, off, len, transport.localPasswordBytes())) {
                answer(c, transport, buf, off, len);
            } else if (!(Stun.isMessage(buf, off, len) && (Stun.type(buf, off) & 0x0110) != 0)) {
                badStun.incrementAndGet(); // responses and indications are ignored, not counted
            }
            return !c.isClosed();
        }
        transport.tcp().receive(c, buf, off, len);
        return !c.isClosed();
    }

    /**
     * The first frame: a Binding request for a live transport's ufrag, signed with its password. Anything
     * else closes the connection: a scanner or a confused client learns nothing, not even an error.
     */
    private boolean authenticate(IceTcpConnection c, byte[] buf, int off, int len) {
        IceTransport transport = null;
        if (Stun.isMessage(buf, off, len) && Stun.type(buf, off) == Stun.BINDING_REQUEST
                && Stun.fingerprintValid(buf, off, len)) {
            String username = Stun.username(buf, off, len);
            int colon = username == null ? -1 : username.indexOf(':');
            IceTransport candidate = colon > 0 ? transportsByUfrag.apply(username.substring(0, colon)) : null;
            if (candidate != null && !candidate.isClosed()
                    && Stun.integrityValid(buf, off, len, candidate.localPasswordBytes())) {
                transport = candidate;
            }
        }
        if (transport == null) {
            rejectedFirstFrame.incrementAndGet();
            close(c);
            return false;
        }
        // Only this thread adds connections to a transport, so the count cannot grow between check and add.
        if (transport.tcp().count() >= MAX_AUTHENTICATED_PER_TRANSPORT) {
            rejectedPerTransport.incrementAndGet();
            close(c); // still unauthenticated: close() gives back its unauthenticated slot
            return false;
        }
        c.authenticated(transport);
        leaveUnauthenticated(c);
        transport.tcp().add(c);
        answer(c, transport, buf, off, len);
        return !c.isClosed();
    }

    private void answer(IceTcpConnection c, IceTransport transport, byte[] buf, int off, int len) {
        int n = Stun.bindingSuccess(stunOut, 0, buf, off, c.remote, transport.localPasswordBytes());
        c.send(stunOut, 0, n);
        transport.tcp().bindingRequest(c, Stun.attribute(buf, off, len, Stun.USE_CANDIDATE) >= 0);
    }

    private void leaveUnauthenticated(IceTcpConnection c) {
        unauthenticated.decrementAndGet();
        AtomicInteger perIp = unauthenticatedPerIp.get(c.remote.getAddress());
        if (perIp != null && perIp.decrementAndGet() <= 0) {
            unauthenticatedPerIp.remove(c.remote.getAddress(), perIp);
        }
    }

    private void closeUnauthenticatedOlderThan(long acceptedBefore) {
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof IceTcpConnection c && c.transport() == null
                    && c.acceptedNanos - acceptedBefore < 0) {
                authTimeouts.incrementAndGet();
                close(c);
            }
        }
    }

    /** Closes a connection (any thread, idempotent) and tells its transport. */
    void close(IceTcpConnection c) {
        if (!c.markClosed()) {
            return;
        }
        open.decrementAndGet();
        IceTransport t = c.transport();
        if (t == null) {
            leaveUnauthenticated(c);
        } else {
            t.tcp().connectionClosed(c);
        }
    }

    void countSendDropped() {
        sendDropped.incrementAndGet();
    }

    /** Connections closed because the first frame was not a valid Binding request for a live transport. */
    public long rejectedFirstFrame() {
        return rejectedFirstFrame.get();
    }

    /**
     * Connections closed at authentication because their transport already had
     * {@value #MAX_AUTHENTICATED_PER_TRANSPORT} authenticated ones.
     */
    public long rejectedPerTransport() {
        return rejectedPerTransport.get();
    }

    /** Connections refused at accept: too many unauthenticated ones, in all or from one address. */
    public long rejectedLimits() {
        return rejectedLimits.get();
    }

    /** Connections closed for not authenticating within {@value #AUTH_TIMEOUT_SECONDS} s. */
    public long authTimeouts() {
        return authTimeouts.get();
    }

    /** Connections closed for announcing a frame longer than {@value #MAX_FRAME} bytes. */
    public long oversizedFrames() {
        return oversizedFrames.get();
    }

    /** STUN frames of authenticated connections that were not valid Binding requests (dropped). */
    public long badStun() {
        return badStun.get();
    }

    /** Frames dropped because a connection's send buffer was full (its peer did not read). */
    public long sendDropped() {
        return sendDropped.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    /** Stops the selector thread, which closes every connection on its way out. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
