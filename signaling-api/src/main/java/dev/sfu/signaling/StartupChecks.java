package dev.sfu.signaling;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the server can tell about its reachability before anyone connects (the browser side is the
 * {@code /check} page): advertised addresses that are neither this machine's own nor answer a STUN request
 * at the media port (a NAT that does not forward it), and only private addresses with no TURN server, the
 * setting behind most "it works on my LAN only" reports.
 */
final class StartupChecks {
    private StartupChecks() {
    }

    /** Warnings in plain words; empty when nothing looks wrong. */
    static List<String> warnings(ServerConfig config, Predicate<InetAddress> answersStun) {
        return warnings(config.sfu().ice().advertisedAddresses(), config.iceServers(), config.sfu().ice().udpPort(),
                StartupChecks::isLocal, answersStun);
    }

    /**
     * @param local whether an address is one of this machine's
     * @param answersStun whether a STUN request sent to an address at the media port comes back from it;
     *     asked only of addresses that are not local
     */
    static List<String> warnings(List<String> advertised, List<String> iceServers, int mediaPort,
            Predicate<InetAddress> local, Predicate<InetAddress> answersStun) {
        List<String> warnings = new ArrayList<>();
        boolean anyPublic = false;
        for (String text : advertised) {
            InetAddress address;
            try {
                address = InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                warnings.add("advertised address " + text + " does not resolve: clients cannot use it");
                continue;
            }
            boolean special = address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                    || isCarrierGradeNat(address) || isUniqueLocal(address);
            anyPublic |= !special;
            if (!local.test(address) && !answersStun.test(address)) {
                warnings.add("advertised address " + text + " is not an address of this machine, and a STUN request "
                        + "sent to " + text + ":" + mediaPort + " from here got no answer from the media port: behind a "
                        + "1:1 NAT (cloud VM) the NAT must forward UDP port " + mediaPort + " (and the ICE-TCP port) to "
                        + "this machine. Some NATs forward it but do not let a host reach itself through them "
                        + "(hairpinning): the /check page, opened from another network, tells for sure");
            }
        }
        boolean turn = iceServers.stream().anyMatch(u -> u.startsWith("turn:") || u.startsWith("turns:"));
        if (!anyPublic && !turn) {
            warnings.add("only private or loopback addresses are advertised (" + String.join(", ", advertised)
                    + ") and no TURN server is configured: clients outside this network cannot connect. Set "
                    + "SFU_ADVERTISED_ADDRESS to the public address (or SFU_STUN_SERVER), or configure TURN "
                    + "(SFU_ICE_SERVERS, SFU_TURN_SECRET)");
        }
        return warnings;
    }

    private static boolean isLocal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (Collections.list(nic.getInetAddresses()).contains(address)) {
                    return true;
                }
            }
        } catch (SocketException e) {
            return true; // cannot tell: no warning
        }
        return false;
    }

    /** 100.64.0.0/10 (RFC 6598): shared address space, not reachable from the internet. */
    private static boolean isCarrierGradeNat(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }

    /** fc00::/7 (RFC 4193). */
    private static boolean isUniqueLocal(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 16 && (b[0] & 0xfe) == 0xfc;
    }

}
