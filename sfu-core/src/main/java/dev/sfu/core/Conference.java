package dev.sfu.core;

import dev.sfu.core.media.Track;
import dev.sfu.core.transport.MediaThread;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A room: its endpoints and its router. Everything here runs on the conference's media thread, except
 * admission ({@link #reserveSeat}), which is atomic so that a full conference refuses joins at once.
 */
final class Conference {
    private final String id;
    private final MediaThread thread;
    private final Router router = new Router();
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final AtomicInteger seats = new AtomicInteger();
    private final int maxEndpoints;
    private final SfuContext context;
    private volatile List<Participant> participantsSnapshot = List.of();
    /** How often publishers get transport-cc feedback: often enough for their bandwidth estimation. */
    private static final long FEEDBACK_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);
    private final MediaThread.Timer feedbackTimer;
    private final MediaThread.Timer pacerTimer;

    Conference(String id, MediaThread thread, int maxEndpoints, SfuContext context) {
        this.id = id;
        this.thread = thread;
        this.maxEndpoints = maxEndpoints;
        this.context = context;
        this.feedbackTimer = thread.every(FEEDBACK_INTERVAL_NANOS, this::sendFeedback);
        this.pacerTimer = thread.every(dev.sfu.core.bwe.Pacer.SLOT_NANOS, this::drainPacers);
    }

    private int ticks;
    /** Dominant speaker (RFC 6464 audio levels): who it is, and who has been loudest in a row how often. */
    private final long[] feedbackScratch = new long[8192];
    private Endpoint dominant;
    /** Endpoints by when they were last dominant speaker, most recent first (last-N); media thread. */
    private final ArrayList<Endpoint> speakers = new ArrayList<>();
    private volatile int lastN;
    private Endpoint challenger;
    private int challengerTicks;
    /** Loudness below this is background noise, not speech (127 - level: 127 = 0 dBov, 0 = silence). */
    private static final double SPEECH_LOUDNESS = 40;
    /** A new speaker must be loudest for this many 250 ms ticks in a row: no flapping between talkers. */
    private static final int TICKS_TO_TAKE_OVER = 2;

    /**
     * Every 50 ms: transport-cc feedback to publishers; every 250 ms: publishers'
     * bitrates measured, the downlink estimates shared out and simulcast layers chosen; every
     * second: receiver reports to publishers.
     */
    private void sendFeedback() {
        boolean layers = ++ticks % 5 == 0;
        boolean reports = ticks % 20 == 0;
        long now = System.nanoTime();
        Endpoint loudest = null;
        double loudestLevel = SPEECH_LOUDNESS;
        if (layers) {
            for (Endpoint e : endpoints.values()) {
                e.updateBitrates(now);
            }
        }
        for (Endpoint e : endpoints.values()) {
            e.sendTransportFeedback();
            e.sendUpstreamNacks();
            if (reports) {
                e.sendReceiverReport(now);
            }
            if (layers) {
                e.updateLayers(now);
                double l = e.loudness();
                if (l > loudestLevel) {
                    loudest = e;
                    loudestLevel = l;
                }
            }
        }
        if (layers) {
            electDominantSpeaker(loudest);
        }
    }

    private void drainPacers() {
        long now = System.nanoTime();
        for (Endpoint e : endpoints.values()) {
            e.drainPacer(now);
            e.probeDownlink(now, dev.sfu.core.bwe.Pacer.SLOT_NANOS);
        }
    }

    private void electDominantSpeaker(Endpoint loudest) {
        if (loudest == null || loudest == dominant) {
            challenger = null;
            challengerTicks = 0;
            return;
        }
        challengerTicks = loudest == challenger ? challengerTicks + 1 : 1;
        challenger = loudest;
        if (challengerTicks >= TICKS_TO_TAKE_OVER) {
            dominant = loudest;
            challenger = null;
            challengerTicks = 0;
            speakers.remove(loudest);
            speakers.add(0, loudest);
            applyLastN();
            for (Endpoint e : endpoints.values()) {
                e.listener().dominantSpeaker(dominant.endpointId());
            }
        }
    }

    String id() {
        return id;
    }

    /** Forward to each endpoint the video of only the {@code n} most recent dominant speakers (0 = all). */
    void setLastN(int n) {
        this.lastN = n;
    }

    /**
     * Tells every endpoint whose video it gets under last-N: the N most recent dominant speakers other
     * than itself (endpoints that never spoke come after, in joining order).
     */
    private void applyLastN() {
        int n = lastN;
        if (n <= 0) {
            return;
        }
        for (Endpoint e : endpoints.values()) {
            java.util.Set<String> forwarded = new java.util.HashSet<>();
            for (int i = 0; i < speakers.size() && forwarded.size() < n; i++) {
                if (speakers.get(i) != e) {
                    forwarded.add(speakers.get(i).endpointId());
                }
            }
            e.setLastN(forwarded);
        }
    }

    MediaThread thread() {
        return thread;
    }

    /**
     * Scratch for parsing subscribers' transport-cc feedback, shared by the conference's endpoints (they
     * run on its one media thread); a feedback reporting more packets than this is skipped.
     */
    long[] feedbackScratch() {
        return feedbackScratch;
    }

    Router router() {
        return router;
    }

    SfuContext context() {
        return context;
    }

    /** Takes a seat for a joining endpoint; false when the conference is full or closed. Any thread. */
    boolean reserveSeat() {
        while (true) {
            int taken = seats.get();
            if (taken < 0 || taken >= maxEndpoints) {
                return false;
            }
            if (seats.compareAndSet(taken, taken + 1)) {
                return true;
            }
        }
    }

    /**
     * Closes the conference to new joins if nobody holds a seat; the SFU then forgets it. Any thread.
     */
    boolean closeIfEmpty() {
        if (seats.compareAndSet(0, -1)) {
            feedbackTimer.cancel();
            pacerTimer.cancel();
            return true;
        }
        return false;
    }

    boolean isClosed() {
        return seats.get() < 0;
    }

    /** Endpoints as of the last membership change; readable from any thread. */
    List<Participant> participants() {
        return participantsSnapshot;
    }

    // ---- media thread from here on ----

    void add(Endpoint endpoint) {
        for (Endpoint other : endpoints.values()) {
            other.listener().participantJoined(new Participant(endpoint.endpointId(), endpoint.displayName()));
        }
        endpoints.put(endpoint.endpointId(), endpoint);
        speakers.add(endpoint);
        applyLastN();
        refreshSnapshot();
        // A late joiner receives every track already published.
        for (Endpoint other : endpoints.values()) {
            if (other != endpoint) {
                for (Track track : other.tracks()) {
                    endpoint.subscribe(track);
                }
            }
        }
    }

    void remove(Endpoint endpoint) {
        if (endpoints.remove(endpoint.endpointId()) == null) {
            return;
        }
        if (dominant == endpoint) {
            dominant = null;
        }
        speakers.remove(endpoint);
        applyLastN();
        if (challenger == endpoint) {
            challenger = null;
        }
        refreshSnapshot();
        for (Track track : new ArrayList<>(endpoint.tracks())) {
            trackRemoved(track);
        }
        endpoint.close();
        for (Endpoint other : endpoints.values()) {
            other.listener().participantLeft(endpoint.endpointId());
        }
        seats.decrementAndGet();
        context.conferenceMaybeEmpty(this);
    }

    void trackAdded(Track track) {
        context.metrics().tracks().incrementAndGet();
        for (Endpoint other : endpoints.values()) {
            if (!other.endpointId().equals(track.endpointId())) {
                other.subscribe(track);
            }
        }
    }

    void trackRemoved(Track track) {
        context.metrics().tracks().decrementAndGet();
        for (Endpoint other : endpoints.values()) {
            other.unsubscribe(track);
        }
    }

    Endpoint endpoint(String endpointId) {
        return endpoints.get(endpointId);
    }

    /** Closes every endpoint; their listeners hear {@code closed(reason)}. */
    void closeAll(String reason) {
        for (Endpoint endpoint : new ArrayList<>(endpoints.values())) {
            remove(endpoint);
            endpoint.listener().closed(reason);
        }
    }

    private void refreshSnapshot() {
        List<Participant> list = new ArrayList<>();
        for (Endpoint e : endpoints.values()) {
            list.add(new Participant(e.endpointId(), e.displayName()));
        }
        participantsSnapshot = List.copyOf(list);
    }
}
