package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's own networks, and the auto scope that allows them. */
class SubnetTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void prefixesMatchWholeAndPartialBytes() throws Exception {
        Subnet lan = new Subnet(ip("192.0.2.2").getAddress(), 24);
        assertTrue(lan.contains(ip("192.0.2.200")));
        assertFalse(lan.contains(ip("192.0.3.1")));
        Subnet odd = new Subnet(ip("10.64.0.0").getAddress(), 10);
        assertTrue(odd.contains(ip("10.127.255.255")));
        assertFalse(odd.contains(ip("10.128.0.0")));
        assertFalse(lan.contains(ip("::ffff:1")), "another family never matches");
        Subnet v6 = new Subnet(ip("2001:db8:1:2::1").getAddress(), 64);
        assertTrue(v6.contains(ip("2001:db8:1:2:ffff::9")));
        assertFalse(v6.contains(ip("2001:db8:1:3::1")));
    }

    @Test
    void ownNetworksAreAllowedAndOtherSpecialRangesAreNot() throws Exception {
        RemoteCandidatePolicy policy = RemoteCandidatePolicy.strict()
                .alsoAllowingNetworks(List.of(new Subnet(ip("192.0.2.0").getAddress(), 24)));
        assertTrue(policy.allows(ip("192.0.2.9")), "a client on the server's own segment");
        assertFalse(policy.allows(ip("198.51.100.9")), "another documentation range");
        assertFalse(policy.allows(ip("169.254.169.254")), "the metadata service");
        assertFalse(policy.allows(ip("127.0.0.1")));
        assertTrue(policy.allows(ip("8.8.8.8")));
    }

    @Test
    void autoFollowsWhatTheServerAdvertises() throws Exception {
        RemoteCandidatePolicy publicOnly = RemoteCandidateScope.AUTO.policy(List.of("203.0.113.7"));
        assertFalse(publicOnly.allows(ip("127.0.0.1")));
        RemoteCandidatePolicy local = RemoteCandidateScope.AUTO.policy(List.of("127.0.0.1", "10.1.2.3"));
        assertTrue(local.allows(ip("127.0.0.1")));
        assertTrue(local.allows(ip("172.16.5.5")), "a server advertising a private address takes private peers");
        assertFalse(local.allows(ip("169.254.169.254")));
        assertFalse(local.allows(ip("224.0.0.251")));
        assertFalse(RemoteCandidateScope.STRICT.policy(List.of("127.0.0.1")).allows(ip("127.0.0.1")));
    }
}
