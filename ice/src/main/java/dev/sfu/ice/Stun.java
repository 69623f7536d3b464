package dev.sfu.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The part of STUN (RFC 5389) this server reads and writes itself: the message frame, USERNAME,
 * MESSAGE-INTEGRITY with ICE's short-term credentials, FINGERPRINT, (XOR-)MAPPED-ADDRESS and the ICE
 * attributes of RFC 8445 §7.1.1. ice4j answers STUN on the UDP port; this is for what ice4j does not see
 * (ICE-TCP, STUN discovery at start, the check of a new address's first request).
 *
 * <p>Every reader returns a "no" value (false, -1, null) for malformed input and never reads outside
 * {@code [off, off + len)}.
 */
public final class Stun {
    public static final int HEADER = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int MAPPED_ADDRESS = 0x0001;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int PRIORITY = 0x0024;
    public static final int USE_CANDIDATE = 0x0025;
    public static final int FINGERPRINT = 0x8028;
    public static final int ICE_CONTROLLED = 0x8029;
    public static final int ICE_CONTROLLING = 0x802A;
    /** RFC 5389 §15.5: the CRC-32 is XORed with "STUN" so that other protocols' CRCs do not match. */
    private static final int FINGERPRINT_XOR = 0x5354554e;
    private static final int MI_LENGTH = 20;

    private Stun() {
    }

    /**
     * Whether {@code [off, off + len)} is exactly one STUN message: top two bits zero (RFC 7983), the magic
     * cookie, a length that is a multiple of four and matches.
     */
    public static boolean isMessage(byte[] m, int off, int len) {
        return len >= HEADER && (m[off] & 0xc0) == 0 && readInt(m, off + 4) == MAGIC_COOKIE
                && (readUint16(m, off + 2) & 3) == 0 && HEADER + readUint16(m, off + 2) == len;
    }

    public static int type(byte[] m, int off) {
        return readUint16(m, off);
    }

    /**
     * The offset of the value of the first attribute of {@code type}, or -1 (also when the attribute list
     * runs past the message). Its length is {@code readUint16(m, value - 2)}.
     */
    public static int attribute(byte[] m, int off, int len, int type) {
        int end = off + len;
        for (int at = off + HEADER; at + 4 <= end; ) {
            int t = readUint16(m, at);
            int valueLength = readUint16(m, at + 2);
            int value = at + 4;
            if (value + valueLength > end) {
                return -1;
            }
            if (t == type) {
                return value;
            }
            at = value + ((valueLength + 3) & ~3);
        }
        return -1;
    }

    /** USERNAME as text, or null. */
    public static String username(byte[] m, int off, int len) {
        int value = attribute(m, off, len, USERNAME);
        if (value < 0) {
            return null;
        }
        return new String(m, value, readUint16(m, value - 2), StandardCharsets.UTF_8);
    }

    /** Whether FINGERPRINT is present, last, and matches (RFC 5389 §15.5). */
    public static boolean fingerprintValid(byte[] m, int off, int len) {
        int value = attribute(m, off, len, FINGERPRINT);
        if (value < 0 || value + 4 != off + len || readUint16(m, value - 2) != 4) {
            return false;
        }
        return readInt(m, value) == crc(m, off, value - 4 - off);
    }

    /**
     * Whether MESSAGE-INTEGRITY is present and is the HMAC-SHA1 of the message before it under
     * {@code key} (the ICE password: short-term credentials, RFC 5389 §15.4). Only FINGERPRINT may follow it.
     */
    public static boolean integrityValid(byte[] m, int off, int len, byte[] key) {
        int value = attribute(m, off, len, MESSAGE_INTEGRITY);
        if (value < 0 || readUint16(m, value - 2) != MI_LENGTH) {
            return false;
        }
        int after = value + MI_LENGTH;
        if (after != off + len && !(after + 8 == off + len && readUint16(m, after) == FINGERPRINT)) {
            return false;
        }
        byte[] expected = hmac(key, m, off, value - 4 - off, after - off - HEADER);
        return expected != null && java.security.MessageDigest.isEqual(expected,
                Arrays.copyOfRange(m, value, value + MI_LENGTH));
    }

    /**
     * Writes a Binding success response to the request at {@code request} (same transaction) into
     * {@code out} at {@code at}: XOR-MAPPED-ADDRESS of {@code mapped}, MESSAGE-INTEGRITY under {@code key},
     * FINGERPRINT. Returns its length; {@code out} needs 20 + 24 (IPv6: 36) + 24 + 8 bytes.
     */
    public static int bindingSuccess(byte[] out, int at, byte[] request, int requestOff, InetSocketAddress mapped,
            byte[] key) {
        System.arraycopy(request, requestOff + 4, out, at + 4, 16); // cookie and transaction
        writeUint16(out, at, BINDING_SUCCESS);
        int p = at + HEADER;
        byte[] address = mapped.getAddress().getAddress();
        writeUint16(out, p, XOR_MAPPED_ADDRESS);
        writeUint16(out, p + 2, 4 + address.length);
        out[p + 4] = 0;
        out[p + 5] = (byte) (address.length == 4 ? 1 : 2);
        writeUint16(out, p + 6, mapped.getPort() ^ (MAGIC_COOKIE >>> 16));
        for (int i = 0; i < address.length; i++) {
            // XORed with the cookie, then (IPv6) the transaction id (RFC 5389 §15.2).
            out[p + 8 + i] = (byte) (address[i] ^ out[at + 4 + i]);
        }
        p += 8 + address.length;
        return finish(out, at, p, key);
    }

    /**
     * Writes a Binding request of the controlling agent (RFC 8445 §7.1.1): USERNAME
     * {@code remoteUfrag:localUfrag}, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE if nominating,
     * MESSAGE-INTEGRITY under the remote password, FINGERPRINT. Returns its length.
     */
    public static int bindingRequest(byte[] out, int at, byte[] transaction, String username, long priority,
            long tieBreaker, boolean useCandidate, byte[] key) {
        writeUint16(out, at, BINDING_REQUEST);
        writeInt(out, at + 4, MAGIC_COOKIE);
        System.arraycopy(transaction, 0, out, at + 8, 12);
        int p = at + HEADER;
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        writeUint16(out, p, USERNAME);
        writeUint16(out, p + 2, user.length);
        System.arraycopy(user, 0, out, p + 4, user.length);
        int padded = (user.length + 3) & ~3;
        Arrays.fill(out, p + 4 + user.length, p + 4 + padded, (byte) 0);
        p += 4 + padded;
        writeUint16(out, p, PRIORITY);
        writeUint16(out, p + 2, 4);
        writeInt(out, p + 4, (int) priority);
        p += 8;
        writeUint16(out, p, ICE_CONTROLLING);
        writeUint16(out, p + 2, 8);
        writeInt(out, p + 4, (int) (tieBreaker >>> 32));
        writeInt(out, p + 8, (int) tieBreaker);
        p += 12;
        if (useCandidate) {
            writeUint16(out, p, USE_CANDIDATE);
            writeUint16(out, p + 2, 0);
            p += 4;
        }
        return finish(out, at, p, key);
    }

    /** Appends MESSAGE-INTEGRITY and FINGERPRINT to the attributes ending at {@code end}; returns the length. */
    static int finish(byte[] out, int at, int end, byte[] key) {
        byte[] mac = hmac(key, out, at, end - at, end + 4 + MI_LENGTH - at - HEADER);
        if (mac == null) {
            throw new IllegalStateException("HmacSHA1 is not available"); // every JDK has it
        }
        writeUint16(out, end, MESSAGE_INTEGRITY);
        writeUint16(out, end + 2, MI_LENGTH);
        System.arraycopy(mac, 0, out, end + 4, MI_LENGTH);
        end += 4 + MI_LENGTH;
        writeUint16(out, at + 2, end + 8 - at - HEADER);
        writeUint16(out, end, FINGERPRINT);
        writeUint16(out, end + 2, 4);
        writeInt(out, end + 4, crc(out, at, end - at));
        return end + 8 - at;
    }

    /**
     * The transaction's (XOR-)MAPPED-ADDRESS of a Binding success response, or null for anything else
     * (another transaction, an error response, a malformed or truncated message). XOR-MAPPED-ADDRESS wins.
     */
    public static InetAddress mappedAddress(byte[] m, int length, byte[] transaction) {
        if (length < HEADER || readUint16(m, 0) != BINDING_SUCCESS || readInt(m, 4) != MAGIC_COOKIE
                || !Arrays.equals(m, 8, 20, transaction, 0, 12)) {
            return null;
        }
        int end = Math.min(length, HEADER + readUint16(m, 2));
        InetAddress plain = null;
        for (int at = HEADER; at + 4 <= end; ) {
            int type = readUint16(m, at);
            int valueLength = readUint16(m, at + 2);
            int value = at + 4;
            if (value + valueLength > end) {
                return null;
            }
            if ((type == XOR_MAPPED_ADDRESS || type == MAPPED_ADDRESS) && valueLength >= 8) {
                int family = m[value + 1];
                int addressLength = family == 1 ? 4 : family == 2 ? 16 : -1;
                if (addressLength < 0 || valueLength < 4 + addressLength) {
                    return null;
                }
                byte[] address = Arrays.copyOfRange(m, value + 4, value + 4 + addressLength);
                if (type == XOR_MAPPED_ADDRESS) {
                    for (int i = 0; i < addressLength; i++) {
                        address[i] ^= i < 4 ? (byte) (MAGIC_COOKIE >>> (24 - 8 * i)) : transaction[i - 4];
                    }
                }
                try {
                    InetAddress a = InetAddress.getByAddress(address);
                    if (type == XOR_MAPPED_ADDRESS) {
                        return a;
                    }
                    plain = a;
                } catch (java.net.UnknownHostException e) {
                    return null;
                }
            }
            at = value + ((valueLength + 3) & ~3);
        }
        return plain;
    }

    /**
     * HMAC-SHA1 over {@code [off, off + len)} with the header's length field read as {@code lengthField}
     * (RFC 5389 §15.4: the length as if MESSAGE-INTEGRITY were the last attribute).
     */
    private static byte[] hmac(byte[] key, byte[] m, int off, int len, int lengthField) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA1"));
            mac.update(m, off, 2);
            mac.update((byte) (lengthField >>> 8));
            mac.update((byte) lengthField);
            mac.update(m, off + 4, len - 4);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** CRC-32 of the message before FINGERPRINT, with the length field counting FINGERPRINT. */
    private static int crc(byte[] m, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(m, off, 2);
        int lengthField = len + 8 - HEADER;
        crc.update(lengthField >>> 8);
        crc.update(lengthField & 0xff);
        crc.update(m, off + 4, len - 4);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    public static int readUint16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    public static int readInt(byte[] b, int at) {
        return readUint16(b, at) << 16 | readUint16(b, at + 2);
    }

    static void writeUint16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
