package dev.sfu.dtls.srtp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM (NIST SP 800-38D) with 96-bit IVs and 128-bit tags, as SRTP uses it (RFC 7714), allocating
 * nothing per packet.
 *
 * <p>The JDK's {@code AES/GCM/NoPadding} cipher has to be initialised for every packet (each has its own
 * IV), and every initialisation builds its GHASH state anew: the hash subkey H = AES(K, 0) and a table of
 * its powers for the carry-less-multiplication intrinsic, about 1.1 KB of garbage per packet. Here the
 * key schedule, H and the table are made once per key. Per packet there are the counter blocks, encrypted
 * in one call of AES/ECB (the JDK's AES intrinsic), the XOR, and GHASH through the JDK's own intrinsified
 * {@code com.sun.crypto.provider.GHASH.processBlocks}. That method is internal: reaching it needs
 * {@code --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED} (the server jar's manifest opens it),
 * and a known-answer test at class initialisation checks that it still does what this class expects.
 * Without either, {@link #available()} is false and {@link SrtpContext} keeps the JDK's cipher.
 * Not thread-safe: one thread per instance.
 */
final class AesGcm {
    static final int TAG = 16;
    private static final int BLOCKS = 128; // counter blocks per AES call: 2 KiB, more than a datagram
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** For XOR, where byte order does not matter: the machine's own. */
    private static final VarHandle LONGS_ANY = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    /** GHASH.processBlocks(byte[] data, int offset, int blocks, long[] state, long[] subkeyTable). */
    private static final MethodHandle PROCESS_BLOCKS;
    /** new GHASH(byte[] subkeyH), as Object. */
    private static final MethodHandle NEW_GHASH;
    /** A GHASH's subkey table (H and room for its powers), as the intrinsic wants it. */
    private static final MethodHandle SUBKEY_TABLE;
    private static final String UNAVAILABLE;

    static {
        MethodHandle process = null;
        MethodHandle newGhash = null;
        MethodHandle table = null;
        String unavailable = null;
        try {
            Class<?> ghash = Class.forName("com.sun.crypto.provider.GHASH");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ghash, MethodHandles.lookup());
            process = lookup.findStatic(ghash, "processBlocks", MethodType.methodType(void.class, byte[].class,
                    int.class, int.class, long[].class, long[].class));
            newGhash = lookup.findConstructor(ghash, MethodType.methodType(void.class, byte[].class))
                    .asType(MethodType.methodType(Object.class, byte[].class));
            table = lookup.findGetter(ghash, "subkeyHtbl", long[].class)
                    .asType(MethodType.methodType(long[].class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable = "the JDK's GHASH is not reachable (" + e.getClass().getSimpleName()
                    + "; needs --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED)";
        }
        PROCESS_BLOCKS = process;
        NEW_GHASH = newGhash;
        SUBKEY_TABLE = table;
        if (unavailable == null) {
            unavailable = knownAnswerProblem();
        }
        UNAVAILABLE = unavailable;
    }

    private final Cipher ecb;
    private final long[] table;
    private final long[] state = new long[2];
    /** Counter block 0 is J0 (its encryption masks the tag), then the data's, from inc32(J0). */
    private final byte[] counters = new byte[BLOCKS * 16];
    private final byte[] keystream = new byte[BLOCKS * 16];
    private final byte[] block = new byte[16];
    private final byte[] tagMask = new byte[16];

    /** Whether this class can be used here; else {@link #unavailableReason()} says why. */
    static boolean available() {
        return UNAVAILABLE == null;
    }

    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** @param key a 16- or 32-byte AES key */
    AesGcm(byte[] key) {
        if (PROCESS_BLOCKS == null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
        try {
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            byte[] h = ecb.doFinal(new byte[16]);
            table = (long[]) SUBKEY_TABLE.invokeExact((Object) NEW_GHASH.invokeExact(h));
        } catch (Throwable e) {
            throw new IllegalStateException("cannot set up AES-GCM: " + e, e);
        }
    }

    /**
     * Encrypts {@code len} bytes at {@code off} in place and writes the tag after them.
     *
     * @return {@code len + 16}
     */
    int seal(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] buf, int off, int len) throws ShortBufferException {
        crypt(iv, buf, off, len, firstKeystream(iv, len));
        hash(aad, aadOff, aadLen, buf, off, len);
        for (int i = 0; i < TAG; i++) {
            buf[off + len + i] = (byte) (block[i] ^ tagMask[i]);
        }
        return len + TAG;
    }

    /**
     * Checks the tag of {@code len} bytes at {@code off} (ciphertext, then the tag) and decrypts them in
     * place if it is right.
     *
     * @return the plaintext length, or -1 when the tag is wrong (the buffer is then unchanged)
     */
    int open(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] buf, int off, int len) throws ShortBufferException {
        int text = len - TAG;
        if (text < 0) {
            return -1;
        }
        hash(aad, aadOff, aadLen, buf, off, text);
        int blocks = firstKeystream(iv, text); // AES(K, J0), the tag's mask, comes with it
        int diff = 0;
        for (int i = 0; i < TAG; i++) {
            diff |= (block[i] ^ tagMask[i]) ^ buf[off + text + i];
        }
        if (diff != 0) {
            return -1;
        }
        crypt(iv, buf, off, text, blocks);
        return text;
    }

    /**
     * The first keystream call for {@code len} bytes of data: J0 (its encryption goes to {@link #tagMask}),
     * then as many of the data's blocks as fit. Returns the number of blocks made.
     */
    private int firstKeystream(byte[] iv, int len) throws ShortBufferException {
        int blocks = Math.min(BLOCKS, 1 + ((len + 15) >>> 4));
        keystream(iv, 1, blocks);
        return blocks;
    }

    /** GCTR over the data from inc32(J0), the first {@code blocks} made by {@link #firstKeystream}. */
    private void crypt(byte[] iv, byte[] buf, int off, int len, int blocks) throws ShortBufferException {
        int chunk = Math.min(len, (blocks - 1) * 16);
        xor(buf, off, 16, chunk);
        int done = chunk;
        int counter = 1 + blocks;
        while (done < len) { // only for data beyond 2 KiB
            blocks = Math.min(BLOCKS, (len - done + 15) >>> 4);
            keystream(iv, counter, blocks);
            chunk = Math.min(len - done, blocks * 16);
            xor(buf, off + done, 0, chunk);
            done += chunk;
            counter += blocks;
        }
    }

    private void xor(byte[] buf, int off, int from, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            LONGS_ANY.set(buf, off + i, (long) LONGS_ANY.get(buf, off + i) ^ (long) LONGS_ANY.get(keystream, from + i));
        }
        for (; i < len; i++) {
            buf[off + i] ^= keystream[from + i];
        }
    }

    /**
     * Encrypts counter blocks IV || (from + i), i below {@code count}, into {@link #keystream}; with
     * {@code from} 1 the first is J0, whose encryption is also kept in {@link #tagMask}.
     */
    private void keystream(byte[] iv, int from, int count) throws ShortBufferException {
        long ivHigh = (long) LONGS.get(iv, 0);
        int ivLow = (int) INTS.get(iv, 8);
        for (int b = 0, at = 0; b < count; b++, at += 16) {
            LONGS.set(counters, at, ivHigh);
            INTS.set(counters, at + 8, ivLow);
            INTS.set(counters, at + 12, from + b);
        }
        ecb.update(counters, 0, count * 16, keystream, 0);
        if (from == 1) {
            System.arraycopy(keystream, 0, tagMask, 0, 16);
        }
    }

    /** GHASH(H, A, C) into {@link #block}. */
    private void hash(byte[] aad, int aadOff, int aadLen, byte[] text, int textOff, int textLen) {
        state[0] = 0;
        state[1] = 0;
        absorb(aad, aadOff, aadLen);
        absorb(text, textOff, textLen);
        LONGS.set(block, 0, (long) aadLen * 8);
        LONGS.set(block, 8, (long) textLen * 8);
        processBlocks(block, 0, 1);
        LONGS.set(block, 0, state[0]);
        LONGS.set(block, 8, state[1]);
    }

    /** Hashes {@code len} bytes, the last block padded with zeros. */
    private void absorb(byte[] b, int off, int len) {
        int whole = len >>> 4;
        if (whole > 0) {
            processBlocks(b, off, whole);
        }
        int rest = len & 15;
        if (rest > 0) {
            Arrays.fill(block, (byte) 0);
            System.arraycopy(b, off + (whole << 4), block, 0, rest);
            processBlocks(block, 0, 1);
        }
    }

    private void processBlocks(byte[] b, int off, int blocks) {
        try {
            PROCESS_BLOCKS.invokeExact(b, off, blocks, state, table);
        } catch (Throwable e) {
            throw new IllegalStateException(e); // it throws nothing for in-range arguments
        }
    }

    /** Null if this class seals and opens as the JDK's cipher does, else why not. */
    private static String knownAnswerProblem() {
        try {
            byte[] key = new byte[16];
            byte[] iv = new byte[12];
            byte[] aad = new byte[13];
            byte[] plain = new byte[150];
            for (int i = 0; i < plain.length; i++) {
                plain[i] = (byte) (i * 7 + 1);
                if (i < key.length) {
                    key[i] = (byte) (i + 0x40);
                }
                if (i < iv.length) {
                    iv[i] = (byte) (0xca - i);
                }
                if (i < aad.length) {
                    aad[i] = (byte) (i * 3);
                }
            }
            Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            jdk.updateAAD(aad);
            byte[] expected = jdk.doFinal(plain);
            AesGcm ours = new AesGcm(key);
            byte[] buf = Arrays.copyOf(plain, plain.length + TAG);
            ours.seal(iv, aad, 0, aad.length, buf, 0, plain.length);
            if (!Arrays.equals(expected, buf)) {
                return "the JDK's GHASH does not behave as expected here";
            }
            if (ours.open(iv, aad, 0, aad.length, buf, 0, buf.length) != plain.length
                    || !Arrays.equals(plain, Arrays.copyOf(buf, plain.length))) {
                return "the JDK's GHASH does not behave as expected here";
            }
            return null;
        } catch (GeneralSecurityException | RuntimeException e) {
            return "AES-GCM self-test failed: " + e;
        }
    }
}
