package dev.sfu.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive thread of a client-side UDP transport (tests, load harness): reads the session's own
 * component socket and hands every datagram to {@link InboundPackets}, one new array per datagram (the
 * handler keeps it). A client has one such thread per session; it stops when the transport closes, when
 * an ICE restart replaces the session, or when the socket closes.
 */
final class ClientUdpReader {
    private static final Logger LOG = LoggerFactory.getLogger(ClientUdpReader.class);

    private final Thread thread;

    /** Starts reading {@code session}'s socket while {@code stillCurrent} holds. */
    ClientUdpReader(String name, IceSession session, InboundPackets inbound, BooleanSupplier stillCurrent) {
        thread = new Thread(() -> {
            try {
                var socket = session.component.getSocket();
                while (stillCurrent.getAsBoolean()) {
                    byte[] buf = new byte[1600];
                    DatagramPacket packet = new DatagramPacket(buf, buf.length);
                    socket.receive(packet);
                    if (stillCurrent.getAsBoolean()) {
                        inbound.deliver(buf, packet.getOffset(), packet.getLength());
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (stillCurrent.getAsBoolean()) {
                    LOG.debug("{}: reader stopped: {}", name, e.toString());
                }
            }
        }, "ice-client-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    void interrupt() {
        thread.interrupt();
    }
}
