package dev.sfu.sctp;

import dev.sfu.sctp.chunk.Bytes;
import dev.sfu.sctp.chunk.ChunkType;
import dev.sfu.sctp.chunk.InitChunk;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The State Cookie of an INIT-ACK (RFC 9260 §5.1.3): what this side needs to build the association from a
 * COOKIE ECHO without having kept state for the INIT, signed with HMAC-SHA256 under a per-association secret
 * key so a forged or altered cookie is refused (§5.1.5).
 */
final class StateCookie {
    private static final int VERSION = 1;
    static final int BODY = 1 + 8 + 4 + 4 + 4 + 2 + 2 + 1 + 4 + 4;
    static final int MAC = 32;
    static final int LENGTH = BODY + MAC;

    final long createdAt;
    final int peerTag;
    final int peerInitialTsn;
    final long peerRwnd;
    final int peerOutboundStreams;
    final int peerInboundStreams;
    final boolean peerForwardTsn;
    final boolean peerReconfig;
    final int localTag;
    final int localInitialTsn;

    StateCookie(long createdAt, InitChunk peerInit, int localTag, int localInitialTsn) {
        this(createdAt, peerInit.initiateTag, peerInit.initialTsn, peerInit.aRwnd, peerInit.outboundStreams,
                peerInit.inboundStreams, peerInit.supports(ChunkType.FORWARD_TSN),
                peerInit.supports(ChunkType.RE_CONFIG), localTag, localInitialTsn);
    }

    private StateCookie(long createdAt, int peerTag, int peerInitialTsn, long peerRwnd, int peerOs, int peerMis,
            boolean fwd, boolean reconfig, int localTag, int localInitialTsn) {
        this.createdAt = createdAt;
        this.peerTag = peerTag;
        this.peerInitialTsn = peerInitialTsn;
        this.peerRwnd = peerRwnd;
        this.peerOutboundStreams = peerOs;
        this.peerInboundStreams = peerMis;
        this.peerForwardTsn = fwd;
        this.peerReconfig = reconfig;
        this.localTag = localTag;
        this.localInitialTsn = localInitialTsn;
    }

    byte[] sign(byte[] key) {
        byte[] b = new byte[LENGTH];
        int p = 0;
        b[p++] = VERSION;
        for (int i = 7; i >= 0; i--) {
            b[p++] = (byte) (createdAt >>> (8 * i));
        }
        Bytes.put32(b, p, peerTag);
        Bytes.put32(b, p + 4, peerInitialTsn);
        Bytes.put32(b, p + 8, (int) peerRwnd);
        Bytes.put16(b, p + 12, peerOutboundStreams);
        Bytes.put16(b, p + 14, peerInboundStreams);
        b[p + 16] = (byte) ((peerForwardTsn ? 1 : 0) | (peerReconfig ? 2 : 0));
        Bytes.put32(b, p + 17, localTag);
        Bytes.put32(b, p + 21, localInitialTsn);
        System.arraycopy(mac(key, b), 0, b, BODY, MAC);
        return b;
    }

    /** The cookie if its signature verifies, else null. Constant-time comparison of the MAC. */
    static StateCookie verify(byte[] key, byte[] b) {
        if (b.length != LENGTH || b[0] != VERSION) {
            return null;
        }
        byte[] expected = mac(key, b);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(b, BODY, LENGTH))) {
            return null;
        }
        long created = 0;
        for (int i = 1; i <= 8; i++) {
            created = (created << 8) | (b[i] & 0xFF);
        }
        int p = 9;
        int flags = b[p + 16];
        return new StateCookie(created, Bytes.i32(b, p), Bytes.i32(b, p + 4), Bytes.u32(b, p + 8), Bytes.u16(b, p + 12),
                Bytes.u16(b, p + 14), (flags & 1) != 0, (flags & 2) != 0, Bytes.i32(b, p + 17), Bytes.i32(b, p + 21));
    }

    private static byte[] mac(byte[] key, byte[] b) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(b, 0, BODY);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}
