package dev.sfu.client;

import dev.sfu.core.transport.TransportCounters;
import dev.sfu.dtls.DtlsCertificate;
import dev.sfu.ice.IceTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.concurrent.Executor;

/** What in-process clients share: how they make ICE transports, their certificate, handshake threads. */
public interface ClientContext {
    /** A new controlling ICE transport on the client's side. */
    IceTransport newIceTransport(String name);

    DtlsCertificate certificate();

    Executor handshakeExecutor();

    TransportCounters counters();

    /**
     * Clients on one local address sharing one certificate. {@code handshakes} must run every
     * handshake in flight at once (a cached pool): a DTLS handshake blocks its thread.
     */
    static ClientContext onAddress(InetAddress address, Executor handshakes) {
        return onAddress(address, handshakes, IceTransport.Mode.UDP);
    }

    /** As {@link #onAddress(InetAddress, Executor)}, with ICE over UDP or over ICE-TCP only. */
    static ClientContext onAddress(InetAddress address, Executor handshakes, IceTransport.Mode mode) {
        DtlsCertificate certificate = DtlsCertificate.generate();
        TransportCounters counters = new TransportCounters(new SimpleMeterRegistry());
        return new ClientContext() {
            @Override
            public IceTransport newIceTransport(String name) {
                return IceTransport.client(name, address, mode);
            }

            @Override
            public DtlsCertificate certificate() {
                return certificate;
            }

            @Override
            public Executor handshakeExecutor() {
                return handshakes;
            }

            @Override
            public TransportCounters counters() {
                return counters;
            }
        };
    }
}
