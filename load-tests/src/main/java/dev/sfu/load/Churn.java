package dev.sfu.load;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Peers that join the fan-out, stay about two seconds and leave, at a given rate, while the steady
 * subscribers are measured (churners are not): joins and leaves must not disturb anyone else.
 */
final class Churn {
    private final Peers peers;
    private final long periodMillis;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final AtomicInteger joined = new AtomicInteger();
    private final Set<SimulatedPeer> present = ConcurrentHashMap.newKeySet();

    Churn(Peers peers, double perSecond) {
        this.peers = peers;
        this.periodMillis = Math.max(50, (long) (1000 / perSecond));
    }

    void start() {
        scheduler.scheduleAtFixedRate(() -> {
            try {
                SimulatedPeer peer = peers.transientSubscriber("fanout");
                joined.incrementAndGet();
                present.add(peer);
                scheduler.schedule(() -> {
                    if (present.remove(peer)) {
                        peer.leave();
                    }
                }, 2, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("churn join failed: " + e);
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    void stop() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        for (SimulatedPeer peer : present) {
            peer.leave();
        }
        present.clear();
    }

    int joined() {
        return joined.get();
    }
}
