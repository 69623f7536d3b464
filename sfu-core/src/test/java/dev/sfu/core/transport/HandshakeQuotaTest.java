package dev.sfu.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.dtls.DtlsTransport;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeQuotaTest {
    private static final InetAddress ATTACKER = InetAddress.getLoopbackAddress();
    private static final InetAddress OTHER;

    static {
        try {
            OTHER = InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, 7});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private final HandshakeQuota quota = new HandshakeQuota(2, 3);

    @Test
    void oneAddressHoldsAtMostItsQuotaAndOthersStillGetIn() {
        List<DtlsTransport.Admission> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            DtlsTransport.Admission a = quota.admission("room", () -> ATTACKER);
            assertTrue(a.tryAcquire());
            held.add(a);
        }
        assertFalse(quota.admission("other-room", () -> ATTACKER).tryAcquire(), "per address, across conferences");
        assertEquals(1, quota.refused(HandshakeQuota.Refusal.PER_ADDRESS));
        assertTrue(quota.admission("room", () -> OTHER).tryAcquire(), "another address in the same conference");
        assertFalse(quota.admission("room", () -> OTHER).tryAcquire(), "the conference's quota (3) is full");
        assertEquals(1, quota.refused(HandshakeQuota.Refusal.PER_CONFERENCE));
        assertTrue(quota.admission("other-room", () -> OTHER).tryAcquire(), "another conference is not affected");
        held.get(0).release();
        assertTrue(quota.admission("room", () -> ATTACKER).tryAcquire(), "a released handshake frees its place");
    }

    @Test
    void beforeIceHasAPairOnlyTheConferenceCounts() {
        for (int i = 0; i < 3; i++) {
            assertTrue(quota.admission("room", () -> null).tryAcquire());
        }
        assertFalse(quota.admission("room", () -> null).tryAcquire());
    }

    @Test
    void aRefusalByAddressGivesBackTheConferencePlaceAndCountersAreForgottenAtZero() {
        DtlsTransport.Admission a = quota.admission("room", () -> ATTACKER);
        DtlsTransport.Admission b = quota.admission("room", () -> ATTACKER);
        assertTrue(a.tryAcquire());
        assertTrue(b.tryAcquire());
        assertFalse(quota.admission("room", () -> ATTACKER).tryAcquire());
        assertTrue(quota.admission("room", () -> OTHER).tryAcquire(), "the refused one did not keep a conference place");
        a.release();
        b.release();
        assertEquals(2, quota.trackedKeys(), "room and OTHER still hold one");
        quota.admission("x", () -> null); // unused admissions cost nothing
        assertEquals(2, quota.trackedKeys());
    }
}
