package dev.sfu.dtls;

import dev.sfu.dtls.srtp.SrtpContext;
import dev.sfu.dtls.srtp.SrtpProfile;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SRTP state of one transport after its DTLS handshake: an outbound context that protects what we
 * send and an inbound one that unprotects what we receive, under the negotiated profile.
 *
 * <p>Threading: outbound and inbound share no mutable state, so one thread may protect while another
 * unprotects; each direction must stay on one thread at a time.
 */
public final class SrtpSession {
    /** Bytes a protected packet may grow by (SRTCP: 4-byte index + 16-byte GCM tag): keep this room. */
    public static final int MAX_OVERHEAD = 20;

    public static final int ERR_TRUNCATED = -1;
    public static final int ERR_AUTH = -2;
    public static final int ERR_REPLAY = -3;
    public static final int ERR_TOO_MANY_SSRCS = -4;
    public static final int ERR_CIPHER = -5;

    private final SrtpProfile profile;
    private final SrtpContext outbound;
    private final SrtpContext inbound;
    private final AtomicLong dropped = new AtomicLong();

    private SrtpSession(SrtpProfile profile, SrtpContext outbound, SrtpContext inbound) {
        this.profile = profile;
        this.outbound = outbound;
        this.inbound = inbound;
    }

    /** A session from master keys and salts: ours protect what we send, the peer's what we receive. */
    public static SrtpSession create(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey,
            byte[] remoteSalt) {
        return new SrtpSession(profile, new SrtpContext(profile, localKey, localSalt),
                new SrtpContext(profile, remoteKey, remoteSalt));
    }

    /**
     * A session from DTLS-SRTP keying material (RFC 5764 §4.2): client key, server key, client salt,
     * server salt, in that order.
     */
    public static SrtpSession fromKeyingMaterial(SrtpProfile profile, byte[] material, boolean weAreClient) {
        int k = profile.keyLength();
        int s = profile.saltLength();
        byte[] clientKey = java.util.Arrays.copyOfRange(material, 0, k);
        byte[] serverKey = java.util.Arrays.copyOfRange(material, k, 2 * k);
        byte[] clientSalt = java.util.Arrays.copyOfRange(material, 2 * k, 2 * k + s);
        byte[] serverSalt = java.util.Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);
        return weAreClient ? create(profile, clientKey, clientSalt, serverKey, serverSalt)
                : create(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** Protects an RTP packet in place; the buffer needs {@link #MAX_OVERHEAD} spare bytes. */
    public int protectRtp(byte[] buf, int off, int len) {
        return outbound.protectRtp(buf, off, len);
    }

    /** Unprotects an SRTP packet in place: the plaintext length, or a negative ERR_ code. */
    public int unprotectRtp(byte[] buf, int off, int len) {
        int n = inbound.unprotectRtp(buf, off, len);
        if (n < 0) {
            dropped.incrementAndGet();
        }
        return n;
    }

    public int protectRtcp(byte[] buf, int off, int len) {
        return outbound.protectRtcp(buf, off, len);
    }

    public int unprotectRtcp(byte[] buf, int off, int len) {
        int n = inbound.unprotectRtcp(buf, off, len);
        if (n < 0) {
            dropped.incrementAndGet();
        }
        return n;
    }

    /** Received packets dropped: replayed, unauthentic, truncated. */
    public long dropped() {
        return dropped.get();
    }
}
