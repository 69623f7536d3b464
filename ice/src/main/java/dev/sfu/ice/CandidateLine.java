package dev.sfu.ice;

/**
 * An a=candidate value as RFC 8839 §5.1 writes it, split into the fields ICE here uses:
 * {@code foundation component transport priority address port typ type [tcptype T] ...}. Nothing is
 * resolved: {@link #address} is the text as sent (an IP literal, or an mDNS name such as
 * {@code 1f4e....local}).
 */
record CandidateLine(String foundation, String component, String transport, long priority, String address,
        int port, String type, String tcpType) {

    /** Parses a value with or without the "candidate:" prefix; null when it is not a candidate line. */
    static CandidateLine parse(String candidate) {
        if (candidate == null) {
            return null;
        }
        String text = candidate.startsWith("candidate:") ? candidate.substring(10) : candidate;
        String[] f = text.trim().split(" +");
        if (f.length < 8 || !f[6].equals("typ")) {
            return null;
        }
        try {
            long priority = Long.parseLong(f[3]);
            int port = Integer.parseInt(f[5]);
            if (port < 0 || port > 65535) {
                return null;
            }
            String tcpType = null;
            for (int i = 8; i + 1 < f.length; i += 2) {
                if (f[i].equals("tcptype")) {
                    tcpType = f[i + 1];
                }
            }
            return new CandidateLine(f[0], f[1], f[2], priority, f[4], port, f[7], tcpType);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    boolean isUdp() {
        return transport.equalsIgnoreCase("udp");
    }

    boolean isTcp() {
        return transport.equalsIgnoreCase("tcp");
    }

    /** Component 1, the only one with rtcp-mux and BUNDLE. */
    boolean isRtpComponent() {
        return component.equals("1");
    }
}
