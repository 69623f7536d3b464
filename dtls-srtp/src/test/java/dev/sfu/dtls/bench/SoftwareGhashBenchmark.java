package dev.sfu.dtls.bench;

import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The road not taken for allocation-free AES-GCM: the JDK's {@code AES/GCM} allocates about 1 KB per
 * {@code Cipher.init} (one per packet, as every packet has its own IV), so the alternative is AES/ECB for
 * the counter-mode keystream (allocation-free, AES-NI) plus GHASH written in Java. This measures that
 * GHASH (Shoup's 8-bit tables, 4 KB per key, the largest that stays cache-friendly with one key per
 * subscriber) over a 1,200-byte packet, next to the JDK's whole GCM seal of the same bytes, to show
 * why the server keeps the JDK's GCM (CLMUL intrinsic) and its allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SoftwareGhashBenchmark {
    private static final int LENGTH = 1200;
    private static final long[] LAST8 = new long[256];

    static {
        for (int rem = 0; rem < 256; rem++) {
            long hi = 0;
            long lo = rem;
            for (int bit = 0; bit < 8; bit++) {
                long carry = lo & 1;
                lo = (lo >>> 1) | (hi << 63);
                hi >>>= 1;
                if (carry != 0) {
                    hi ^= 0xE1L << 56;
                }
            }
            LAST8[rem] = hi;
        }
    }

    private final long[] mHi = new long[256];
    private final long[] mLo = new long[256];
    private final byte[] packet = new byte[LENGTH + 16];
    private final byte[] iv = new byte[12];
    private Cipher gcm;
    private SecretKeySpec key;

    @Setup
    public void setUp() throws Exception {
        key = new SecretKeySpec(new byte[16], "AES");
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, key);
        byte[] h = ecb.doFinal(new byte[16]);
        long hHi = 0;
        long hLo = 0;
        for (int i = 0; i < 8; i++) {
            hHi = hHi << 8 | (h[i] & 0xff);
            hLo = hLo << 8 | (h[8 + i] & 0xff);
        }
        // M[0x80] = H, M[0x40] = H·x, ... M[0x01] = H·x^7; the rest by linearity.
        for (int bit = 0x80; bit > 0; bit >>= 1) {
            mHi[bit] = hHi;
            mLo[bit] = hLo;
            long carry = hLo & 1;
            hLo = (hLo >>> 1) | (hHi << 63);
            hHi = (hHi >>> 1) ^ (carry != 0 ? 0xE1L << 56 : 0);
        }
        for (int i = 2; i < 256; i <<= 1) {
            for (int j = 1; j < i; j++) {
                mHi[i + j] = mHi[i] ^ mHi[j];
                mLo[i + j] = mLo[i] ^ mLo[j];
            }
        }
        for (int i = 0; i < LENGTH; i++) {
            packet[i] = (byte) i;
        }
    }

    /** GHASH over the packet's 1,200 bytes (75 blocks), as GCM needs once per packet. */
    @Benchmark
    public long softwareGhash() {
        long yHi = 0;
        long yLo = 0;
        for (int off = 0; off < LENGTH; off += 16) {
            long xHi = yHi ^ readLong(packet, off);
            long xLo = yLo ^ readLong(packet, off + 8);
            int b = (int) xLo & 0xff;
            long zh = mHi[b];
            long zl = mLo[b];
            for (int i = 1; i < 16; i++) {
                b = (int) ((i < 8 ? xLo >>> (8 * i) : xHi >>> (8 * (i - 8)))) & 0xff;
                int rem = (int) zl & 0xff;
                zl = (zl >>> 8) | (zh << 56);
                zh = (zh >>> 8) ^ LAST8[rem] ^ mHi[b];
                zl ^= mLo[b];
            }
            yHi = zh;
            yLo = zl;
        }
        return yHi ^ yLo;
    }

    /** The JDK's whole AES-GCM seal (keystream and GHASH, CLMUL intrinsic) of the same bytes. */
    @Benchmark
    public int jdkGcmSeal() throws Exception {
        iv[11]++;
        gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        return gcm.doFinal(packet, 0, LENGTH, packet, 0);
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }
}
