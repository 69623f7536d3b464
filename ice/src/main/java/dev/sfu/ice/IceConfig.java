package dev.sfu.ice;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the media port listens and what it advertises. Built with {@link #builder()} (or
 * {@link #toBuilder()} to change a copy), so that changing one setting can never drop another: the
 * server's defaults live in signaling-api's {@code sfu-defaults.conf}.
 *
 * @param bindAddress local address of the shared UDP socket ("0.0.0.0" = every usable interface and loopback)
 * @param udpPort the one UDP port of the instance (0 = ephemeral, for tests)
 * @param advertisedAddresses addresses written into candidates instead of the bound ones (1:1 NAT); empty = bound ones
 * @param tcpPort passive ICE-TCP port (RFC 6544): 0 = off, {@link #TCP_PORT_ANY} = any free port (tests)
 * @param stunServer "host:port" to discover the public address at start, or null
 * @param consentTimeout how long without consent (RFC 7675) before a transport fails
 * @param remoteCandidates which remote addresses ICE may check with ({@link RemoteCandidateScope#AUTO}: from
 *     what is advertised)
 */
public record IceConfig(String bindAddress, int udpPort, List<String> advertisedAddresses, int tcpPort,
        String stunServer, Duration consentTimeout, RemoteCandidateScope remoteCandidates) {

    /** {@link #tcpPort}: listen on any free TCP port (0 already means off). */
    public static final int TCP_PORT_ANY = -1;

    public IceConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        advertisedAddresses = List.copyOf(advertisedAddresses);
        Objects.requireNonNull(consentTimeout, "consentTimeout");
        Objects.requireNonNull(remoteCandidates, "remoteCandidates");
        if (udpPort < 0 || udpPort > 65535) {
            throw new IllegalArgumentException("udpPort must be 0-65535");
        }
        if (tcpPort < TCP_PORT_ANY || tcpPort > 65535) {
            throw new IllegalArgumentException("tcpPort must be -1 (any), 0 (off) or 1-65535");
        }
    }

    /** Every interface, UDP 10000, ICE-TCP off, 30 s consent: change what differs. */
    public static Builder builder() {
        return new Builder();
    }

    /** Bound to and advertised as 127.0.0.1 (tests; port 0 = ephemeral). */
    public static IceConfig loopback(int udpPort) {
        return builder().bindAddress("127.0.0.1").udpPort(udpPort).advertisedAddresses(List.of("127.0.0.1")).build();
    }

    /** A builder holding every setting of this one. */
    public Builder toBuilder() {
        return new Builder().bindAddress(bindAddress).udpPort(udpPort).advertisedAddresses(advertisedAddresses)
                .tcpPort(tcpPort).stunServer(stunServer).consentTimeout(consentTimeout).remoteCandidates(remoteCandidates);
    }

    /** Collects settings; {@link #build()} checks them. */
    public static final class Builder {
        private String bindAddress = "0.0.0.0";
        private int udpPort = 10000;
        private List<String> advertisedAddresses = List.of();
        private int tcpPort;
        private String stunServer;
        private Duration consentTimeout = Duration.ofSeconds(30);
        private RemoteCandidateScope remoteCandidates = RemoteCandidateScope.AUTO;

        private Builder() {
        }

        public Builder bindAddress(String v) {
            bindAddress = v;
            return this;
        }

        public Builder udpPort(int v) {
            udpPort = v;
            return this;
        }

        public Builder advertisedAddresses(List<String> v) {
            advertisedAddresses = v;
            return this;
        }

        public Builder tcpPort(int v) {
            tcpPort = v;
            return this;
        }

        public Builder stunServer(String v) {
            stunServer = v;
            return this;
        }

        public Builder consentTimeout(Duration v) {
            consentTimeout = v;
            return this;
        }

        public Builder remoteCandidates(RemoteCandidateScope v) {
            remoteCandidates = v;
            return this;
        }

        public IceConfig build() {
            return new IceConfig(bindAddress, udpPort, advertisedAddresses, tcpPort, stunServer, consentTimeout,
                    remoteCandidates);
        }
    }
}
