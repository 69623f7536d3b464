package dev.sfu.ice;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which remote addresses a server transport may send STUN to, and how many the peer may make it try
 * (issue 17). A peer chooses its candidates and, with valid credentials, the source addresses of its
 * Binding requests; each makes ice4j send connectivity and consent checks there. Without limits a client
 * could make the server probe 127.0.0.1, the LAN, the cloud metadata service (169.254.169.254) or a
 * multicast group, as often as it likes.
 *
 * <ul>
 *   <li>{@link #strict()}: only {@link AddressClass#PUBLIC} addresses; at most
 *       {@value #DEFAULT_MAX_CANDIDATES} signalled candidates per ICE session and
 *       {@value #DEFAULT_MAX_UDP_SOURCES} UDP source addresses per local ufrag; the peer's ufrag and
 *       password must be valid per RFC 8839 ({@link IceCredentials}).</li>
 *   <li>{@link #allowPrivate()} / {@link #allowLoopback()}: strict, but RFC 1918 and unique local
 *       addresses, or loopback, are allowed too: a LAN deployment, local runs and tests.</li>
 *   <li>{@link #permissive()}: no checks at all, the behaviour before this policy existed; what a media
 *       port uses until its owner sets another ({@link MediaPort#setRemoteCandidatePolicy}).</li>
 * </ul>
 * Link-local, multicast, broadcast, unspecified, shared (CGNAT), documentation, benchmarking and reserved
 * ranges are refused by every policy but the permissive one. Candidates with a host name (Chrome's mDNS
 * {@code xxxx.local}) are never resolved, as before: they count towards the candidate limit and are
 * otherwise ignored; peer-reflexive discovery finds such a browser from its Binding requests.
 */
public final class RemoteCandidatePolicy {
    public static final int DEFAULT_MAX_CANDIDATES = 32;
    /** A browser sends from one or two addresses per network interface; 8 leaves room for a few paths. */
    public static final int DEFAULT_MAX_UDP_SOURCES = 8;

    private static final RemoteCandidatePolicy PERMISSIVE =
            new RemoteCandidatePolicy(null, List.of(), false, Integer.MAX_VALUE, Integer.MAX_VALUE);

    /** Allowed address classes; null = every address (permissive). */
    private final Set<AddressClass> allowed;
    /** Networks the server itself is on: allowed whatever their class (a peer on the same segment). */
    private final List<Subnet> networks;
    private final boolean validatesCredentials;
    private final int maxCandidates;
    private final int maxUdpSources;

    private RemoteCandidatePolicy(Set<AddressClass> allowed, List<Subnet> networks, boolean validatesCredentials,
            int maxCandidates, int maxUdpSources) {
        this.allowed = allowed == null ? null : Set.copyOf(allowed);
        this.networks = List.copyOf(networks);
        this.validatesCredentials = validatesCredentials;
        this.maxCandidates = maxCandidates;
        this.maxUdpSources = maxUdpSources;
    }

    /** Public addresses only, the default limits, valid credentials required: a server on the internet. */
    public static RemoteCandidatePolicy strict() {
        return new RemoteCandidatePolicy(EnumSet.of(AddressClass.PUBLIC), List.of(), true, DEFAULT_MAX_CANDIDATES,
                DEFAULT_MAX_UDP_SOURCES);
    }

    /** {@link #strict()} plus RFC 1918 and unique local (fc00::/7) addresses: a server on a LAN. */
    public static RemoteCandidatePolicy allowPrivate() {
        return strict().alsoAllowing(AddressClass.PRIVATE);
    }

    /** {@link #strict()} plus loopback: local runs and tests, where everything is on 127.0.0.1. */
    public static RemoteCandidatePolicy allowLoopback() {
        return strict().alsoAllowing(AddressClass.LOOPBACK);
    }

    /** No checks and no limits: the behaviour before this policy existed. */
    public static RemoteCandidatePolicy permissive() {
        return PERMISSIVE;
    }

    /**
     * This policy with private or loopback addresses allowed too (e.g. {@code allowPrivate().alsoAllowing(
     * AddressClass.LOOPBACK)}). Only those two can be added: the other special ranges are never a peer.
     */
    public RemoteCandidatePolicy alsoAllowing(AddressClass extra) {
        if (extra != AddressClass.PRIVATE && extra != AddressClass.LOOPBACK) {
            throw new IllegalArgumentException("only PRIVATE or LOOPBACK can be allowed, not " + extra);
        }
        if (allowed == null) {
            return this;
        }
        EnumSet<AddressClass> more = EnumSet.copyOf(allowed);
        more.add(extra);
        return new RemoteCandidatePolicy(more, networks, validatesCredentials, maxCandidates, maxUdpSources);
    }

    /**
     * This policy with the given networks allowed too, whatever their class: the segments the server's own
     * interfaces are on, where its local clients are (in some labs and containers even a documentation
     * range such as 192.0.2.0/24).
     */
    public RemoteCandidatePolicy alsoAllowingNetworks(List<Subnet> more) {
        if (allowed == null || more.isEmpty()) {
            return this;
        }
        List<Subnet> all = new ArrayList<>(networks);
        all.addAll(more);
        return new RemoteCandidatePolicy(allowed, all, validatesCredentials, maxCandidates, maxUdpSources);
    }

    /** This policy with other limits (each at least 1). */
    public RemoteCandidatePolicy withLimits(int maxCandidates, int maxUdpSources) {
        if (maxCandidates < 1 || maxUdpSources < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        return new RemoteCandidatePolicy(allowed, networks, validatesCredentials, maxCandidates, maxUdpSources);
    }

    /** Whether the server may send to {@code address}. */
    public boolean allows(InetAddress address) {
        if (allowed == null || allowed.contains(AddressClass.of(address))) {
            return true;
        }
        for (int i = 0; i < networks.size(); i++) {
            if (networks.get(i).contains(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean validatesCredentials() {
        return validatesCredentials;
    }

    /** Signalled candidates taken per ICE session; the rest are ignored and counted. */
    public int maxCandidates() {
        return maxCandidates;
    }

    /** Distinct UDP source addresses accepted per local ufrag; requests from more are dropped and counted. */
    public int maxUdpSources() {
        return maxUdpSources;
    }

    @Override
    public String toString() {
        return allowed == null ? "permissive" : "allowing " + allowed + (networks.isEmpty() ? "" : " and " + networks)
                + ", at most " + maxCandidates
                + " candidates and " + maxUdpSources + " UDP sources";
    }
}
