package dev.sfu.dtls.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP key derivation function (RFC 3711 §4.3, key derivation rate 0), which RFC 7714 §11 reuses
 * for AES-GCM with its 96-bit salt zero-padded to 112 bits: session key, salt and authentication key =
 * AES-CM keystream under the master key, from IV = (master salt XOR label at byte 7) * 2^16.
 */
public final class KeyDerivation {
    public static final int LABEL_RTP_ENCRYPTION = 0;
    public static final int LABEL_RTP_AUTHENTICATION = 1;
    public static final int LABEL_RTP_SALT = 2;
    public static final int LABEL_RTCP_ENCRYPTION = 3;
    public static final int LABEL_RTCP_AUTHENTICATION = 4;
    public static final int LABEL_RTCP_SALT = 5;

    private KeyDerivation() {
    }

    /** Derives {@code length} bytes for a label. */
    public static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length) {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, Math.min(14, masterSalt.length));
        iv[7] ^= (byte) label;
        try {
            Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
            byte[] out = new byte[length];
            byte[] block = new byte[16];
            for (int done = 0, counter = 0; done < length; done += 16, counter++) {
                iv[14] = (byte) (counter >> 8);
                iv[15] = (byte) counter;
                aes.doFinal(iv, 0, 16, block, 0);
                System.arraycopy(block, 0, out, done, Math.min(16, length - done));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is missing from this JDK", e);
        }
    }
}
