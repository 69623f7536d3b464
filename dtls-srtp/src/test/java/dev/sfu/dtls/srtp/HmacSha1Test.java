package dev.sfu.dtls.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSha1Test {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 2202 §3, test cases 1, 2, 3 and 6 (a key longer than the block is hashed first). */
    @Test
    void rfc2202Vectors() {
        check(repeat(0x0b, 20), "Hi There".getBytes(), "b617318655057264e28bc0b6fb378c8ef146be00");
        check("Jefe".getBytes(), "what do ya want for nothing?".getBytes(), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        check(repeat(0xaa, 20), repeat(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
        check(repeat(0xaa, 80), "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(),
                "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }

    /** The same tags as the JDK's HmacSHA1, message after message on one instance, at any offset. */
    @Test
    void matchesTheJdkMacAcrossReuse() throws Exception {
        Random random = new Random(7);
        byte[] key = new byte[20];
        random.nextBytes(key);
        HmacSha1 ours = new HmacSha1(key);
        Mac jdk = Mac.getInstance("HmacSHA1");
        jdk.init(new SecretKeySpec(key, "HmacSHA1"));
        for (int i = 0; i < 200; i++) {
            byte[] message = new byte[random.nextInt(1500)];
            random.nextBytes(message);
            int split = message.length / 3;
            ours.update(message, 0, split);
            ours.update(message, split, message.length - split);
            byte[] out = new byte[30];
            ours.doFinal(out, 7);
            byte[] tag = new byte[20];
            System.arraycopy(out, 7, tag, 0, 20);
            assertArrayEquals(jdk.doFinal(message), tag);
        }
    }

    private static void check(byte[] key, byte[] data, String expected) {
        HmacSha1 mac = new HmacSha1(key);
        mac.update(data, 0, data.length);
        byte[] tag = new byte[20];
        mac.doFinal(tag, 0);
        assertArrayEquals(HEX.parseHex(expected), tag);
    }

    private static byte[] repeat(int value, int count) {
        byte[] b = new byte[count];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
