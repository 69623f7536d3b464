package dev.sfu.core.outbound;

import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.media.Track;
import dev.sfu.core.sdp.SubscribeSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The subscribe transport's offer/answer state (the server always offers, so there is no glare): which
 * m-line (slot) carries which subscription, at most one offer outstanding, and changes made meanwhile
 * going into the next one. A slot whose track left turns inactive and is reused for a later track of
 * the same kind once no outstanding offer still shows it. Media thread, except {@link #offeredSlots}.
 */
public final class SubscribeNegotiator {

    /** Where an offer goes: the subscriber writes it as SDP with its transport's parameters. */
    @FunctionalInterface
    public interface Offerer {
        void offer(List<SubscribeSlot> slots);
    }

    /** One m-line of the subscribe transport. */
    private static final class Slot {
        final String mid;
        final MediaKind kind;
        Subscription subscription;

        Slot(String mid, MediaKind kind) {
            this.mid = mid;
            this.kind = kind;
        }
    }

    private final Offerer offerer;
    private final List<Slot> slots = new ArrayList<>();
    /** The subscriptions in slots now, accepted or not: what the per-tick loops walk. */
    private final ArrayList<Subscription> subscriptions = new ArrayList<>();
    private boolean outstanding;
    private boolean pending;
    /** The slots of the outstanding offer; read by any thread to check an answer. */
    private volatile List<SubscribeSlot> offered = List.of();

    public SubscribeNegotiator(Offerer offerer) {
        this.offerer = offerer;
    }

    /** Puts a new subscription in a free slot of its kind, or a new one, and offers it. */
    public void add(Subscription subscription) {
        MediaKind kind = subscription.track().kind();
        Slot slot = null;
        for (Slot s : slots) {
            if (s.subscription == null && s.kind == kind && !stillOffered(s.mid)) {
                slot = s;
                break;
            }
        }
        if (slot == null) {
            slot = new Slot(Integer.toString(slots.size()), kind);
            slots.add(slot);
        }
        slot.subscription = subscription;
        subscriptions.add(subscription);
        renegotiate();
    }

    /**
     * Frees the slot of the subscription to a track that left, and offers that.
     *
     * @return the subscription it held, or null
     */
    public Subscription remove(Track track) {
        for (Slot slot : slots) {
            if (slot.subscription != null && slot.subscription.track() == track) {
                Subscription removed = slot.subscription;
                slot.subscription = null;
                subscriptions.remove(removed);
                renegotiate();
                return removed;
            }
        }
        return null;
    }

    /** Every subscription, for closing: the slots are emptied, no offer is made. */
    public List<Subscription> clear() {
        List<Subscription> all = new ArrayList<>(subscriptions);
        for (Slot slot : slots) {
            slot.subscription = null;
        }
        subscriptions.clear();
        return all;
    }

    /** Offers now, or after the answer to the outstanding offer. */
    public void renegotiate() {
        if (outstanding) {
            pending = true;
        } else {
            sendOffer();
        }
    }

    /**
     * Offers now even if an offer is outstanding: that one is dropped (an answer to it is stale) and the
     * changes waiting for its answer go into this one. Nothing happens before the first offer.
     */
    public void reoffer() {
        if (!offered.isEmpty()) {
            sendOffer();
        }
    }

    /** The slots of the latest offer (empty before the first); any thread, to parse an answer against. */
    public List<SubscribeSlot> offeredSlots() {
        return offered;
    }

    /** The snapshot an answer was parsed against: whether it answers the current offer. */
    public boolean isCurrent(List<SubscribeSlot> answered) {
        return outstanding && answered == offered;
    }

    /**
     * The client answered the current offer, accepting {@code acceptedMids}: marks those subscriptions
     * accepted, sends the offer that waited, if any.
     *
     * @return the subscriptions accepted by this answer that were not before (they start forwarding)
     */
    public List<Subscription> onAnswer(Set<String> acceptedMids) {
        List<Subscription> started = new ArrayList<>();
        if (!outstanding) {
            return started;
        }
        outstanding = false;
        for (SubscribeSlot o : offered) {
            if (o.track() == null || !acceptedMids.contains(o.mid())) {
                continue;
            }
            for (Slot slot : slots) {
                Subscription s = slot.subscription;
                if (slot.mid.equals(o.mid()) && s != null && !s.accepted()
                        && s.track().trackId().equals(o.track().trackId())) {
                    s.setAccepted(true);
                    started.add(s);
                }
            }
        }
        if (pending) {
            sendOffer();
        }
        return started;
    }

    /** The subscription whose outgoing SSRC this is, or null. */
    public Subscription bySsrc(int ssrc) {
        for (int i = 0; i < subscriptions.size(); i++) {
            if (subscriptions.get(i).ssrc() == ssrc) {
                return subscriptions.get(i);
            }
        }
        return null;
    }

    /** The subscriptions in slots now; iterate by index, do not change. */
    public ArrayList<Subscription> subscriptions() {
        return subscriptions;
    }

    /** True while the outstanding offer still shows this mid carrying a track: it cannot be reused yet. */
    private boolean stillOffered(String mid) {
        if (!outstanding) {
            return false;
        }
        for (SubscribeSlot s : offered) {
            if (s.mid().equals(mid) && s.track() != null) {
                return true;
            }
        }
        return false;
    }

    private void sendOffer() {
        List<SubscribeSlot> snapshot = new ArrayList<>(slots.size());
        for (Slot slot : slots) {
            Subscription s = slot.subscription;
            if (s == null) {
                snapshot.add(new SubscribeSlot(slot.mid, slot.kind, null));
                continue;
            }
            Track t = s.track();
            MediaFormat format = MediaFormat.canonical(t.format().codec(), t.format().fmtp());
            snapshot.add(new SubscribeSlot(slot.mid, slot.kind, new SubscribeSlot.OfferedTrack(t.endpointId(),
                    t.streamId(), t.trackId(), format, Integer.toUnsignedLong(s.ssrc()),
                    format.rtxPayloadType() >= 0 ? Integer.toUnsignedLong(s.rtxSsrc()) : -1)));
        }
        offered = List.copyOf(snapshot);
        outstanding = true;
        pending = false;
        offerer.offer(offered);
    }
}
