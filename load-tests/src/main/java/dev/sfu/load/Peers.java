package dev.sfu.load;

import dev.sfu.client.ClientContext;
import dev.sfu.core.transport.MediaThread;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The peers of a run, and how new ones join. */
final class Peers {
    final List<SimulatedPeer> everyone = new CopyOnWriteArrayList<>();
    final List<SimulatedPeer> publishers = new CopyOnWriteArrayList<>();
    private final URI server;
    private final HttpClient http;
    private final ClientContext context;
    private final MediaThread[] threads;
    private final int layers;
    /** Peers whose join-to-first-packet counts: they joined a conference with media flowing. */
    final List<SimulatedPeer> joiners = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final long joinIntervalNanos;
    private long lastJoinNanos;

    private final JoinTokens tokens;

    Peers(URI server, HttpClient http, ClientContext context, MediaThread[] threads, int layers,
            double joinsPerSecond) {
        this(server, http, context, threads, layers, joinsPerSecond, JoinTokens.NONE);
    }

    Peers(URI server, HttpClient http, ClientContext context, MediaThread[] threads, int layers,
            double joinsPerSecond, JoinTokens tokens) {
        this.tokens = tokens;
        this.server = server;
        this.http = http;
        this.context = context;
        this.threads = threads;
        this.layers = layers;
        this.joinIntervalNanos = (long) (1e9 / joinsPerSecond);
    }

    /** Joins and publishes; the sender drives it from then on. */
    SimulatedPeer publisher(String conference, boolean measureJoin) throws Exception {
        SimulatedPeer peer = join(conference, measureJoin);
        peer.publish().toCompletableFuture().get(30, TimeUnit.SECONDS);
        publishers.add(peer);
        return peer;
    }

    SimulatedPeer subscriber(String conference) throws Exception {
        return join(conference, true);
    }

    /** A peer whose media is not measured (churn): only its join time counts. */
    SimulatedPeer transientSubscriber(String conference) throws Exception {
        int index = next.getAndIncrement();
        SimulatedPeer peer = SimulatedPeer.join(server, http, context, threads[index % threads.length], conference,
                index, layers, tokens);
        joiners.add(peer);
        return peer;
    }

    /** Joins at the configured pace, as people arrive, rather than all in the same instant. */
    private SimulatedPeer join(String conference, boolean measureJoin) throws Exception {
        long wait = lastJoinNanos + joinIntervalNanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        lastJoinNanos = System.nanoTime();
        int index = next.getAndIncrement();
        SimulatedPeer peer = SimulatedPeer.join(server, http, context, threads[index % threads.length], conference,
                index, layers, tokens);
        everyone.add(peer);
        if (measureJoin) {
            joiners.add(peer);
        }
        return peer;
    }

    /** Starts every peer's statistics afresh (on its media thread) and waits until they have. */
    void clearStatistics() throws Exception {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (SimulatedPeer p : everyone) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            p.client.execute(() -> {
                p.streams.clear();
                f.complete(null);
            });
            done.add(f);
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
}
