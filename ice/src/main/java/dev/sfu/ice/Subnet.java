package dev.sfu.ice;

import java.net.InetAddress;
import java.net.InterfaceAddress;

/** An address prefix ({@code 192.0.2.0/24}): one of the networks the server itself is on. */
public record Subnet(byte[] network, int prefixBits) {

    public Subnet {
        network = network.clone();
        if (prefixBits < 0 || prefixBits > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixBits + " does not fit the address");
        }
    }

    /** The network of a local interface address. */
    public static Subnet of(InterfaceAddress address) {
        return new Subnet(address.getAddress().getAddress(), address.getNetworkPrefixLength());
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixBits;
        } catch (java.net.UnknownHostException e) {
            return "?/" + prefixBits;
        }
    }
}
