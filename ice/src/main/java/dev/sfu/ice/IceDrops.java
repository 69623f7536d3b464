package dev.sfu.ice;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the UDP media port dropped, by reason. Only what reaches our code can be counted: ice4j drops
 * some datagrams from unknown addresses before any hook (see docs/security.md). The reasons a
 * {@link RemoteCandidatePolicy} refuses are here too, the signalled candidates and credentials among
 * them, so that every refusal shows in the one metric ({@code sfu_ice_packets_dropped_total{reason}}).
 */
public final class IceDrops {
    /** Why a datagram was dropped; {@link #tag} is the metric's {@code reason} label. */
    public enum Reason {
        /** A new address's first Binding request names a ufrag no live transport has. */
        UNKNOWN_UFRAG("unknown-ufrag"),
        /** ... has no FINGERPRINT, or a wrong one (RFC 5389 §15.5): not ICE, or mangled. */
        BAD_FINGERPRINT("bad-fingerprint"),
        /** ... has no MESSAGE-INTEGRITY, or one not made with the transport's password. */
        WRONG_PASSWORD("wrong-password"),
        /** From a connected peer, neither STUN, DTLS nor SRTP/SRTCP by its first byte (RFC 7983). */
        NOT_DEMULTIPLEXABLE("not-stun-dtls-rtp"),
        /** A new address's first Binding request, valid, from an address the transport's policy refuses. */
        SOURCE_ADDRESS_REFUSED("refused-source-address"),
        /** ... valid, but its ufrag already has {@link RemoteCandidatePolicy#maxUdpSources} source addresses. */
        TOO_MANY_SOURCES("too-many-sources"),
        /** Not a packet: a signalled candidate whose address the policy refuses (never sent to). */
        CANDIDATE_ADDRESS_REFUSED("refused-candidate-address"),
        /** Not a packet: a signalled candidate beyond {@link RemoteCandidatePolicy#maxCandidates}. */
        TOO_MANY_CANDIDATES("too-many-candidates"),
        /** Not a packet: a start with a remote ice-ufrag or ice-pwd that RFC 8839 does not allow. */
        BAD_REMOTE_CREDENTIALS("bad-remote-credentials");

        public final String tag;

        Reason(String tag) {
            this.tag = tag;
        }
    }

    private final AtomicLongArray counts = new AtomicLongArray(Reason.values().length);

    void count(Reason reason) {
        counts.incrementAndGet(reason.ordinal());
    }

    public long get(Reason reason) {
        return counts.get(reason.ordinal());
    }

    public long total() {
        long sum = 0;
        for (int i = 0; i < counts.length(); i++) {
            sum += counts.get(i);
        }
        return sum;
    }
}
