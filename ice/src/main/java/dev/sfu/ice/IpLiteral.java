package dev.sfu.ice;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses the address of a candidate as an IP literal and nothing else: a name (an mDNS {@code .local}
 * name, or anything a peer writes) is never looked up. {@code InetAddress.getByName} alone would resolve
 * names, and it also accepts IPv4 shorthands ("127.1", "2130706433"), which a peer could use to hide an
 * address from a textual check; here IPv4 must be four decimal octets.
 */
final class IpLiteral {
    private IpLiteral() {
    }

    /** The address, or null when {@code text} is not a dotted-quad IPv4 or an IPv6 literal. */
    static InetAddress parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        if (text.indexOf(':') >= 0) {
            return parseV6(text);
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                v = 10 * v + (c - '0');
            }
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static InetAddress parseV6(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
                    || c == '.';
            if (!ok) {
                return null; // no brackets, no zone ids ("%eth0"): not in candidates
            }
        }
        try {
            // Only hex digits, colons and dots: the JDK parses it as a literal (a ':' makes it expect
            // IPv6) and never asks a resolver.
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
