package dev.sfu.load;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Drops the WebSocket of a random non-publishing peer at a given rate while the run is measured, as a
 * network change does, and has it resume its session on a new one (docs/signaling-protocol.md,
 * "Resuming"): the peer's media must go on as if nothing happened, which the run's loss figures show.
 */
final class Drops {
    private final Peers peers;
    private final HttpClient http;
    private final long periodMillis;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Random random = new Random(11);
    private final List<Double> resumeMillis = Collections.synchronizedList(new ArrayList<>());
    private volatile int drops;
    private volatile int refused;

    Drops(Peers peers, HttpClient http, double perSecond) {
        this.peers = peers;
        this.http = http;
        this.periodMillis = Math.max(20, (long) (1000 / perSecond));
    }

    void start() {
        scheduler.scheduleAtFixedRate(this::dropOne, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void dropOne() {
        List<SimulatedPeer> candidates = new ArrayList<>(peers.everyone);
        candidates.removeAll(peers.publishers);
        candidates.removeIf(p -> p.resumeToken == null);
        if (candidates.isEmpty()) {
            return;
        }
        SimulatedPeer peer = candidates.get(random.nextInt(candidates.size()));
        drops++;
        try {
            resumeMillis.add(peer.dropAndResume(http));
        } catch (Exception e) {
            refused++;
            System.err.println("resume of " + peer.endpointId + " failed: " + e);
        }
    }

    LoadReport.Resumes stop() throws InterruptedException {
        // No new drops, but a resume under way finishes: interrupting it (shutdownNow) made a drop at the
        // window's very end count as a refused resume.
        scheduler.shutdown();
        if (!scheduler.awaitTermination(15, TimeUnit.SECONDS)) {
            scheduler.shutdownNow();
        }
        List<Double> sorted;
        synchronized (resumeMillis) {
            sorted = new ArrayList<>(resumeMillis);
        }
        Collections.sort(sorted);
        return new LoadReport.Resumes(drops, sorted.size(), refused,
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1));
    }
}
