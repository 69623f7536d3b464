package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The special-purpose ranges a peer's candidate may name, and how candidate addresses are read. */
class AddressClassTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        // IPv4
        "8.8.8.8, PUBLIC", "1.1.1.1, PUBLIC", "193.0.0.1, PUBLIC", "172.32.0.1, PUBLIC", "100.128.0.1, PUBLIC",
        "198.20.0.1, PUBLIC", "223.255.255.255, PUBLIC", "11.0.0.1, PUBLIC", "172.15.255.255, PUBLIC",
        "127.0.0.1, LOOPBACK", "127.255.255.254, LOOPBACK",
        "10.0.0.1, PRIVATE", "10.255.255.255, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE",
        "192.168.1.1, PRIVATE",
        "169.254.169.254, LINK_LOCAL", "169.254.0.1, LINK_LOCAL",
        "224.0.0.1, MULTICAST", "239.255.255.250, MULTICAST",
        "0.0.0.0, UNSPECIFIED", "0.1.2.3, THIS_NETWORK",
        "255.255.255.255, BROADCAST", "240.0.0.1, RESERVED", "255.255.255.254, RESERVED",
        "100.64.0.1, SHARED", "100.127.255.255, SHARED",
        "192.0.0.8, IETF_PROTOCOL", "192.0.2.1, DOCUMENTATION", "198.51.100.7, DOCUMENTATION",
        "203.0.113.9, DOCUMENTATION", "198.18.0.1, BENCHMARKING", "198.19.255.255, BENCHMARKING",
        "192.88.99.1, RESERVED",
        // IPv6
        "2a00:1450:4001:81c::200e, PUBLIC", "2606:4700::1111, PUBLIC",
        "::1, LOOPBACK", "::, UNSPECIFIED",
        "fc00::1, PRIVATE", "fd12:3456:789a::1, PRIVATE", "fec0::1, PRIVATE",
        "fe80::1, LINK_LOCAL", "febf::1, LINK_LOCAL",
        "ff02::1, MULTICAST", "ff0e::1, MULTICAST",
        "2001:db8::1, DOCUMENTATION", "3fff::1, DOCUMENTATION", "2001:2::1, BENCHMARKING",
        "2001::1, IETF_PROTOCOL", "2001:1ff::1, IETF_PROTOCOL", "2001:200::1, PUBLIC",
        "100::1, RESERVED", "::7f00:1, RESERVED", "64:ff9b:1::1, RESERVED",
        // IPv6 standing for IPv4: judged as that IPv4 address
        "64:ff9b::7f00:1, LOOPBACK", "64:ff9b::a9fe:a9fe, LINK_LOCAL", "64:ff9b::808:808, PUBLIC",
        "2002:a00:1::1, PRIVATE", "2002:a9fe:a9fe::1, LINK_LOCAL", "2002:808:808::1, PUBLIC",
    })
    void classifies(String address, AddressClass expected) {
        InetAddress parsed = IpLiteral.parse(address);
        assertNotNull(parsed, address);
        assertEquals(expected, AddressClass.of(parsed), address);
    }

    /** The JDK turns ::ffff:a.b.c.d into an Inet4Address; raw 16-byte mapped addresses are judged the same. */
    @ParameterizedTest
    @CsvSource({"127.0.0.1, LOOPBACK", "10.1.2.3, PRIVATE", "169.254.169.254, LINK_LOCAL", "8.8.4.4, PUBLIC",
        "224.0.0.251, MULTICAST"})
    void ipv4MappedAddressesAreJudgedAsIpv4(String v4, AddressClass expected) throws Exception {
        assertEquals(expected, AddressClass.of(IpLiteral.parse("::ffff:" + v4)));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(InetAddress.getByName(v4).getAddress(), 0, mapped, 12, 4);
        assertEquals(expected, AddressClass.of(mapped));
    }

    /** Never looked up: names (mDNS), IPv4 shorthands that hide an address, zone ids, brackets, junk. */
    @ParameterizedTest
    @ValueSource(strings = {"1f4e5a92-1c2b-4c39-9a0e-3f1b2c4d5e6f.local", "localhost", "example.com", "127.1",
        "2130706433", "0x7f.0.0.1", "127.0.0.01111", "127.0.0.256", "1.2.3", "1.2.3.4.5", "fe80::1%eth0",
        "[::1]", "::1::2", "12345::1", "", " 127.0.0.1", "1.2.3.-4"})
    void onlyIpLiteralsAreParsed(String text) {
        assertNull(IpLiteral.parse(text), text);
    }

    @Test
    void policies() {
        InetAddress loopback = IpLiteral.parse("127.0.0.1");
        InetAddress lan = IpLiteral.parse("192.168.0.10");
        InetAddress ula = IpLiteral.parse("fd00::10");
        InetAddress metadata = IpLiteral.parse("169.254.169.254");
        InetAddress cgnat = IpLiteral.parse("100.64.1.1");
        InetAddress internet = IpLiteral.parse("8.8.8.8");
        RemoteCandidatePolicy strict = RemoteCandidatePolicy.strict();
        assertTrue(strict.allows(internet));
        assertFalse(strict.allows(loopback));
        assertFalse(strict.allows(lan));
        assertFalse(strict.allows(metadata));
        RemoteCandidatePolicy privateToo = RemoteCandidatePolicy.allowPrivate();
        assertTrue(privateToo.allows(lan) && privateToo.allows(ula) && privateToo.allows(internet));
        assertFalse(privateToo.allows(loopback) || privateToo.allows(metadata) || privateToo.allows(cgnat));
        RemoteCandidatePolicy loopbackToo = RemoteCandidatePolicy.allowLoopback();
        assertTrue(loopbackToo.allows(loopback));
        assertFalse(loopbackToo.allows(lan) || loopbackToo.allows(metadata));
        RemoteCandidatePolicy both = RemoteCandidatePolicy.allowPrivate().alsoAllowing(AddressClass.LOOPBACK);
        assertTrue(both.allows(loopback) && both.allows(lan));
        assertFalse(both.allows(metadata) || both.allows(IpLiteral.parse("224.0.0.1")));
        assertTrue(RemoteCandidatePolicy.permissive().allows(metadata));
        assertEquals(32, strict.maxCandidates());
        assertEquals(8, strict.maxUdpSources());
        assertTrue(strict.validatesCredentials());
        assertFalse(RemoteCandidatePolicy.permissive().validatesCredentials());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> strict.alsoAllowing(AddressClass.LINK_LOCAL));
    }

    @Test
    void candidateLinesAreReadAsBrowsersWriteThem() {
        CandidateLine mdns = CandidateLine.parse("candidate:842163049 1 udp 1677729535 "
                + "4d2c7a3b-91e0-4a8e-b1c2-5e6f7a8b9c0d.local 52310 typ host generation 0 ufrag EsAw network-cost 999");
        assertNotNull(mdns);
        assertNull(IpLiteral.parse(mdns.address()), "an mDNS name is not resolved");
        CandidateLine tcp = CandidateLine.parse("candidate:2 1 tcp 1518280447 10.0.0.5 9 typ host tcptype active generation 0");
        assertEquals("active", tcp.tcpType());
        CandidateLine srflx = CandidateLine.parse("3 1 UDP 1686052607 203.0.113.4 61000 typ srflx raddr 10.0.0.5 rport 61000");
        assertTrue(srflx.isUdp() && srflx.isRtpComponent());
        assertEquals(61000, srflx.port());
        assertNull(CandidateLine.parse("candidate:1 1 udp x 1.2.3.4 5 typ host"));
        assertNull(CandidateLine.parse("candidate:1 1 udp 1 1.2.3.4 70000 typ host"));
        assertNull(CandidateLine.parse("candidate:1 1 udp 1 1.2.3.4"));
    }
}
