package dev.sfu.dtls.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One direction of SRTP and SRTCP (RFC 3711; RFC 7714 for AES-GCM) under one master key: either every
 * packet we send (protect) or every packet we receive (unprotect), per SSRC state inside. Works in place
 * on (buffer, offset, length) with the JDK's ciphers, which use the CPU's AES instructions. Cipher and
 * MAC objects are reused; AES-CM's keystream is made with AES-ECB over counter blocks, and AES-GCM is
 * {@link AesGcm} where the JDK lets it reach its GHASH intrinsic, so that neither allocates per packet
 * (elsewhere GCM falls back to the JDK's cipher, about 1.1 KB per packet). Not thread-safe: one thread
 * per context.
 *
 * <p>Sending and receiving states live in separate tables because they must be forgotten differently
 * ({@link SendingStreams}: never evicted, removed by {@link #removeSendingSsrc}, refused beyond
 * {@value #MAX_SENDING_SSRCS}; {@link ReceivingStreams}: admitted once a packet authenticates, least
 * recently used evicted beyond {@value #MAX_RECEIVING_SSRCS}).
 */
public final class SrtpContext {
    /** Error results of the unprotect methods (negative, so a length is never mistaken for one). */
    static final int ERR_TRUNCATED = -1;
    static final int ERR_AUTH = -2;
    static final int ERR_REPLAY = -3;
    static final int ERR_CIPHER = -5;

    static final int ERR_TOO_MANY_SSRCS = -4;
    static final int ERR_SSRC_REMOVED = -6;

    /**
     * Sending states held at once. They are never evicted (a forgotten state would start again at ROC 0
     * and SRTCP index 0 and encrypt an (SSRC, index) a second time under this key), so a new SSRC beyond
     * this is refused instead: about 1,000 subscribed tracks with RTX, far beyond a conference's limits.
     */
    public static final int MAX_SENDING_SSRCS = 4096;
    /**
     * Receiving states held at once; the least recently used makes room for a new one. Forgetting a
     * receiving state costs only its replay window and ROC estimate: a stream that comes back starts a
     * fresh window, which is safe, and decrypts again as long as it has not wrapped meanwhile.
     */
    public static final int MAX_RECEIVING_SSRCS = 1024;
    /** How many removed sending SSRCs are remembered, and refused if sent again. */
    static final int REMEMBERED_REMOVED_SSRCS = 1024;
    private static final int HMAC_TAG = 10;
    private static final int GCM_TAG = 16;
    private static final int BLOCKS = 128; // keystream per call: 2 KiB, more than a datagram
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final SrtpProfile profile;
    private final SecretKeySpec rtpKey;
    private final SecretKeySpec rtcpKey;
    private final byte[] rtpSalt;
    private final byte[] rtcpSalt;
    private final Cipher rtpCipher;
    private final Cipher rtcpCipher;
    private final HmacSha1 rtpMac;
    private final HmacSha1 rtcpMac;
    /** AES-GCM without the JDK cipher's per-packet garbage, or null (AES-CM, or not available here). */
    private final AesGcm rtpGcm;
    private final AesGcm rtcpGcm;
    /** SRTCP's AEAD associated data: the first 8 bytes and the E flag with the index. */
    private final byte[] rtcpAad = new byte[12];
    private final byte[] counterBlocks = new byte[BLOCKS * 16];
    private final byte[] keystream = new byte[BLOCKS * 16];
    private final byte[] iv = new byte[16];
    private final byte[] macOut = new byte[20];
    private final byte[] word = new byte[4];
    private final SendingStreams sending = new SendingStreams();
    private final ReceivingStreams receiving = new ReceivingStreams();

    /** Tests only: sees the (SSRC, index) of every packet protected. */
    interface IndexObserver {
        void protecting(boolean rtcp, int ssrc, long index);
    }

    private IndexObserver indexObserver;

    void observeIndexes(IndexObserver observer) {
        indexObserver = observer;
    }

    /** A context under a master key and salt, from which the session keys are derived (RFC 3711 §4.3). */
    public SrtpContext(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
        this(profile,
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTP_ENCRYPTION, profile.keyLength()),
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTP_SALT, profile.saltLength()),
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTP_AUTHENTICATION, 20),
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTCP_ENCRYPTION, profile.keyLength()),
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTCP_SALT, profile.saltLength()),
                KeyDerivation.derive(masterKey, masterSalt, KeyDerivation.LABEL_RTCP_AUTHENTICATION, 20));
    }

    /** A context from session keys directly, as the RFCs' packet test vectors give them. */
    static SrtpContext withSessionKeys(SrtpProfile profile, byte[] key, byte[] salt, byte[] authKey) {
        return new SrtpContext(profile, key, salt, authKey, key, salt, authKey);
    }

    private SrtpContext(SrtpProfile profile, byte[] rtpKeyBytes, byte[] rtpSaltBytes, byte[] rtpAuthKey,
            byte[] rtcpKeyBytes, byte[] rtcpSaltBytes, byte[] rtcpAuthKey) {
        this.profile = profile;
        rtpKey = new SecretKeySpec(rtpKeyBytes, "AES");
        rtcpKey = new SecretKeySpec(rtcpKeyBytes, "AES");
        rtpSalt = rtpSaltBytes.clone();
        rtcpSalt = rtcpSaltBytes.clone();
        try {
            if (profile.isAead()) {
                boolean own = AesGcm.available();
                rtpGcm = own ? new AesGcm(rtpKeyBytes) : null;
                rtcpGcm = own ? new AesGcm(rtcpKeyBytes) : null;
                rtpCipher = own ? null : Cipher.getInstance("AES/GCM/NoPadding");
                rtcpCipher = own ? null : Cipher.getInstance("AES/GCM/NoPadding");
                rtpMac = null;
                rtcpMac = null;
            } else {
                rtpGcm = null;
                rtcpGcm = null;
                rtpCipher = Cipher.getInstance("AES/ECB/NoPadding");
                rtpCipher.init(Cipher.ENCRYPT_MODE, rtpKey);
                rtcpCipher = Cipher.getInstance("AES/ECB/NoPadding");
                rtcpCipher.init(Cipher.ENCRYPT_MODE, rtcpKey);
                rtpMac = new HmacSha1(rtpAuthKey);
                rtcpMac = new HmacSha1(rtcpAuthKey);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks a cipher SRTP needs", e);
        }
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** How AES-GCM is done in this process, for the log: ours without garbage, or the JDK's cipher and why. */
    public static String gcmImplementation() {
        return AesGcm.available() ? "AES-GCM without per-packet allocation (the JDK's GHASH intrinsic)"
                : "AES-GCM through the JDK's cipher: " + AesGcm.unavailableReason();
    }

    /**
     * Forgets a stream we sent, when its owner has stopped it for good (a subscription ended): its state
     * is freed and the SSRC may not be sent again under this key (that would encrypt its first indexes a
     * second time). The last {@value #REMEMBERED_REMOVED_SSRCS} removed SSRCs are refused if sent again;
     * beyond that the caller's promise holds (SSRCs are random 32-bit numbers: drawing one again is
     * unlikely, and reusing one on purpose is a bug). Same thread as the protect calls. Returns whether
     * the SSRC had a state.
     */
    public boolean removeSendingSsrc(int ssrc) {
        return sending.remove(ssrc);
    }

    /** Sending states held now. */
    public int sendingSsrcs() {
        return sending.size();
    }

    /** Receiving states held now. */
    public int receivingSsrcs() {
        return receiving.size();
    }

    /** Packets refused because {@value #MAX_SENDING_SSRCS} sending SSRCs were held already. */
    public long refusedTooManySsrcs() {
        return sending.refusedTooMany();
    }

    /** Packets refused because their SSRC had been removed with {@link #removeSendingSsrc}. */
    public long refusedRemovedSsrc() {
        return sending.refusedRemoved();
    }

    /** RTP header length with CSRCs and extension, or -1 when it does not fit. */
    private static int rtpHeaderLength(byte[] buf, int off, int len) {
        if (len < 12 || (buf[off] & 0xc0) != 0x80) {
            return -1;
        }
        int header = 12 + 4 * (buf[off] & 0x0f);
        if ((buf[off] & 0x10) != 0) {
            if (header + 4 > len) {
                return -1;
            }
            header += 4 + 4 * (((buf[off + header + 2] & 0xff) << 8) | (buf[off + header + 3] & 0xff));
        }
        return header <= len ? header : -1;
    }

    // ---------------------------------------------------------------- SRTP

    /** Encrypts and authenticates in place; returns the new length, or a negative error. */
    public int protectRtp(byte[] buf, int off, int len) {
        int header = rtpHeaderLength(buf, off, len);
        if (header < 0 || off + len + profile.tagLength() > buf.length) {
            return ERR_TRUNCATED;
        }
        int ssrc = readInt(buf, off + 8);
        SrtpStreamState state = sending.state(ssrc);
        if (state == null) {
            return sending.refusal(ssrc);
        }
        long index = state.senderIndex(readUint16(buf, off + 2));
        if (indexObserver != null) {
            indexObserver.protecting(false, ssrc, index);
        }
        try {
            if (profile.isAead()) {
                gcmIv(rtpSalt, ssrc, index);
                if (rtpGcm != null) {
                    return header + rtpGcm.seal(iv, buf, off, header, buf, off + header, len - header);
                }
                rtpCipher.init(Cipher.ENCRYPT_MODE, rtpKey, new GCMParameterSpec(128, iv, 0, 12));
                rtpCipher.updateAAD(buf, off, header);
                return header + rtpCipher.doFinal(buf, off + header, len - header, buf, off + header);
            }
            ctrIv(rtpSalt, ssrc, index);
            xorKeystream(rtpCipher, buf, off + header, len - header);
            rtpMac.update(buf, off, len);
            writeInt(word, 0, (int) (index >>> 16));
            rtpMac.update(word, 0, 4);
            rtpMac.doFinal(macOut, 0);
            System.arraycopy(macOut, 0, buf, off + len, HMAC_TAG);
            return len + HMAC_TAG;
        } catch (GeneralSecurityException e) {
            return ERR_CIPHER;
        }
    }

    /** Authenticates and decrypts in place; returns the plaintext length, or a negative error. */
    public int unprotectRtp(byte[] buf, int off, int len) {
        int tag = profile.tagLength();
        if (len < 12 + tag) {
            return ERR_TRUNCATED;
        }
        int header = rtpHeaderLength(buf, off, len - tag);
        if (header < 0) {
            return ERR_TRUNCATED;
        }
        int ssrc = readInt(buf, off + 8);
        SrtpStreamState state = receiving.state(ssrc);
        long index = state.estimateIndex(readUint16(buf, off + 2));
        if (state.rtpReplay.isReplay(index)) {
            return ERR_REPLAY;
        }
        int plain;
        try {
            if (profile.isAead()) {
                gcmIv(rtpSalt, ssrc, index);
                if (rtpGcm != null) {
                    int n = rtpGcm.open(iv, buf, off, header, buf, off + header, len - header);
                    if (n < 0) {
                        return ERR_AUTH;
                    }
                    plain = header + n;
                } else {
                    rtpCipher.init(Cipher.DECRYPT_MODE, rtpKey, new GCMParameterSpec(128, iv, 0, 12));
                    rtpCipher.updateAAD(buf, off, header);
                    plain = header + rtpCipher.doFinal(buf, off + header, len - header, buf, off + header);
                }
            } else {
                int authenticated = len - HMAC_TAG;
                rtpMac.update(buf, off, authenticated);
                writeInt(word, 0, (int) (index >>> 16));
                rtpMac.update(word, 0, 4);
                rtpMac.doFinal(macOut, 0);
                if (!constantTimeEquals(macOut, buf, off + authenticated, HMAC_TAG)) {
                    return ERR_AUTH;
                }
                ctrIv(rtpSalt, ssrc, index);
                xorKeystream(rtpCipher, buf, off + header, authenticated - header);
                plain = authenticated;
            }
        } catch (AEADBadTagException e) {
            return ERR_AUTH;
        } catch (GeneralSecurityException e) {
            return ERR_CIPHER;
        }
        receiving.confirm(state);
        state.rtpReplay.accept(index);
        state.update(index);
        return plain;
    }

    // ---------------------------------------------------------------- SRTCP

    /** Encrypts and authenticates an RTCP compound packet in place (E bit set); returns the new length. */
    public int protectRtcp(byte[] buf, int off, int len) {
        if (len < 8 || off + len + 4 + profile.tagLength() > buf.length) {
            return ERR_TRUNCATED;
        }
        int ssrc = readInt(buf, off + 4);
        SrtpStreamState state = sending.state(ssrc);
        if (state == null) {
            return sending.refusal(ssrc);
        }
        int index = state.srtcpIndex;
        state.srtcpIndex = (index + 1) & 0x7fffffff;
        int eIndex = 0x80000000 | index;
        if (indexObserver != null) {
            indexObserver.protecting(true, ssrc, index);
        }
        try {
            if (profile.isAead()) {
                // RFC 7714 §9: header || ciphertext || tag || E+index; AAD = header || E+index.
                gcmIv(rtcpSalt, ssrc, index);
                int n;
                if (rtcpGcm != null) {
                    System.arraycopy(buf, off, rtcpAad, 0, 8);
                    writeInt(rtcpAad, 8, eIndex);
                    n = rtcpGcm.seal(iv, rtcpAad, 0, 12, buf, off + 8, len - 8);
                } else {
                    rtcpCipher.init(Cipher.ENCRYPT_MODE, rtcpKey, new GCMParameterSpec(128, iv, 0, 12));
                    rtcpCipher.updateAAD(buf, off, 8);
                    writeInt(word, 0, eIndex);
                    rtcpCipher.updateAAD(word, 0, 4);
                    n = rtcpCipher.doFinal(buf, off + 8, len - 8, buf, off + 8);
                }
                writeInt(buf, off + 8 + n, eIndex);
                return 8 + n + 4;
            }
            ctrIv(rtcpSalt, ssrc, index);
            xorKeystream(rtcpCipher, buf, off + 8, len - 8);
            writeInt(buf, off + len, eIndex);
            rtcpMac.update(buf, off, len + 4);
            rtcpMac.doFinal(macOut, 0);
            System.arraycopy(macOut, 0, buf, off + len + 4, HMAC_TAG);
            return len + 4 + HMAC_TAG;
        } catch (GeneralSecurityException e) {
            return ERR_CIPHER;
        }
    }

    /** Authenticates and decrypts an SRTCP packet in place; returns the RTCP length, or a negative error. */
    public int unprotectRtcp(byte[] buf, int off, int len) {
        int tag = profile.tagLength();
        if (len < 8 + 4 + tag) {
            return ERR_TRUNCATED;
        }
        int ssrc = readInt(buf, off + 4);
        SrtpStreamState state = receiving.state(ssrc);
        try {
            if (profile.isAead()) {
                int eIndex = readInt(buf, off + len - 4);
                long index = eIndex & 0x7fffffffL;
                if ((eIndex & 0x80000000) == 0 || state.rtcpReplay.isReplay(index)) {
                    return (eIndex & 0x80000000) == 0 ? ERR_AUTH : ERR_REPLAY;
                }
                gcmIv(rtcpSalt, ssrc, index);
                int n;
                if (rtcpGcm != null) {
                    System.arraycopy(buf, off, rtcpAad, 0, 8);
                    System.arraycopy(buf, off + len - 4, rtcpAad, 8, 4);
                    n = rtcpGcm.open(iv, rtcpAad, 0, 12, buf, off + 8, len - 8 - 4);
                    if (n < 0) {
                        return ERR_AUTH;
                    }
                } else {
                    rtcpCipher.init(Cipher.DECRYPT_MODE, rtcpKey, new GCMParameterSpec(128, iv, 0, 12));
                    rtcpCipher.updateAAD(buf, off, 8);
                    rtcpCipher.updateAAD(buf, off + len - 4, 4);
                    n = rtcpCipher.doFinal(buf, off + 8, len - 8 - 4, buf, off + 8);
                }
                receiving.confirm(state);
                state.rtcpReplay.accept(index);
                return 8 + n;
            }
            int authenticated = len - HMAC_TAG;
            int eIndex = readInt(buf, off + authenticated - 4);
            long index = eIndex & 0x7fffffffL;
            if (state.rtcpReplay.isReplay(index)) {
                return ERR_REPLAY;
            }
            rtcpMac.update(buf, off, authenticated);
            rtcpMac.doFinal(macOut, 0);
            if (!constantTimeEquals(macOut, buf, off + authenticated, HMAC_TAG)) {
                return ERR_AUTH;
            }
            int rtcpLength = authenticated - 4;
            if ((eIndex & 0x80000000) != 0) {
                ctrIv(rtcpSalt, ssrc, index);
                xorKeystream(rtcpCipher, buf, off + 8, rtcpLength - 8);
            }
            receiving.confirm(state);
            state.rtcpReplay.accept(index);
            return rtcpLength;
        } catch (AEADBadTagException e) {
            return ERR_AUTH;
        } catch (GeneralSecurityException e) {
            return ERR_CIPHER;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** RFC 3711 §4.1.1: IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
    private void ctrIv(byte[] salt, int ssrc, long index) {
        System.arraycopy(salt, 0, iv, 0, 14);
        iv[14] = 0;
        iv[15] = 0;
        iv[4] ^= (byte) (ssrc >> 24);
        iv[5] ^= (byte) (ssrc >> 16);
        iv[6] ^= (byte) (ssrc >> 8);
        iv[7] ^= (byte) ssrc;
        for (int i = 0; i < 6; i++) {
            iv[13 - i] ^= (byte) (index >>> (8 * i));
        }
    }

    /** RFC 7714 §8.1 and §9.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt, or with the SRTCP index. */
    private void gcmIv(byte[] salt, int ssrc, long index) {
        iv[0] = 0;
        iv[1] = 0;
        writeInt(iv, 2, ssrc);
        iv[6] = (byte) (index >>> 40);
        iv[7] = (byte) (index >>> 32);
        iv[8] = (byte) (index >>> 24);
        iv[9] = (byte) (index >>> 16);
        iv[10] = (byte) (index >>> 8);
        iv[11] = (byte) index;
        for (int i = 0; i < 12; i++) {
            iv[i] ^= salt[i];
        }
    }

    /**
     * AES counter mode from {@link #iv}: keystream blocks AES(iv + i), XORed into the data. The counter
     * blocks are written and the XOR done eight bytes at a time: byte by byte (and an array copy per block)
     * they took longer than the AES itself.
     */
    private void xorKeystream(Cipher ecb, byte[] buf, int from, int length) throws ShortBufferException {
        long ivHigh = (long) LONGS.get(iv, 0);
        long ivLow = (long) LONGS.get(iv, 8); // bytes 14 and 15 are zero: the block counter goes there
        int done = 0;
        int counter = 0;
        while (done < length) {
            int chunk = Math.min(length - done, BLOCKS * 16);
            int blocks = (chunk + 15) >>> 4;
            for (int b = 0, at = 0; b < blocks; b++, counter++, at += 16) {
                LONGS.set(counterBlocks, at, ivHigh);
                LONGS.set(counterBlocks, at + 8, ivLow | (counter & 0xffff));
            }
            ecb.update(counterBlocks, 0, blocks * 16, keystream, 0);
            int i = 0;
            int at = from + done;
            for (; i + 8 <= chunk; i += 8) {
                LONGS.set(buf, at + i, (long) LONGS.get(buf, at + i) ^ (long) LONGS.get(keystream, i));
            }
            for (; i < chunk; i++) {
                buf[at + i] ^= keystream[i];
            }
            done += chunk;
        }
    }

    private static boolean constantTimeEquals(byte[] expected, byte[] buf, int at, int length) {
        int diff = 0;
        for (int i = 0; i < length; i++) {
            diff |= expected[i] ^ buf[at + i];
        }
        return diff == 0;
    }

    static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static int readUint16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 24);
        b[at + 1] = (byte) (v >> 16);
        b[at + 2] = (byte) (v >> 8);
        b[at + 3] = (byte) v;
    }
}
