package dev.sfu.core.client;

import dev.sfu.core.transport.TransportCounters;
import dev.sfu.dtls.DtlsCertificate;
import dev.sfu.ice.IceTransport;
import java.util.concurrent.Executor;

/** What in-process clients share: how they make ICE transports, their certificate, handshake threads. */
public interface ClientContext {
    /** A new controlling ICE transport on the client's side. */
    IceTransport newIceTransport(String name);

    DtlsCertificate certificate();

    Executor handshakeExecutor();

    TransportCounters counters();
}
