package dev.sfu.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The STUN codec against RFC 5769's test vectors, its own output, and junk. */
class StunTest {
    private static final HexFormat HEX = HexFormat.of();
    /** RFC 5769 §2.1: sample request, USERNAME "evtj:h6vY", password "VOkJxbRl1RmTxUk/WvJxBt". */
    private static final byte[] REQUEST = HEX.parseHex("000100582112a442b7e7a701bc34d686fa87dfae"
            + "802200105354554e207465737420636c69656e74" + "00240004" + "6e0001ff" + "80290008932ff9b151263b36"
            + "000600096576746a3a68367659202020" + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
            + "80280004e57a3bcf");
    private static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

    @Test
    void checksTheRfc5769SampleRequest() {
        assertTrue(Stun.isMessage(REQUEST, 0, REQUEST.length));
        assertEquals(Stun.BINDING_REQUEST, Stun.type(REQUEST, 0));
        assertTrue(Stun.fingerprintValid(REQUEST, 0, REQUEST.length));
        assertTrue(Stun.integrityValid(REQUEST, 0, REQUEST.length, PASSWORD));
        assertFalse(Stun.integrityValid(REQUEST, 0, REQUEST.length, "wrong".getBytes(StandardCharsets.UTF_8)));
        assertEquals("evtj:h6vY", Stun.username(REQUEST, 0, REQUEST.length));
        assertTrue(Stun.attribute(REQUEST, 0, REQUEST.length, Stun.ICE_CONTROLLED) > 0);
        assertEquals(-1, Stun.attribute(REQUEST, 0, REQUEST.length, Stun.USE_CANDIDATE));
    }

    @Test
    void aChangedByteBreaksTheFingerprintAndTheIntegrity() {
        byte[] m = REQUEST.clone();
        m[30] ^= 1; // inside SOFTWARE
        assertFalse(Stun.fingerprintValid(m, 0, m.length));
        assertFalse(Stun.integrityValid(m, 0, m.length, PASSWORD));
    }

    @Test
    void whatItWritesItReadsBack() throws Exception {
        byte[] out = new byte[200];
        byte[] transaction = HEX.parseHex("0102030405060708090a0b0c");
        byte[] key = "server-password-0123456789".getBytes(StandardCharsets.UTF_8);
        int n = Stun.bindingRequest(out, 10, transaction, "abcd:efgh", 0x6e7f00ffL, 42, true, key);
        assertTrue(Stun.isMessage(out, 10, n));
        assertTrue(Stun.fingerprintValid(out, 10, n));
        assertTrue(Stun.integrityValid(out, 10, n, key));
        assertEquals("abcd:efgh", Stun.username(out, 10, n));
        assertTrue(Stun.attribute(out, 10, n, Stun.USE_CANDIDATE) > 0);

        byte[] response = new byte[200];
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
        int r = Stun.bindingSuccess(response, 0, out, 10, mapped, key);
        assertTrue(Stun.isMessage(response, 0, r));
        assertTrue(Stun.fingerprintValid(response, 0, r));
        assertTrue(Stun.integrityValid(response, 0, r, key));
        assertEquals(mapped.getAddress(), Stun.mappedAddress(response, r, transaction));
        int xor = Stun.attribute(response, 0, r, Stun.XOR_MAPPED_ADDRESS);
        assertEquals(32853, Stun.readUint16(response, xor + 2) ^ 0x2112);
        // RFC 5769 §2.2's response, of the same address and port, has the same attribute value.
        assertEquals("0001a147e112a643", HEX.formatHex(Arrays.copyOfRange(response, xor, xor + 8)));
    }

    @Test
    void junkAndTruncationsNeverThrowAndNeverPass() {
        for (int cut = 0; cut < REQUEST.length; cut++) {
            assertFalse(Stun.isMessage(REQUEST, 0, cut));
            assertFalse(Stun.fingerprintValid(REQUEST, 0, cut) && Stun.integrityValid(REQUEST, 0, cut, PASSWORD));
            Stun.username(REQUEST, 0, cut);
        }
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(120)];
            random.nextBytes(junk);
            if (junk.length >= 8 && i % 2 == 0) {
                Stun.writeInt(junk, 4, Stun.MAGIC_COOKIE); // get past the header check more often
                junk[0] = 0;
                Stun.writeUint16(junk, 2, Math.max(0, junk.length - 20) & ~3);
            }
            Stun.isMessage(junk, 0, junk.length);
            Stun.username(junk, 0, junk.length);
            assertFalse(Stun.fingerprintValid(junk, 0, junk.length) && Stun.integrityValid(junk, 0, junk.length, PASSWORD));
            Stun.mappedAddress(junk, junk.length, new byte[12]);
        }
    }
}
