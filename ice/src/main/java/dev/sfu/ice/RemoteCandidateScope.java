package dev.sfu.ice;

import java.net.InetAddress;
import java.util.List;

/**
 * Which remote candidate addresses the server's ICE checks may go to and accept checks from: the setting
 * that picks a {@link RemoteCandidatePolicy}.
 */
public enum RemoteCandidateScope {
    /**
     * Public addresses, the networks the server's own interfaces are on (its LAN segment), and private or
     * loopback ranges when the server advertises such an address (a LAN or a development machine). Other
     * special ranges, link-local (the cloud metadata service) and multicast among them, are refused. A
     * server on the internet should say {@link #STRICT}.
     */
    AUTO,
    /** Public addresses only. */
    STRICT,
    /** Public and RFC 1918 / unique-local addresses. */
    PRIVATE,
    /** Public, private and loopback addresses: local runs and tests. */
    LOOPBACK,
    /** Anything, with no limits: the behaviour before the policy existed. Not for a server on the internet. */
    PERMISSIVE;

    /** The policy for a server whose candidates carry {@code advertised} (IP literals). */
    public RemoteCandidatePolicy policy(List<String> advertised) {
        return switch (this) {
            case STRICT -> RemoteCandidatePolicy.strict();
            case PRIVATE -> RemoteCandidatePolicy.allowPrivate();
            case LOOPBACK -> RemoteCandidatePolicy.allowPrivate().alsoAllowing(AddressClass.LOOPBACK);
            case PERMISSIVE -> RemoteCandidatePolicy.permissive();
            case AUTO -> {
                RemoteCandidatePolicy policy = RemoteCandidatePolicy.strict().alsoAllowingNetworks(localNetworks());
                for (String address : advertised) {
                    AddressClass c = classOf(address);
                    if (c == AddressClass.PRIVATE || c == AddressClass.LOOPBACK) {
                        policy = policy.alsoAllowing(c);
                    }
                }
                yield policy;
            }
        };
    }

    /** The networks of this machine's interfaces that are up, loopback and link-local ones left out. */
    static List<Subnet> localNetworks() {
        List<Subnet> networks = new java.util.ArrayList<>();
        try {
            for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (java.net.InterfaceAddress a : nic.getInterfaceAddresses()) {
                    if (!a.getAddress().isLinkLocalAddress() && !a.getAddress().isLoopbackAddress()
                            && a.getNetworkPrefixLength() >= 8) {
                        networks.add(Subnet.of(a));
                    }
                }
            }
        } catch (java.net.SocketException e) {
            // no interfaces to read: public and advertised ranges only
        }
        return networks;
    }

    private static AddressClass classOf(String literal) {
        InetAddress address = IpLiteral.parse(literal);
        return address == null ? AddressClass.PUBLIC : AddressClass.of(address);
    }
}
