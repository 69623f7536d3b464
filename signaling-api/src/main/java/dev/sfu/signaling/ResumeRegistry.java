package dev.sfu.signaling;

import dev.sfu.core.EndpointHandle;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Session resumption (docs/signaling-protocol.md, "Resuming"): every joined endpoint has a secret resume
 * token; when its WebSocket drops without a close frame, the endpoint is parked for the grace period with
 * its media flowing, and a new WebSocket presenting the token gets it back. An endpoint parked longer
 * leaves. The registry holds one entry per live endpoint, so it is bounded by the server's endpoint limit;
 * each parked endpoint costs one timer, and nothing runs for the others.
 */
final class ResumeRegistry {
    /** Starts one-shot timers; returns the action that cancels one (cancelling late is harmless). */
    @FunctionalInterface
    interface Timer {
        Runnable schedule(Duration delay, Runnable task);
    }

    /** What a resuming session takes over. */
    record Resumable(EndpointHandle handle, EndpointRelay relay) {
    }

    private static final class Entry {
        final Resumable resumable;
        final byte[] token;
        /** Cancels the grace timer while parked; null while a session is attached. */
        Runnable expiry;

        Entry(Resumable resumable, byte[] token) {
            this.resumable = resumable;
            this.token = token;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger parked = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private final Duration grace;
    private final Timer timer;
    private final SignalingMetrics metrics;

    /** @param grace how long a dropped endpoint waits for its client; zero turns resumption off */
    ResumeRegistry(Duration grace, Timer timer, SignalingMetrics metrics) {
        this.grace = grace;
        this.timer = timer;
        this.metrics = metrics;
    }

    boolean enabled() {
        return !grace.isZero();
    }

    /** Registers a newly joined endpoint; returns its resume token (22 characters, 128 random bits). */
    String register(EndpointHandle handle, EndpointRelay relay) {
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        entries.put(handle.endpointId(), new Entry(new Resumable(handle, relay), token.getBytes(StandardCharsets.US_ASCII)));
        return token;
    }

    /**
     * The endpoint's WebSocket dropped: it stays for the grace period.
     *
     * @return false when resumption is off or the endpoint is unknown: the caller ends it now
     */
    boolean park(String endpointId) {
        Entry entry = entries.get(endpointId);
        if (entry == null || !enabled()) {
            return false;
        }
        synchronized (entry) {
            if (entry.expiry != null) {
                return true; // already parked
            }
            entry.expiry = timer.schedule(grace, () -> expire(endpointId, entry));
            parked.incrementAndGet();
        }
        metrics.resume(SignalingMetrics.Resume.PARKED);
        return true;
    }

    private void expire(String endpointId, Entry entry) {
        synchronized (entry) {
            if (entry.expiry == null || !entries.remove(endpointId, entry)) {
                return; // resumed meanwhile
            }
            entry.expiry = null;
            parked.decrementAndGet();
        }
        metrics.resume(SignalingMetrics.Resume.EXPIRED);
        entry.resumable.handle().leave("resume-expired");
    }

    /**
     * A client presents {@code token} for {@code endpointId}. The endpoint may be parked, or still attached
     * to a connection the server has not yet seen drop (a half-open TCP): either way the caller takes it over.
     *
     * @return what to take over, or null (unknown, expired, ended, or the wrong token)
     */
    Resumable claim(String endpointId, String token) {
        Entry entry = entries.get(endpointId);
        if (entry == null || !MessageDigest.isEqual(entry.token, token.getBytes(StandardCharsets.US_ASCII))
                || entry.resumable.relay().isClosed()) {
            metrics.resume(SignalingMetrics.Resume.REFUSED);
            return null;
        }
        synchronized (entry) {
            if (entries.get(endpointId) != entry) {
                metrics.resume(SignalingMetrics.Resume.REFUSED);
                return null; // expired this moment
            }
            unpark(entry);
        }
        metrics.resume(SignalingMetrics.Resume.RESUMED);
        return entry.resumable;
    }

    /** The endpoint ended (left, or closed by the server): its token is worthless from now on. */
    void forget(String endpointId) {
        Entry entry = entries.remove(endpointId);
        if (entry != null) {
            synchronized (entry) {
                unpark(entry);
            }
        }
    }

    /** Cancels a parked entry's grace timer; the caller holds the entry's lock. */
    private void unpark(Entry entry) {
        if (entry.expiry != null) {
            entry.expiry.run();
            entry.expiry = null;
            parked.decrementAndGet();
        }
    }

    /** Endpoints waiting for their client now. */
    int parked() {
        return parked.get();
    }
}
