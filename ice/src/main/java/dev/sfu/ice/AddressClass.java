package dev.sfu.ice;

import java.net.InetAddress;

/**
 * Which special-purpose range (RFC 6890 and the IANA special-purpose address registries) an IP address
 * is in, or {@link #PUBLIC}. An IPv6 address that stands for an IPv4 one is judged as that IPv4 address:
 * IPv4-mapped ({@code ::ffff:0:0/96}), the NAT64 well-known prefix ({@code 64:ff9b::/96}, RFC 6052) and
 * 6to4 ({@code 2002::/16}, RFC 3056), since traffic to them reaches the embedded IPv4 address.
 */
public enum AddressClass {
    /** Globally routable as far as these tables know. */
    PUBLIC,
    /** 127.0.0.0/8, ::1. */
    LOOPBACK,
    /** RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 4193 unique local fc00::/7, deprecated site-local fec0::/10. */
    PRIVATE,
    /** 169.254/16 (the cloud metadata service at 169.254.169.254 among them), fe80::/10. */
    LINK_LOCAL,
    /** 224/4, ff00::/8. */
    MULTICAST,
    /** 0.0.0.0, ::. */
    UNSPECIFIED,
    /** 255.255.255.255. */
    BROADCAST,
    /** 0.0.0.0/8 "this network" (RFC 1122). */
    THIS_NETWORK,
    /** 100.64/10, carrier-grade NAT shared address space (RFC 6598). */
    SHARED,
    /** 192.0.0/24 IETF protocol assignments (RFC 6890), 2001::/23 (Teredo included). */
    IETF_PROTOCOL,
    /** 198.18/15 (RFC 2544), 2001:2::/48 (RFC 5180). */
    BENCHMARKING,
    /** 192.0.2/24, 198.51.100/24, 203.0.113/24 (RFC 5737), 2001:db8::/32 (RFC 3849), 3fff::/20 (RFC 9637). */
    DOCUMENTATION,
    /**
     * 240/4 (future use), 192.88.99/24 (the deprecated 6to4 relay anycast), IPv4-compatible ::/96, the
     * discard prefix 100::/64, local-use NAT64 64:ff9b:1::/48.
     */
    RESERVED;

    public static AddressClass of(InetAddress address) {
        return of(address.getAddress());
    }

    /** From the 4 or 16 bytes of an address; anything else is {@link #RESERVED}. */
    public static AddressClass of(byte[] a) {
        if (a.length == 4) {
            return ofV4(u(a[0]), u(a[1]), u(a[2]), u(a[3]));
        }
        if (a.length != 16) {
            return RESERVED;
        }
        if (zeros(a, 0, 10) && u(a[10]) == 0xff && u(a[11]) == 0xff) {
            return ofV4(u(a[12]), u(a[13]), u(a[14]), u(a[15])); // ::ffff:a.b.c.d
        }
        if (zeros(a, 0, 12)) {
            if (zeros(a, 12, 16)) {
                return UNSPECIFIED;
            }
            return zeros(a, 12, 15) && a[15] == 1 ? LOOPBACK : RESERVED; // ::1, else IPv4-compatible
        }
        int w0 = word(a, 0);
        int w1 = word(a, 2);
        if (w0 == 0x0064 && w1 == 0xff9b) {
            if (zeros(a, 4, 12)) {
                return ofV4(u(a[12]), u(a[13]), u(a[14]), u(a[15])); // NAT64 64:ff9b::a.b.c.d
            }
            return word(a, 4) == 0x0001 ? RESERVED : PUBLIC;
        }
        if (w0 == 0x0100 && zeros(a, 2, 8)) {
            return RESERVED; // 100::/64 discard-only
        }
        if (w0 == 0x2002) {
            return ofV4(u(a[2]), u(a[3]), u(a[4]), u(a[5])); // 6to4 2002:V4ADDR::/48
        }
        if (w0 == 0x2001) {
            if (w1 == 0x0db8) {
                return DOCUMENTATION;
            }
            if (w1 == 0x0002 && word(a, 4) == 0) {
                return BENCHMARKING;
            }
            if (w1 < 0x0200) {
                return IETF_PROTOCOL; // 2001::/23
            }
            return PUBLIC;
        }
        if (w0 == 0x3fff && (w1 & 0xf000) == 0) {
            return DOCUMENTATION; // 3fff::/20
        }
        if ((w0 & 0xfe00) == 0xfc00) {
            return PRIVATE;
        }
        if ((w0 & 0xffc0) == 0xfe80) {
            return LINK_LOCAL;
        }
        if ((w0 & 0xffc0) == 0xfec0) {
            return PRIVATE;
        }
        if ((w0 & 0xff00) == 0xff00) {
            return MULTICAST;
        }
        return PUBLIC;
    }

    private static AddressClass ofV4(int a, int b, int c, int d) {
        if (a == 0) {
            return (b | c | d) == 0 ? UNSPECIFIED : THIS_NETWORK;
        }
        if (a == 10 || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168)) {
            return PRIVATE;
        }
        if (a == 127) {
            return LOOPBACK;
        }
        if (a == 169 && b == 254) {
            return LINK_LOCAL;
        }
        if (a == 100 && (b & 0xc0) == 64) {
            return SHARED;
        }
        if (a == 192 && b == 0 && c == 0) {
            return IETF_PROTOCOL;
        }
        if ((a == 192 && b == 0 && c == 2) || (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113)) {
            return DOCUMENTATION;
        }
        if (a == 198 && (b & 0xfe) == 18) {
            return BENCHMARKING;
        }
        if (a == 192 && b == 88 && c == 99) {
            return RESERVED;
        }
        if ((a & 0xf0) == 224) {
            return MULTICAST;
        }
        if (a == 255 && b == 255 && c == 255 && d == 255) {
            return BROADCAST;
        }
        if ((a & 0xf0) == 240) {
            return RESERVED;
        }
        return PUBLIC;
    }

    private static int u(byte b) {
        return b & 0xff;
    }

    private static int word(byte[] a, int at) {
        return (u(a[at]) << 8) | u(a[at + 1]);
    }

    private static boolean zeros(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
