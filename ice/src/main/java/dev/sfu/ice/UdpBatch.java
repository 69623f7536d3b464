package dev.sfu.ice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One media thread's outgoing datagrams on the media port, sent together: {@link #add} copies an
 * (already SRTP-protected) packet into a slot of preallocated direct memory, {@link #flush} sends all
 * of them with one {@code sendmmsg(2)} per socket, once per media-thread loop
 * iteration (and whenever the slots are full). On this kind of machine one {@code sendto} costs
 * ≈4.3–5.3 µs and a datagram in a batch of ten or more ≈2.3 µs ({@code shared/dependency-notes.md}).
 *
 * <p>Owned by one thread ({@link #owner()}): neither method is thread-safe, and neither allocates, locks
 * or logs. The packet is copied once (into the slot); descriptors and iovecs are made once, in the
 * constructor, and only the length, remote address and port change per packet.
 *
 * <p>A failed datagram does not hold up the others: when the send buffer is full (EAGAIN) the rest of
 * the batch is dropped and counted (UDP; the receivers' NACKs repair video), when one datagram is refused
 * (e.g. no route) it alone is dropped and counted.
 */
public final class UdpBatch implements AutoCloseable {
    /** Slots per batch: a full batch is sent at once. */
    public static final int DEFAULT_CAPACITY = 128;
    /** Bytes per slot: a datagram larger than this goes the old way (never, for SRTP within the MTU). */
    public static final int SLOT_SIZE = 2048;
    private static final int IOV_SIZE = 16; // struct iovec on LP64: void *iov_base; size_t iov_len

    /** The system call, replaceable by tests (partial sends, EAGAIN, errors). */
    interface Syscall {
        int sendmmsg(int fd, Object[] packets, int offset, int length) throws IOException;
    }

    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("sfu.udp.batch",
            System.getenv().getOrDefault("SFU_UDP_BATCH", "true")));

    private final Thread owner;
    private final int capacity;
    private final Syscall syscall;
    private final ByteBuffer data;
    private final ByteBuffer iov;
    private final Object packetArray;
    private final Object[] packets;
    /** Each descriptor's own 16-byte recipient address array (written in place). */
    private final byte[][] recipientAddresses;
    private final UdpSendSocket[] sockets;
    /** The descriptors of one socket's datagrams, when a batch has several sockets. */
    private final Object[] group;
    private int count;
    private boolean closed;
    private long sent;
    private long dropped;
    private long errors;
    private long syscalls;

    /** Whether batched sends can be used here (Linux with Netty's epoll library) and are not turned off. */
    public static boolean supported() {
        return ENABLED && NettyMmsg.AVAILABLE;
    }

    /** Why not, when not {@link #supported()}. */
    public static String unsupportedReason() {
        return !ENABLED ? "turned off (sfu.udp.batch=false / SFU_UDP_BATCH=false)" : NettyMmsg.UNAVAILABLE_REASON;
    }

    /** A batch for {@code owner}'s sends, or null when not {@link #supported()}. */
    public static UdpBatch create(Thread owner) {
        return supported() ? new UdpBatch(owner, DEFAULT_CAPACITY, NettyMmsg::sendmmsg) : null;
    }

    UdpBatch(Thread owner, int capacity, Syscall syscall) {
        if (capacity < 1 || capacity > 1024) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.owner = owner;
        this.capacity = capacity;
        this.syscall = syscall;
        this.data = ByteBuffer.allocateDirect(capacity * SLOT_SIZE);
        this.iov = ByteBuffer.allocateDirect(capacity * IOV_SIZE).order(ByteOrder.nativeOrder());
        this.packetArray = NettyMmsg.newPacketArray();
        this.packets = NettyMmsg.packets(packetArray);
        if (packets.length < capacity) {
            NettyMmsg.release(packetArray);
            throw new IllegalArgumentException("capacity " + capacity + " > " + packets.length);
        }
        this.recipientAddresses = new byte[capacity][];
        this.sockets = new UdpSendSocket[capacity];
        this.group = NettyMmsg.newDescriptorArray(capacity);
        long dataAddress = io.netty.channel.unix.Buffer.memoryAddress(data);
        long iovAddress = io.netty.channel.unix.Buffer.memoryAddress(iov);
        for (int i = 0; i < capacity; i++) {
            iov.putLong(i * IOV_SIZE, dataAddress + (long) i * SLOT_SIZE);
            iov.putLong(i * IOV_SIZE + 8, 0);
            Object p = packets[i];
            NettyMmsg.MEMORY_ADDRESS.set(p, iovAddress + (long) i * IOV_SIZE);
            NettyMmsg.COUNT.set(p, 1);
            NettyMmsg.SEGMENT_SIZE.set(p, 0);
            NettyMmsg.RECIPIENT_ADDR_LEN.set(p, 16);
            recipientAddresses[i] = (byte[]) NettyMmsg.RECIPIENT_ADDR.get(p);
        }
    }

    /** The thread that may use this batch. */
    public Thread owner() {
        return owner;
    }

    /** Whether the calling thread is the {@link #owner()}. */
    public boolean isOwnerThread() {
        return Thread.currentThread() == owner;
    }

    /**
     * Queues a copy of the datagram for {@code route}; sends the batch first if it is full. False when it
     * cannot be queued (too large, no socket of ours, closed): the caller sends it the old way.
     */
    boolean add(UdpRoute route, byte[] buf, int off, int len) {
        UdpSendSocket socket = route.socket;
        if (len <= 0 || len > SLOT_SIZE || socket == null || closed) {
            return false;
        }
        if (count == capacity) {
            flush();
        }
        int i = count;
        data.put(i * SLOT_SIZE, buf, off, len);
        iov.putLong(i * IOV_SIZE + 8, len);
        Object p = packets[i];
        System.arraycopy(route.address, 0, recipientAddresses[i], 0, 16);
        NettyMmsg.RECIPIENT_SCOPE_ID.set(p, route.scopeId);
        NettyMmsg.RECIPIENT_PORT.set(p, route.port);
        sockets[i] = socket;
        count = i + 1;
        return true;
    }

    /** Datagrams queued and not yet sent. */
    public int pending() {
        return count;
    }

    /**
     * Sends everything queued: one system call per socket (more only if the kernel takes part of one).
     * The datagrams of one socket keep their order; a batch usually has one socket, but subscribers whose
     * ICE pairs sit on different local addresses of the media port (127.0.0.1 and a LAN address, say)
     * interleave theirs, and those are regrouped rather than sent run by run.
     */
    public int flush() {
        int n = count;
        if (n == 0) {
            return 0;
        }
        long before = sent;
        UdpSendSocket first = sockets[0];
        int i = 1;
        while (i < n && sockets[i] == first) {
            i++;
        }
        if (i == n) {
            sendRun(first, packets, 0, n);
        } else {
            for (int start = 0; start < n; start++) {
                UdpSendSocket socket = sockets[start];
                if (socket == null) {
                    continue;
                }
                int k = 0;
                for (int j = start; j < n; j++) {
                    if (sockets[j] == socket) {
                        group[k++] = packets[j];
                        sockets[j] = null;
                    }
                }
                sendRun(socket, group, 0, k);
            }
        }
        for (int j = 0; j < n; j++) {
            sockets[j] = null;
        }
        count = 0;
        return (int) (sent - before);
    }

    private void sendRun(UdpSendSocket socket, Object[] descriptors, int from, int to) {
        if (socket.isClosed()) {
            dropped += to - from;
            return;
        }
        int fd = socket.fd();
        int off = from;
        while (off < to) {
            int done;
            try {
                syscalls++;
                done = syscall.sendmmsg(fd, descriptors, off, to - off);
            } catch (java.nio.channels.ClosedChannelException e) {
                dropped += to - off;
                return;
            } catch (IOException | RuntimeException e) {
                // The datagram at off was refused (the others were not tried): drop it, go on with the rest.
                errors++;
                dropped++;
                off++;
                continue;
            }
            if (done <= 0) {
                // EAGAIN: the send buffer is full. Waiting would stall every conference of the thread.
                dropped += to - off;
                return;
            }
            sent += done;
            off += done;
        }
    }

    /** Datagrams handed to the kernel. Owner thread; other threads may read a stale value. */
    public long sent() {
        return sent;
    }

    /** Datagrams dropped: send buffer full, refused, or socket closed. */
    public long dropped() {
        return dropped;
    }

    /** Datagrams the kernel refused (a subset of {@link #dropped()}). */
    public long errors() {
        return errors;
    }

    /** {@code sendmmsg} calls made. */
    public long syscalls() {
        return syscalls;
    }

    /** Frees the descriptors' native memory; what is still queued is dropped. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        dropped += count;
        count = 0;
        NettyMmsg.release(packetArray);
    }
}
