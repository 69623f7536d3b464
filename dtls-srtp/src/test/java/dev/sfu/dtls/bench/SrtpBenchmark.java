package dev.sfu.dtls.bench;

import dev.sfu.dtls.SrtpSession;
import dev.sfu.dtls.srtp.SrtpProfile;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SRTP protect and protect+unprotect of a 1,200-byte RTP packet per profile, next to the bare JDK
 * cipher doing the same bytes (the floor).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SrtpBenchmark {
    private static final int LENGTH = 1200;

    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public SrtpProfile profile;

    /**
     * SSRCs the packets go round: 1 is one stream; 70 is a subscriber of ~22 publishers with RTX, each
     * packet of another SSRC than the one before (the per-SSRC state lookup, not the last-stream cache).
     */
    @Param({"1", "70"})
    public int ssrcs;

    private SrtpSession sender;
    private SrtpSession receiver;
    private final byte[] packet = new byte[LENGTH + SrtpSession.MAX_OVERHEAD];
    private int sequence;
    private int packets;
    private Cipher gcm;
    private Cipher ctr;
    private Mac hmac;
    private SecretKeySpec key;
    private final byte[] iv = new byte[16];
    private final byte[] tag = new byte[20];

    @Setup
    public void setUp() throws Exception {
        byte[] k = new byte[16];
        byte[] s = new byte[profile.saltLength()];
        sender = SrtpSession.create(profile, k, s, k, s);
        receiver = SrtpSession.create(profile, k, s, k, s);
        packet[0] = (byte) 0x80;
        packet[1] = 96;
        key = new SecretKeySpec(k, "AES");
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        ctr = Cipher.getInstance("AES/CTR/NoPadding");
        hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(new byte[20], "HmacSHA1"));
    }

    private void nextHeader() {
        packets++;
        int ssrc = packets % ssrcs;
        sequence = packets / ssrcs; // each SSRC's own sequence, one step per round
        packet[2] = (byte) (sequence >> 8);
        packet[3] = (byte) sequence;
        packet[4] = (byte) (sequence >> 16); // timestamp moves too
        packet[8] = (byte) (ssrc >> 8);
        packet[11] = (byte) ssrc;
    }

    @Benchmark
    public int protect() {
        nextHeader();
        return sender.protectRtp(packet, 0, LENGTH);
    }

    @Benchmark
    public int protectThenUnprotect() {
        nextHeader();
        int n = sender.protectRtp(packet, 0, LENGTH);
        return receiver.unprotectRtp(packet, 0, n);
    }

    /** The floor: the JDK cipher alone over the same payload (plus HMAC-SHA1 for AES-CM). */
    @Benchmark
    public int jdkCipherFloor() throws Exception {
        nextHeader();
        iv[11] = (byte) sequence;
        iv[10] = (byte) (sequence >> 8);
        if (profile.isAead()) {
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv, 0, 12));
            gcm.updateAAD(packet, 0, 12);
            return gcm.doFinal(packet, 12, LENGTH - 12, packet, 12);
        }
        ctr.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        int n = ctr.doFinal(packet, 12, LENGTH - 12, packet, 12);
        hmac.update(packet, 0, LENGTH);
        hmac.doFinal(tag, 0);
        return n;
    }
}
