package dev.sfu.dtls.srtp;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA1 (RFC 2104) that writes its tag into the caller's array. {@code javax.crypto.Mac} cannot:
 * its {@code doFinal(byte[], int)} makes a new 20-byte array per call, one per SRTP packet. This runs the
 * same construction on the JDK's SHA-1 {@link MessageDigest} (the intrinsified compression function,
 * as the JDK's own HmacSHA1 uses), whose {@code digest(byte[], int, int)} writes in place. One instance
 * per SRTP context; not thread-safe.
 */
final class HmacSha1 {
    static final int LENGTH = 20;
    private static final int BLOCK = 64;

    private final MessageDigest sha1;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] innerHash = new byte[LENGTH];

    HmacSha1(byte[] key) {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
        byte[] k = key.length > BLOCK ? sha1.digest(key) : key;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ 0x36);
            outerPad[i] = (byte) (b ^ 0x5c);
        }
        sha1.update(innerPad);
    }

    /** Adds message bytes. */
    void update(byte[] buf, int off, int len) {
        sha1.update(buf, off, len);
    }

    /** Writes the 20-byte tag of everything added since the last call to out[outOff..], and starts anew. */
    void doFinal(byte[] out, int outOff) {
        try {
            sha1.digest(innerHash, 0, LENGTH);
            sha1.update(outerPad);
            sha1.update(innerHash);
            sha1.digest(out, outOff, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("the caller's array is too short for the tag", e);
        }
        sha1.update(innerPad);
    }
}
