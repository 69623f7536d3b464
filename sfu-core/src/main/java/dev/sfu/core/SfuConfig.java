package dev.sfu.core;

import java.time.Duration;
import java.util.List;

/**
 * Everything the SFU core needs to start. The signaling layer builds it from its configuration file and
 * environment.
 *
 * @param bindAddress local address of the media sockets ("0.0.0.0" = all)
 * @param mediaPort the one UDP port shared by every transport (0 = ephemeral, for tests)
 * @param advertisedAddresses addresses written into ICE candidates (empty = the bind/local addresses);
 *     the public address of a 1:1 NAT goes here
 * @param iceTcpPort passive ICE-TCP port (RFC 6544): 0 = off, {@code IceConfig.TCP_PORT_ANY} (-1) = any free port
 * @param stunServer "host:port" used at start to discover the public address, or null
 * @param consentTimeout how long a transport may go without consent (RFC 7675) before it fails
 * @param maxEndpointsPerConference a join beyond this gets {@code conference-full}
 * @param maxConferences a join that would create one more conference beyond this gets {@code conference-full}
 * @param mediaThreads number of media threads (conferences are spread over them)
 * @param lastN forward the video of only this many most recent dominant speakers to each endpoint
 *     (0 = every video)
 */
public record SfuConfig(
        String bindAddress,
        int mediaPort,
        List<String> advertisedAddresses,
        int iceTcpPort,
        String stunServer,
        Duration consentTimeout,
        int maxEndpointsPerConference,
        int maxConferences,
        int mediaThreads,
        int lastN) {

    public SfuConfig {
        advertisedAddresses = List.copyOf(advertisedAddresses);
        if (lastN < 0) {
            throw new IllegalArgumentException("lastN must be >= 0 (0 = off)");
        }
    }

    /** Without last-N (every video is forwarded). */
    public SfuConfig(String bindAddress, int mediaPort, List<String> advertisedAddresses, int iceTcpPort,
            String stunServer, Duration consentTimeout, int maxEndpointsPerConference, int maxConferences,
            int mediaThreads) {
        this(bindAddress, mediaPort, advertisedAddresses, iceTcpPort, stunServer, consentTimeout,
                maxEndpointsPerConference, maxConferences, mediaThreads, 0);
    }

    public SfuConfig withLastN(int n) {
        return new SfuConfig(bindAddress, mediaPort, advertisedAddresses, iceTcpPort, stunServer, consentTimeout,
                maxEndpointsPerConference, maxConferences, mediaThreads, n);
    }

    /** Production defaults: all interfaces, UDP 10000, no ICE-TCP, 30 s consent, 50 per conference. */
    public static SfuConfig defaults() {
        return new SfuConfig("0.0.0.0", 10000, List.of(), 0, null, Duration.ofSeconds(30), 50, 1000,
                Runtime.getRuntime().availableProcessors());
    }

    /** For tests: media on 127.0.0.1 at an ephemeral port, advertised as 127.0.0.1. */
    public static SfuConfig loopback() {
        return new SfuConfig("127.0.0.1", 0, List.of("127.0.0.1"), 0, null, Duration.ofSeconds(30), 50, 1000, 2);
    }

    public SfuConfig withMediaPort(int port) {
        return new SfuConfig(bindAddress, port, advertisedAddresses, iceTcpPort, stunServer, consentTimeout,
                maxEndpointsPerConference, maxConferences, mediaThreads, lastN);
    }

    public SfuConfig withAdvertisedAddresses(List<String> addresses) {
        return new SfuConfig(bindAddress, mediaPort, addresses, iceTcpPort, stunServer, consentTimeout,
                maxEndpointsPerConference, maxConferences, mediaThreads, lastN);
    }

    public SfuConfig withIceTcpPort(int port) {
        return new SfuConfig(bindAddress, mediaPort, advertisedAddresses, port, stunServer, consentTimeout,
                maxEndpointsPerConference, maxConferences, mediaThreads);
    }

    public SfuConfig withLimits(int maxEndpointsPerConference, int maxConferences) {
        return new SfuConfig(bindAddress, mediaPort, advertisedAddresses, iceTcpPort, stunServer, consentTimeout,
                maxEndpointsPerConference, maxConferences, mediaThreads, lastN);
    }
}
