package dev.sfu.ice;

import java.time.Duration;
import java.util.List;

/**
 * How the media port listens and what it advertises.
 *
 * @param bindAddress local address of the shared UDP socket ("0.0.0.0" = every usable interface and loopback)
 * @param udpPort the one UDP port of the instance (0 = ephemeral, for tests)
 * @param advertisedAddresses addresses written into candidates instead of the bound ones (1:1 NAT); empty = bound ones
 * @param tcpPort passive ICE-TCP port (RFC 6544): 0 = off, {@link #TCP_PORT_ANY} = any free port (tests)
 * @param stunServer "host:port" to discover the public address at start, or null
 * @param consentTimeout how long without consent (RFC 7675) before a transport fails
 */
public record IceConfig(String bindAddress, int udpPort, List<String> advertisedAddresses, int tcpPort,
        String stunServer, Duration consentTimeout) {

    /** {@link #tcpPort}: listen on any free TCP port (0 already means off). */
    public static final int TCP_PORT_ANY = -1;

    public IceConfig {
        advertisedAddresses = List.copyOf(advertisedAddresses);
    }

    public static IceConfig defaults() {
        return new IceConfig("0.0.0.0", 10000, List.of(), 0, null, Duration.ofSeconds(30));
    }

    /** Bound to and advertised as 127.0.0.1 (tests; port 0 = ephemeral). */
    public static IceConfig loopback(int udpPort) {
        return new IceConfig("127.0.0.1", udpPort, List.of("127.0.0.1"), 0, null, Duration.ofSeconds(30));
    }

    public IceConfig withTcpPort(int port) {
        return new IceConfig(bindAddress, udpPort, advertisedAddresses, port, stunServer, consentTimeout);
    }

    public IceConfig withConsentTimeout(Duration timeout) {
        return new IceConfig(bindAddress, udpPort, advertisedAddresses, tcpPort, stunServer, timeout);
    }
}
