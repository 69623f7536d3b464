package dev.sfu.core.media;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory every packet cache of the process may take together. A cache's ring is reserved from it when
 * the cache first holds a packet and as it grows, and given back when its track goes; past the limit a
 * packet is simply not cached (or the ring stops growing, and NACKs for the oldest go unanswered), so
 * publishers cannot make the server run out of heap. Thread-safe: caches of every media thread share it;
 * only a ring's allocation touches it, never a packet.
 */
public final class CacheBudget {
    /** 512 MiB: about 350 video encodings' full second of cache. */
    public static final long DEFAULT_BYTES = 512L * 1024 * 1024;

    private final long limitBytes;
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public CacheBudget(long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("the packet cache budget must be positive");
        }
        this.limitBytes = limitBytes;
    }

    /** Reserves {@code bytes}; false (and counted) when that would pass the limit. */
    boolean tryReserve(int bytes) {
        while (true) {
            long now = reserved.get();
            if (now + bytes > limitBytes) {
                refused.incrementAndGet();
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    /** Bytes the caches hold now. */
    public long reservedBytes() {
        return reserved.get();
    }

    /** Slots not allocated because the budget was spent. */
    public long refusals() {
        return refused.get();
    }
}
