package dev.sfu.signaling;

import dev.sfu.core.EndpointListener;
import dev.sfu.core.Participant;
import dev.sfu.core.TrackMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The listener the core holds for one endpoint for its whole life. It passes each message to the
 * signaling session attached now. Before the first attach (the core may speak while the join is still
 * being answered) it holds messages to follow {@code joined}; while detached (the client's WebSocket
 * dropped and it may resume) it drops what a resuming client gets afresh anyway (a new subscribe offer,
 * the participant list) and keeps the dominant speaker to tell it again. Calls come from the SFU's threads and from the signaling event
 * loops, hence the lock; nothing under it blocks (a session's send only queues a frame).
 */
final class EndpointRelay implements EndpointListener {
    /** Bounds the messages held before the first attach (a join's first moments see a handful). */
    private static final int MAX_EARLY = 256;

    private final Runnable onClosed;
    /** Messages from the moment the core created the endpoint to the first attach: they follow "joined". */
    private List<Consumer<EndpointListener>> early = new ArrayList<>();
    private EndpointListener session;
    private String dominantSpeaker;
    private boolean closed;
    private String closedReason;
    /** Run once the core has removed the endpoint, whatever the reason (the participant registry's cue). */
    private volatile Runnable onEnded = () -> { };

    /** @param onClosed run once when the server ends the endpoint (it can no longer be resumed) */
    EndpointRelay(Runnable onClosed) {
        this.onClosed = onClosed;
    }

    /**
     * Makes {@code next} the session that hears this endpoint's messages and runs {@code greeting} (its
     * first message, e.g. {@code resumed}) before anything else reaches it.
     *
     * @return the session it replaces, or null
     */
    synchronized EndpointListener attach(EndpointListener next, Runnable greeting) {
        EndpointListener previous = session;
        greeting.run();
        if (closed) {
            next.closed(closedReason); // the server ended it while the join was being answered
            return previous;
        }
        session = next;
        if (early != null) {
            early.forEach(message -> message.accept(next));
            early = null;
        } else if (dominantSpeaker != null) {
            // A resumed session, parked or taken over from a half-open one, has heard nothing yet.
            next.dominantSpeaker(dominantSpeaker);
        }
        return previous;
    }

    /** Passes a message to the attached session, holds it before the first attach, drops it while detached. */
    private void deliver(Consumer<EndpointListener> message) {
        if (session != null) {
            message.accept(session);
        } else if (early != null && early.size() < MAX_EARLY) {
            early.add(message);
        }
    }

    /** Detaches {@code current} if it is still the attached session; false if another has taken over. */
    synchronized boolean detach(EndpointListener current) {
        if (session != current) {
            return false;
        }
        session = null;
        return true;
    }

    void onEnded(Runnable r) {
        this.onEnded = r;
    }

    @Override
    public void endpointEnded() {
        onEnded.run();
    }

    @Override
    public synchronized void trackMuted(String endpointId, String trackId, boolean muted) {
        deliver(l -> l.trackMuted(endpointId, trackId, muted));
    }

    /**
     * The server removed the endpoint (kicked, duplicate identity, conference closed): the attached
     * session, if any, is told and closes its connection; from now on nobody can resume it.
     */
    void removed(String reason) {
        EndpointListener last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closedReason = reason;
            last = session;
            session = null;
        }
        if (last instanceof SignalingSession s) {
            s.removedByServer(reason);
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void subscribeOffer(String sdp, List<TrackMapping> tracks) {
        deliver(l -> l.subscribeOffer(sdp, tracks));
    }

    @Override
    public synchronized void candidate(String transport, String candidate, String sdpMid, int sdpMLineIndex) {
        deliver(l -> l.candidate(transport, candidate, sdpMid, sdpMLineIndex));
    }

    @Override
    public synchronized void participantJoined(Participant participant) {
        deliver(l -> l.participantJoined(participant));
    }

    @Override
    public synchronized void participantLeft(String endpointId) {
        deliver(l -> l.participantLeft(endpointId));
    }

    @Override
    public synchronized void dominantSpeaker(String endpointId) {
        dominantSpeaker = endpointId;
        deliver(l -> l.dominantSpeaker(endpointId));
    }

    @Override
    public void closed(String reason) {
        EndpointListener last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closedReason = reason;
            last = session;
            session = null;
        }
        onClosed.run();
        if (last != null) {
            last.closed(reason);
        }
    }
}
