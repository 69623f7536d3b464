package dev.sfu.signaling;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open signaling WebSockets, in all and per client address, against their caps: checked at the HTTP
 * upgrade, so that a refused client costs no WebSocket, session or timer.
 */
final class ConnectionLimits {
    /** Why an upgrade was refused. */
    enum Refusal {
        /** The instance holds its maximum: 503, another instance may take it. */
        MAX_CONNECTIONS,
        /** This address holds its maximum: 429. */
        MAX_CONNECTIONS_PER_ADDRESS
    }

    private final int max;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    ConnectionLimits(int max, int maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes a slot for {@code address}; null when taken (give it back with {@link #release}), else why not. */
    Refusal tryOpen(InetAddress address) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return Refusal.MAX_CONNECTIONS;
        }
        boolean[] refused = {false};
        perAddress.compute(address, (a, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() >= maxPerAddress) {
                refused[0] = true;
            } else {
                c.incrementAndGet();
            }
            return c;
        });
        if (refused[0]) {
            open.decrementAndGet();
            return Refusal.MAX_CONNECTIONS_PER_ADDRESS;
        }
        return null;
    }

    void release(InetAddress address) {
        open.decrementAndGet();
        perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    int open() {
        return open.get();
    }
}
