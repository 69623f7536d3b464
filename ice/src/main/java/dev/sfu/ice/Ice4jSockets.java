package dev.sfu.ice;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.net.DatagramSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.MultiplexedDatagramSocket;
import org.ice4j.socket.MultiplexingDatagramSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the file descriptors that ice4j (3.2-15) leaves to the garbage collector. A candidate's STUN socket
 * is a {@code MultiplexedDatagramSocket}, a {@code java.net.DatagramSocket} subclass whose constructor
 * (through {@code DelegatingDatagramSocket(delegate)} → {@code DatagramSocket(null)}) opens an unbound
 * UDP socket of its own that it never uses, and whose {@code close()} only detaches it from its
 * multiplexing parent without calling {@code DatagramSocket.close()}: that descriptor is closed only when a
 * GC runs the socket's Cleaner. Every UDP client has one (its host candidate's), so sockets piled up
 * between collections (sfu-core's ChurnTest: 14 → 30 over 58 cycles). (Server transports had one per
 * remote address too, until {@link SharedPortCandidate} stopped making them.)
 *
 * <p>{@link #stunSockets} finds them before {@code agent.free()} (which detaches them, after which
 * nothing reaches them), {@link #closeDescriptor} closes their own descriptor afterwards by calling
 * {@code DatagramSocket.close()} non-virtually. Both use ice4j internals by name; if a later ice4j lacks
 * them, nothing is closed here (the GC still does it) and this is logged once.
 */
final class Ice4jSockets {
    private static final Logger LOG = LoggerFactory.getLogger(Ice4jSockets.class);
    private static final MethodHandle DATAGRAM_SOCKET_CLOSE;
    private static final Field SUPPORT;
    private static final Field SUPPORT_SOCKETS;
    private static volatile boolean warned;

    static {
        MethodHandle close = null;
        Field support = null;
        Field supportSockets = null;
        try {
            close = MethodHandles.privateLookupIn(MultiplexedDatagramSocket.class, MethodHandles.lookup())
                    .findSpecial(DatagramSocket.class, "close", MethodType.methodType(void.class),
                            MultiplexedDatagramSocket.class);
            support = MultiplexingDatagramSocket.class.getDeclaredField("multiplexingXXXSocketSupport");
            support.setAccessible(true);
            supportSockets = support.getType().getDeclaredField("sockets");
            supportSockets.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("cannot reach ice4j's STUN sockets ({}): their descriptors close when collected", e.toString());
            close = null;
        }
        DATAGRAM_SOCKET_CLOSE = close;
        SUPPORT = support;
        SUPPORT_SOCKETS = supportSockets;
    }

    private Ice4jSockets() {
    }

    /** The multiplexed (STUN) sockets of a component's local candidates; call before the agent is freed. */
    static List<MultiplexedDatagramSocket> stunSockets(Component component) {
        List<MultiplexedDatagramSocket> found = new ArrayList<>();
        if (DATAGRAM_SOCKET_CLOSE == null) {
            return found;
        }
        try {
            for (LocalCandidate c : component.getLocalCandidates()) {
                for (IceSocketWrapper w : wrappers(c)) {
                    if (w != null && w.getUDPSocket() instanceof MultiplexingDatagramSocket m) {
                        for (Object s : (List<?>) SUPPORT_SOCKETS.get(SUPPORT.get(m))) {
                            if (s instanceof MultiplexedDatagramSocket socket) {
                                found.add(socket);
                            }
                        }
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            warnOnce(e);
        }
        return found;
    }

    /**
     * A candidate's socket wrappers: the single-port harvester's candidates keep one per remote address
     * in a private map ({@code candidateSockets}); others have one.
     */
    private static List<IceSocketWrapper> wrappers(LocalCandidate c) throws ReflectiveOperationException {
        for (Class<?> k = c.getClass(); k != null && k != Object.class; k = k.getSuperclass()) {
            try {
                Field perRemote = k.getDeclaredField("candidateSockets");
                perRemote.setAccessible(true);
                Map<?, ?> map = (Map<?, ?>) perRemote.get(c);
                List<IceSocketWrapper> list = new ArrayList<>();
                synchronized (c) { // MyCandidate.addSocket is synchronized on the candidate
                    for (Object w : map.values()) {
                        list.add((IceSocketWrapper) w);
                    }
                }
                return list;
            } catch (NoSuchFieldException e) {
                // not this class
            }
        }
        List<IceSocketWrapper> one = new ArrayList<>(1);
        if (c instanceof HostCandidate host) {
            one.add(host.getCandidateIceSocketWrapper());
        }
        return one;
    }

    /** Closes the socket's own descriptor ({@code DatagramSocket.close()}, bypassing ice4j's override). */
    static void closeDescriptor(MultiplexedDatagramSocket socket) {
        try {
            DATAGRAM_SOCKET_CLOSE.invoke(socket);
        } catch (Throwable e) {
            warnOnce(e);
        }
    }

    private static void warnOnce(Throwable e) {
        if (!warned) {
            warned = true;
            LOG.info("cannot close ice4j's STUN sockets ({}): their descriptors close when collected", e.toString());
        }
    }
}
