package dev.sfu.ice;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.stack.StunStack;

/**
 * One transport's host candidate on the shared media port: a socket per remote address that the
 * {@link CheckedUdpHarvester} accepted, each handed to the agent's STUN stack as it is.
 *
 * <p>ice4j's own (SinglePortUdpHarvester's private {@code MyCandidate}) wraps each per-address socket in a
 * {@code MultiplexingDatagramSocket} and gives the STUN stack a STUN-filtered {@code MultiplexedDatagramSocket}
 * of it. Each of those two allocates a 10,000-slot receive queue up front (40 KB) and opens an unbound UDP
 * socket of its own, which ice4j leaves to the garbage collector to close: about 80 KB of heap and two
 * descriptors per remote address, 2–3 per participant. Under ice4j's push API they are of no use: the port's
 * receive thread gives media to the component's buffer callback and only STUN to the per-address socket,
 * so that socket is exactly what the STUN stack must read.
 */
final class SharedPortCandidate extends HostCandidate {
    private final String ufrag;
    private final Consumer<SharedPortCandidate> onFree;
    /** The socket of each accepted remote address. Its own lock, as ice4j's: the STUN stack calls in. */
    private final Map<SocketAddress, IceSocketWrapper> sockets = new HashMap<>();
    private boolean freed; // guarded by sockets

    SharedPortCandidate(TransportAddress portAddress, Component component, String ufrag,
            Consumer<SharedPortCandidate> onFree) {
        super(portAddress, component);
        this.ufrag = ufrag;
        this.onFree = onFree;
    }

    String ufrag() {
        return ufrag;
    }

    /**
     * Forgets a socket of {@code remoteAddress} that was closed under the candidate (the port accepts an
     * address anew only when its socket is gone). Call before the port makes the new socket: stopping the
     * stale one's STUN reader closes it again, and a closing socket takes its address out of the port's
     * table, which must not yet hold the new one.
     */
    void forgetClosed(InetSocketAddress remoteAddress) {
        IceSocketWrapper stale;
        synchronized (sockets) {
            stale = sockets.remove(remoteAddress);
        }
        if (stale != null) {
            release(remoteAddress, stale);
        }
    }

    /** Hands the socket of a newly accepted remote address to the agent's STUN stack. */
    void addSocket(DatagramSocket socket, InetSocketAddress remoteAddress) throws IOException {
        Component component = getParentComponent();
        if (component == null) {
            throw new IOException("no parent component");
        }
        if (component.getParentStream().getParentAgent().getState() == IceProcessingState.FAILED) {
            throw new IOException("the agent has failed");
        }
        IceSocketWrapper wrapper = new IceUdpSocketWrapper(socket);
        synchronized (sockets) {
            if (freed) {
                throw new IOException("candidate freed");
            }
            if (sockets.putIfAbsent(remoteAddress, wrapper) != null) {
                throw new IOException("a socket for " + remoteAddress + " is still open");
            }
        }
        getStunStack().addSocket(wrapper, new TransportAddress(remoteAddress, Transport.UDP));
    }

    /** The per-address sockets open now (tests: they must be closed by {@link #free}, not by a GC). */
    List<DatagramSocket> openSockets() {
        synchronized (sockets) {
            return sockets.values().stream().map(IceSocketWrapper::getUDPSocket).toList();
        }
    }

    @Override
    protected IceSocketWrapper getCandidateIceSocketWrapper(SocketAddress remoteAddress) {
        synchronized (sockets) {
            return sockets.get(remoteAddress);
        }
    }

    @Override
    protected void free() {
        List<Map.Entry<SocketAddress, IceSocketWrapper>> open;
        synchronized (sockets) {
            if (freed) {
                return;
            }
            freed = true;
            open = new ArrayList<>(sockets.entrySet());
            sockets.clear();
        }
        onFree.accept(this);
        for (Map.Entry<SocketAddress, IceSocketWrapper> e : open) {
            release((InetSocketAddress) e.getKey(), e.getValue());
        }
        super.free();
    }

    /** Stops the socket's STUN reader and closes it: it leaves the port's table and its descriptor closes. */
    private void release(InetSocketAddress remoteAddress, IceSocketWrapper wrapper) {
        StunStack stunStack = getStunStack();
        if (stunStack != null) {
            stunStack.removeSocket(
                    new TransportAddress(wrapper.getLocalAddress(), wrapper.getLocalPort(), Transport.UDP),
                    new TransportAddress(remoteAddress, Transport.UDP));
        }
        wrapper.close();
    }
}
