package dev.sfu.core;

import dev.sfu.core.data.DataRelay;
import dev.sfu.core.inbound.PublisherFeedback;
import dev.sfu.core.media.Router;
import dev.sfu.core.media.Track;
import dev.sfu.core.transport.MediaThread;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A room: its endpoints, its {@link Router} and its periodic work. Everything here runs on the
 * conference's media thread, except admission ({@link #reserveSeat}), which is atomic so that a full
 * conference refuses joins at once.
 */
final class Conference implements FeedbackScheduler.Work {
    private final String id;
    private final MediaThread thread;
    private final Router router = new Router();
    private final DataRelay dataRelay;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final AtomicInteger seats = new AtomicInteger();
    private final int maxEndpoints;
    private final SfuContext context;
    private final FeedbackScheduler schedule;
    private final MediaActivity activity;
    private final DominantSpeaker<Endpoint> dominantSpeaker = new DominantSpeaker<>();
    /** Endpoints by when they were last dominant speaker, most recent first (last-N). */
    private final ArrayList<Endpoint> speakers = new ArrayList<>();
    private volatile List<Participant> participantsSnapshot = List.of();
    private volatile int lastN;
    /** Tracks published in it, for its gauge; written on the media thread only. */
    private volatile int trackCount;

    Conference(String id, MediaThread thread, int maxEndpoints, SfuContext context) {
        this.id = id;
        this.thread = thread;
        this.maxEndpoints = maxEndpoints;
        this.context = context;
        this.dataRelay = new DataRelay(context.dataLimits(), context.metrics().data());
        MediaTuning tuning = context.tuning();
        this.schedule = new FeedbackScheduler(thread, this, tuning.feedbackInterval().toNanos(),
                tuning.pacerTick().toNanos());
        this.activity = new MediaActivity(schedule);
    }

    String id() {
        return id;
    }

    MediaThread thread() {
        return thread;
    }

    Router router() {
        return router;
    }

    DataRelay dataRelay() {
        return dataRelay;
    }

    SfuContext context() {
        return context;
    }

    /** Forward to each endpoint the video of only the {@code n} most recent dominant speakers (0 = all). */
    void setLastN(int n) {
        this.lastN = n;
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

    /** Closes the conference to new joins if nobody holds a seat; the SFU then forgets it. Any thread. */
    boolean closeIfEmpty() {
        if (seats.compareAndSet(0, -1)) {
            schedule.cancel();
            return true;
        }
        return false;
    }

    boolean isClosed() {
        return seats.get() < 0;
    }

    /** Tracks published in it now; readable from any thread. */
    int trackCount() {
        return trackCount;
    }

    /** Endpoints as of the last membership change; readable from any thread. */
    List<Participant> participants() {
        return participantsSnapshot;
    }

    // ---- membership: media thread ----

    void add(Endpoint endpoint) {
        // The joiner's "joined" lists the participants as of its join on the signaling thread; others may
        // have been added or removed on this thread since: tell it of those, so no name is ever missing.
        // A hidden endpoint is announced to nobody, and a hidden other is never named to the joiner.
        Set<String> listed = new HashSet<>();
        endpoint.participantsAtJoin().forEach(p -> listed.add(p.endpointId()));
        boolean hidden = endpoint.options().hidden();
        for (Endpoint other : endpoints.values()) {
            if (!hidden) {
                other.listener().participantJoined(new Participant(endpoint.endpointId(), endpoint.displayName()));
            }
            if (!listed.remove(other.endpointId()) && !other.options().hidden()) {
                endpoint.listener().participantJoined(new Participant(other.endpointId(), other.displayName()));
            }
        }
        listed.forEach(gone -> endpoint.listener().participantLeft(gone));
        endpoints.put(endpoint.endpointId(), endpoint);
        if (!endpoint.options().canPublishData()) {
            dataRelay.setMayPublish(endpoint.endpointId(), false);
        }
        context.events().participantJoined(id, endpoint.endpointId(), endpoint.displayName(), endpoint.options());
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
        dominantSpeaker.remove(endpoint);
        speakers.remove(endpoint);
        applyLastN();
        refreshSnapshot();
        for (Track track : new ArrayList<>(endpoint.tracks())) {
            trackRemoved(track);
        }
        endpoint.close();
        if (!endpoint.options().hidden()) {
            for (Endpoint other : endpoints.values()) {
                other.listener().participantLeft(endpoint.endpointId());
            }
        }
        context.events().participantLeft(id, endpoint.endpointId(), endpoint.options().identity(), endpoint.leaveReason());
        endpoint.listener().endpointEnded();
        seats.decrementAndGet();
        context.conferenceMaybeEmpty(this);
    }

    void trackAdded(Track track) {
        context.metrics().tracks().incrementAndGet();
        trackCount++;
        context.events().trackPublished(id, track.endpointId(), track.trackId(), track.kind(), track.source());
        for (Endpoint other : endpoints.values()) {
            if (!other.endpointId().equals(track.endpointId())) {
                other.subscribe(track);
            }
        }
    }

    void trackRemoved(Track track) {
        context.metrics().tracks().decrementAndGet();
        trackCount--;
        context.events().trackUnpublished(id, track.endpointId(), track.trackId(), track.kind(), track.source());
        track.releaseCaches();
        for (Endpoint other : endpoints.values()) {
            other.subscriber().unsubscribe(track);
        }
    }

    Endpoint endpoint(String endpointId) {
        return endpoints.get(endpointId);
    }

    /** A track of one of its endpoints, or null. */
    Track track(String endpointId, String trackId) {
        Endpoint e = endpoints.get(endpointId);
        if (e != null) {
            for (Track t : e.tracks()) {
                if (t.trackId().equals(trackId)) {
                    return t;
                }
            }
        }
        return null;
    }

    /**
     * Mutes or unmutes an endpoint's track: the router stops (or resumes) forwarding it, and every other
     * endpoint is told; the owner too when the server did it. Nothing happens when the state is the same.
     */
    void setMuted(Endpoint owner, Track track, boolean muted, boolean byServer) {
        if (track.isMuted() == muted) {
            return;
        }
        track.setMuted(muted, thread.clock().nanos());
        for (Endpoint e : endpoints.values()) {
            if (e != owner || byServer) {
                e.listener().trackMuted(owner.endpointId(), track.trackId(), muted);
            }
        }
    }

    /** An endpoint's canSubscribe grant changed: it gets (or loses) every other endpoint's tracks. */
    void subscriptionsChanged(Endpoint endpoint, boolean canSubscribe) {
        for (Endpoint other : endpoints.values()) {
            if (other == endpoint) {
                continue;
            }
            for (Track track : other.tracks()) {
                if (canSubscribe) {
                    endpoint.subscribe(track);
                } else {
                    endpoint.subscriber().unsubscribe(track);
                }
            }
        }
    }

    /** Every endpoint, hidden ones included, as the admin API shows them. Media thread. */
    ConferenceDetail detail() {
        List<ConferenceDetail.EndpointDetail> list = new ArrayList<>();
        for (Endpoint e : endpoints.values()) {
            list.add(e.detail());
        }
        return new ConferenceDetail(id, List.copyOf(list));
    }

    /** Closes every endpoint; their listeners hear {@code closed(reason)}. */
    void closeAll(String reason) {
        for (Endpoint endpoint : new ArrayList<>(endpoints.values())) {
            endpoint.setLeaveReasonIfUnset("server-shutdown");
            remove(endpoint);
            endpoint.listener().closed(reason);
        }
    }

    private void refreshSnapshot() {
        List<Participant> list = new ArrayList<>();
        for (Endpoint e : endpoints.values()) {
            if (!e.options().hidden()) {
                list.add(new Participant(e.endpointId(), e.displayName()));
            }
        }
        participantsSnapshot = List.copyOf(list);
    }

    // ---- FeedbackScheduler.Work: media thread ----

    @Override
    public void sendTransportFeedback(long nowNanos) {
        for (Endpoint e : endpoints.values()) {
            PublisherFeedback feedback = e.publisher().feedback();
            if (feedback != null) {
                feedback.sendTransportFeedback();
                feedback.sendNacks();
            }
        }
        activity.feedbackTicked();
    }

    @Override
    public void updateLayers(long nowNanos) {
        for (Endpoint e : endpoints.values()) {
            e.publisher().updateBitrates(nowNanos);
        }
        Endpoint loudest = null;
        double loudestLevel = DominantSpeaker.SPEECH_LOUDNESS;
        for (Endpoint e : endpoints.values()) {
            PublisherFeedback feedback = e.publisher().feedback();
            if (feedback != null) {
                feedback.sendRemb(nowNanos);
            }
            e.subscriber().updateLayers(nowNanos);
            double level = e.publisher().loudness();
            if (level > loudestLevel) {
                loudest = e;
                loudestLevel = level;
            }
        }
        long nextDataTimer = dataRelay.nextTimeoutNanos();
        if (nextDataTimer != Long.MAX_VALUE && nextDataTimer - nowNanos <= FeedbackScheduler.LAYERS_NANOS) {
            schedule.resumePacing(); // association timers run in the pacer slot
        }
        activity.layersTicked(nextDataTimer != Long.MAX_VALUE);
        Endpoint elected = dominantSpeaker.tick(loudest);
        if (elected != null) {
            speakers.remove(elected);
            speakers.add(0, elected);
            applyLastN();
            for (Endpoint e : endpoints.values()) {
                e.listener().dominantSpeaker(elected.endpointId());
            }
        }
    }

    @Override
    public void sendReports(long nowNanos) {
        for (Endpoint e : endpoints.values()) {
            PublisherFeedback feedback = e.publisher().feedback();
            if (feedback != null) {
                feedback.sendReceiverReport(nowNanos);
            }
        }
    }

    @Override
    public void drainPacers(long nowNanos) {
        boolean needed = false;
        for (Endpoint e : endpoints.values()) {
            needed |= e.subscriber().onPacerTick(nowNanos);
        }
        dataRelay.onTick(nowNanos);
        if (!needed && !dataTimerDueWithin(FeedbackScheduler.LAYERS_NANOS, nowNanos)) {
            // Until a pacer holds packets, a probe is wanted, a data packet arrives, or (seen by the
            // 250 ms layers timer) an association timer comes within 250 ms.
            schedule.pausePacing();
        }
    }

    /** Whether a data-channel association's timer (retransmission, SACK, heartbeat) falls due that soon. */
    private boolean dataTimerDueWithin(long nanos, long nowNanos) {
        long next = dataRelay.nextTimeoutNanos();
        return next != Long.MAX_VALUE && next - nowNanos <= nanos;
    }

    /** A subscriber's pacer or prober needs the pacer slot again. Media thread. */
    void pacerSlotsNeeded() {
        schedule.resumePacing();
    }

    /** An RTP packet from one of its publishers. Per packet, media thread. */
    void rtpArrived() {
        activity.rtpArrived();
    }

    /** Data-channel traffic or a new association: its timers need the layers timer to notice them. */
    void dataActivity() {
        schedule.resumePacing(); // the association's timers run in the pacer slot
        activity.resume();
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
            Set<String> forwarded = new HashSet<>();
            for (int i = 0; i < speakers.size() && forwarded.size() < n; i++) {
                if (speakers.get(i) != e) {
                    forwarded.add(speakers.get(i).endpointId());
                }
            }
            e.subscriber().setLastN(forwarded);
        }
    }
}
