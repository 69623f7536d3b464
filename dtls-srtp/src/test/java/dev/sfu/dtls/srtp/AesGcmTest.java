package dev.sfu.dtls.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The garbage-free AES-GCM against the GCM specification's test vector and, on random input, against the
 * JDK's own cipher; wrong tags are refused without touching the data.
 */
class AesGcmTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void reachableInTheseTests() {
        // The build opens java.base/com.sun.crypto.provider to the tests as the server jar's manifest does:
        // if that stops working the server silently falls back to the JDK's cipher, so say it here.
        assertTrue(AesGcm.available(), AesGcm.unavailableReason());
    }

    /** McGrew and Viega, "The Galois/Counter Mode of Operation", test case 4 (AES-128, 96-bit IV, AAD). */
    @Test
    void gcmSpecificationTestCase4() throws Exception {
        byte[] key = HEX.parseHex("feffe9928665731c6d6a8f9467308308");
        byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
        byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] plain = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] expected = HEX.parseHex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" + "5bc94fbc3221a5db94fae95ae7121a47");
        AesGcm gcm = new AesGcm(key);
        byte[] buf = Arrays.copyOf(plain, plain.length + AesGcm.TAG);
        assertEquals(plain.length + 16, gcm.seal(iv, aad, 0, aad.length, buf, 0, plain.length));
        assertArrayEquals(expected, buf);
        assertEquals(plain.length, gcm.open(iv, aad, 0, aad.length, buf, 0, buf.length));
        assertArrayEquals(plain, Arrays.copyOf(buf, plain.length));
    }

    @Test
    void sealsAsTheJdkCipherDoesForEveryLengthAndOpensWhatItSealed() throws Exception {
        SplittableRandom random = new SplittableRandom(7714);
        for (int keyLength : new int[] {16, 32}) {
            byte[] key = bytes(random, keyLength);
            AesGcm gcm = new AesGcm(key);
            Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
            for (int length = 0; length <= 2_100; length += length < 64 ? 1 : 37) {
                byte[] iv = bytes(random, 12);
                byte[] aad = bytes(random, random.nextInt(0, 80));
                byte[] plain = bytes(random, length);
                jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
                jdk.updateAAD(aad);
                byte[] expected = jdk.doFinal(plain);
                byte[] buf = new byte[5 + length + 16 + 3];
                System.arraycopy(plain, 0, buf, 5, length);
                gcm.seal(iv, aad, 0, aad.length, buf, 5, length);
                assertArrayEquals(expected, Arrays.copyOfRange(buf, 5, 5 + length + 16), "length " + length);
                assertEquals(length, gcm.open(iv, aad, 0, aad.length, buf, 5, length + 16));
                assertArrayEquals(plain, Arrays.copyOfRange(buf, 5, 5 + length), "opened, length " + length);
            }
        }
    }

    @Test
    void aWrongTagOrAadOrIvIsRefusedAndTheDataLeftAlone() throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        AesGcm gcm = new AesGcm(bytes(random, 16));
        byte[] iv = bytes(random, 12);
        byte[] aad = bytes(random, 12);
        byte[] buf = bytes(random, 200 + 16);
        gcm.seal(iv, aad, 0, aad.length, buf, 0, 200);
        byte[] sealed = buf.clone();
        for (int flip : new int[] {0, 100, 199, 200, 215}) {
            byte[] bad = sealed.clone();
            bad[flip] ^= 1;
            assertEquals(-1, gcm.open(iv, aad, 0, aad.length, bad, 0, bad.length), "byte " + flip + " changed");
            sealed[flip] ^= 1;
            assertArrayEquals(sealed, bad, "left as it came");
            sealed[flip] ^= 1;
        }
        byte[] otherAad = aad.clone();
        otherAad[3] ^= 0x40;
        assertEquals(-1, gcm.open(iv, otherAad, 0, otherAad.length, buf.clone(), 0, buf.length));
        byte[] otherIv = iv.clone();
        otherIv[11] ^= 1;
        assertEquals(-1, gcm.open(otherIv, aad, 0, aad.length, buf.clone(), 0, buf.length));
        assertEquals(-1, gcm.open(iv, aad, 0, aad.length, buf, 0, 15), "shorter than a tag");
        assertEquals(200, gcm.open(iv, aad, 0, aad.length, buf, 0, buf.length));
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
