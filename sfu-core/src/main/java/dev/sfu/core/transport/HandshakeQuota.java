package dev.sfu.core.transport;

import dev.sfu.dtls.DtlsTransport;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * How many DTLS handshakes may hold a thread at once per conference and per remote address
 * (docs/security.md). Bouncy Castle blocks a thread per handshake for up to its timeout, so a peer that
 * gets through ICE and then stalls its handshake holds one; without quotas, a few such peers could take
 * the whole pool from everyone else. A handshake over quota is not failed but deferred to the peer's next
 * ClientHello ({@link DtlsTransport.Admission}). State is one counter per conference and per address with
 * handshakes in flight, removed at zero.
 */
public final class HandshakeQuota {
    public static final int DEFAULT_PER_ADDRESS = 8;
    public static final int DEFAULT_PER_CONFERENCE = 32;

    /** Which quota refused a handshake; the tag of {@code sfu_dtls_handshakes_deferred_total{reason}}. */
    public enum Refusal {
        PER_ADDRESS("per-address"),
        PER_CONFERENCE("per-conference");

        public final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }
    }

    private final int perAddress;
    private final int perConference;
    private final Map<String, Integer> byConference = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> byAddress = new ConcurrentHashMap<>();
    private final LongAdder refusedPerAddress = new LongAdder();
    private final LongAdder refusedPerConference = new LongAdder();

    public HandshakeQuota(int perAddress, int perConference) {
        if (perAddress < 1 || perConference < 1) {
            throw new IllegalArgumentException("handshake quotas must be >= 1");
        }
        this.perAddress = perAddress;
        this.perConference = perConference;
    }

    /**
     * The admission of one transport's handshakes.
     *
     * @param remote the peer's address once ICE has a pair; null before (then only the conference counts)
     */
    public DtlsTransport.Admission admission(String conference, Supplier<InetAddress> remote) {
        return new DtlsTransport.Admission() {
            private InetAddress counted;

            @Override
            public synchronized boolean tryAcquire() {
                if (!acquire(byConference, conference, perConference)) {
                    refusedPerConference.increment();
                    return false;
                }
                InetAddress address = remote.get();
                if (address != null && !acquire(byAddress, address, perAddress)) {
                    HandshakeQuota.release(byConference, conference);
                    refusedPerAddress.increment();
                    return false;
                }
                counted = address;
                return true;
            }

            @Override
            public synchronized void release() {
                HandshakeQuota.release(byConference, conference);
                if (counted != null) {
                    HandshakeQuota.release(byAddress, counted);
                    counted = null;
                }
            }
        };
    }

    private static <K> boolean acquire(Map<K, Integer> counts, K key, int limit) {
        boolean[] admitted = new boolean[1];
        counts.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            admitted[0] = now < limit;
            return admitted[0] ? now + 1 : n;
        });
        return admitted[0];
    }

    private static <K> void release(Map<K, Integer> counts, K key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Handshakes deferred by a quota so far. */
    public long refused(Refusal reason) {
        return (reason == Refusal.PER_ADDRESS ? refusedPerAddress : refusedPerConference).sum();
    }

    /** Conferences and addresses with a handshake in flight now (what the quota's memory is). */
    public int trackedKeys() {
        return byConference.size() + byAddress.size();
    }
}
