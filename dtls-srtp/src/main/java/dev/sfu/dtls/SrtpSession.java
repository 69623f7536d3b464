package dev.sfu.dtls;

import dev.sfu.dtls.srtp.SrtpContext;
import dev.sfu.dtls.srtp.SrtpProfile;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

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

    /** Error codes of the unprotect/protect methods: too short or malformed for its header. */
    public static final int ERR_TRUNCATED = -1;
    public static final int ERR_AUTH = -2;
    public static final int ERR_REPLAY = -3;
    /**
     * Protect only: the session already sends {@link SrtpContext#MAX_SENDING_SSRCS} SSRCs; a new one is
     * refused, never made room for (that would reuse an index of the stream evicted).
     */
    public static final int ERR_TOO_MANY_SSRCS = -4;
    public static final int ERR_CIPHER = -5;
    /** Protect only: the SSRC was removed with {@link #removeSendingSsrc} and may not be sent again. */
    public static final int ERR_SSRC_REMOVED = -6;

    private final SrtpProfile profile;
    private final SrtpContext outbound;
    private final SrtpContext inbound;
    private final AtomicLong dropped = new AtomicLong();
    /** Drops by reason, indexed by {@code -ERR_x}; drops are rare, so an atomic add costs nothing that matters. */
    private final AtomicLongArray droppedByReason = new AtomicLongArray(-ERR_CIPHER + 1);
    // Written only by the thread that owns the direction; other threads read a possibly lagging value.
    private long rtpProtected;
    private long rtpUnprotected;
    private long rtcpProtected;
    private long rtcpUnprotected;

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
        int n = outbound.protectRtp(buf, off, len);
        if (n > 0) {
            rtpProtected++;
        }
        return n;
    }

    /** Unprotects an SRTP packet in place: the plaintext length, or a negative ERR_ code. */
    public int unprotectRtp(byte[] buf, int off, int len) {
        int n = inbound.unprotectRtp(buf, off, len);
        if (n < 0) {
            drop(n);
        } else {
            rtpUnprotected++;
        }
        return n;
    }

    /** Protects an RTCP compound packet in place (SRTCP, E bit set); needs {@link #MAX_OVERHEAD} spare bytes. */
    public int protectRtcp(byte[] buf, int off, int len) {
        int n = outbound.protectRtcp(buf, off, len);
        if (n > 0) {
            rtcpProtected++;
        }
        return n;
    }

    /** Unprotects an SRTCP packet in place: the RTCP length, or a negative ERR_ code. */
    public int unprotectRtcp(byte[] buf, int off, int len) {
        int n = inbound.unprotectRtcp(buf, off, len);
        if (n < 0) {
            drop(n);
        } else {
            rtcpUnprotected++;
        }
        return n;
    }

    /**
     * Ends a stream we send (a subscription ended, a track stopped): frees its SRTP state. Its SSRC must not
     * be sent again under this session; recently removed ones are refused with {@link #ERR_SSRC_REMOVED}.
     * On the thread that protects. Returns whether it had a state.
     */
    public boolean removeSendingSsrc(int ssrc) {
        return outbound.removeSendingSsrc(ssrc);
    }

    /** SSRCs we send that have a state now. */
    public int sendingSsrcs() {
        return outbound.sendingSsrcs();
    }

    /** Packets we were asked to send and refused: too many SSRCs, or a removed one. */
    public long sendRefused() {
        return outbound.refusedTooManySsrcs() + outbound.refusedRemovedSsrc();
    }

    private void drop(int error) {
        dropped.incrementAndGet();
        if (error < 0 && error >= ERR_CIPHER) {
            droppedByReason.incrementAndGet(-error);
        }
    }

    /** Received packets dropped for one reason, an {@code ERR_} constant (e.g. {@link #ERR_REPLAY}). */
    public long dropped(int reason) {
        return reason < 0 && reason >= ERR_CIPHER ? droppedByReason.get(-reason) : 0;
    }

    /** RTP packets protected (sent). */
    public long rtpProtected() {
        return rtpProtected;
    }

    /** SRTP packets that passed authentication and replay checks (received). */
    public long rtpUnprotected() {
        return rtpUnprotected;
    }

    /** RTCP packets protected (sent). */
    public long rtcpProtected() {
        return rtcpProtected;
    }

    /** SRTCP packets accepted (received). */
    public long rtcpUnprotected() {
        return rtcpUnprotected;
    }

    /** Received packets dropped: replayed, unauthentic, truncated. */
    public long dropped() {
        return dropped.get();
    }
}
