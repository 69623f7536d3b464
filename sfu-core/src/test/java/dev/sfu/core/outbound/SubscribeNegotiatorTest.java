package dev.sfu.core.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.media.Track;
import dev.sfu.core.sdp.SubscribeSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The subscribe offer/answer state machine, without transports or SDP text. */
class SubscribeNegotiatorTest {
    private final List<List<SubscribeSlot>> offers = new ArrayList<>();
    private final SubscribeNegotiator negotiator = new SubscribeNegotiator(offers::add);
    private int ssrc = 1000;

    private Track track(String endpoint, String kindName) {
        MediaKind kind = MediaKind.ofWireName(kindName);
        Codec codec = kind == MediaKind.AUDIO ? Codec.OPUS : Codec.VP8;
        return new Track(endpoint + "-" + kindName, endpoint, endpoint, kind, kind == MediaKind.AUDIO ? "0" : "1",
                MediaFormat.canonical(codec, ""), List.of(), s -> { });
    }

    private Subscription subscription(Track track) {
        ssrc += 2;
        return new Subscription(track, "me", null, ssrc, ssrc + 1, 0, 0);
    }

    private List<SubscribeSlot> lastOffer() {
        return offers.get(offers.size() - 1);
    }

    @Test
    void atMostOneOfferIsOutstandingAndChangesMeanwhileGoIntoTheNext() {
        Track a = track("alice", "audio");
        Track v = track("alice", "video");
        negotiator.add(subscription(a));
        assertEquals(1, offers.size());
        negotiator.add(subscription(v));
        assertEquals(1, offers.size(), "no second offer while the first is unanswered");
        List<SubscribeSlot> first = lastOffer();
        assertTrue(negotiator.isCurrent(first));
        List<Subscription> started = negotiator.onAnswer(Set.of("0"));
        assertEquals(1, started.size());
        assertSame(a, started.get(0).track());
        assertEquals(2, offers.size(), "the change that waited is offered after the answer");
        assertEquals(2, lastOffer().size());
        assertFalse(negotiator.isCurrent(first), "an answer to the old offer is stale now");
        started = negotiator.onAnswer(Set.of("0", "1"));
        assertEquals(1, started.size(), "the audio subscription was already started");
        assertSame(v, started.get(0).track());
    }

    @Test
    void aReofferReplacesTheOutstandingOfferAndCarriesWhatWaited() {
        negotiator.reoffer();
        assertTrue(offers.isEmpty(), "nothing to offer again before the first offer");
        Track a = track("alice", "audio");
        Track v = track("alice", "video");
        negotiator.add(subscription(a));
        negotiator.add(subscription(v)); // waits for the answer to the first offer
        List<SubscribeSlot> lost = lastOffer();
        negotiator.reoffer(); // the client resumed: it may never have seen the first offer
        assertEquals(2, offers.size());
        assertEquals(2, lastOffer().size(), "the change that waited is in the fresh offer");
        assertFalse(negotiator.isCurrent(lost), "an answer to the replaced offer is stale");
        assertTrue(negotiator.isCurrent(lastOffer()));
        assertEquals(2, negotiator.onAnswer(Set.of("0", "1")).size());
        assertEquals(2, offers.size(), "nothing waited any more");
    }

    @Test
    void aLeftTracksSlotTurnsInactiveAndIsReusedByTheSameKindOnly() {
        Track aliceAudio = track("alice", "audio");
        Track aliceVideo = track("alice", "video");
        negotiator.add(subscription(aliceAudio));
        negotiator.onAnswer(Set.of("0"));
        negotiator.add(subscription(aliceVideo));
        negotiator.onAnswer(Set.of("0", "1"));
        Subscription removed = negotiator.remove(aliceAudio);
        assertSame(aliceAudio, removed.track());
        assertNull(lastOffer().get(0).track(), "m-line 0 is offered inactive");
        assertEquals(2, lastOffer().size(), "m-lines are never removed");
        Track bobVideo = track("bob", "video");
        negotiator.add(subscription(bobVideo)); // waits for the answer
        negotiator.onAnswer(Set.of("1"));
        List<SubscribeSlot> offer = lastOffer();
        assertEquals(3, offer.size(), "video cannot reuse an audio m-line");
        Track bobAudio = track("bob", "audio");
        negotiator.onAnswer(Set.of("1", "2"));
        negotiator.add(subscription(bobAudio));
        assertEquals(3, lastOffer().size(), "audio reuses the inactive audio m-line");
        assertEquals("bob", lastOffer().get(0).track().endpointId());
    }

    @Test
    void aSlotStillShownByTheOutstandingOfferIsNotReused() {
        Track first = track("alice", "audio");
        negotiator.add(subscription(first));
        negotiator.remove(first); // waits: the outstanding offer still shows alice in m-line 0
        negotiator.add(subscription(track("bob", "audio")));
        negotiator.onAnswer(Set.of("0"));
        List<SubscribeSlot> offer = lastOffer();
        assertEquals(2, offer.size(), "bob gets a new m-line: m-line 0 was still offered with alice");
        assertNull(offer.get(0).track());
        assertEquals("bob", offer.get(1).track().endpointId());
    }

    @Test
    void rejectedMlinesDoNotStartAndSsrcLookupFindsSubscriptions() {
        Subscription s = subscription(track("alice", "audio"));
        negotiator.add(s);
        assertTrue(negotiator.onAnswer(Set.of()).isEmpty());
        assertFalse(s.accepted());
        assertSame(s, negotiator.bySsrc(s.ssrc()));
        assertNull(negotiator.bySsrc(12345));
        assertTrue(negotiator.onAnswer(Set.of("0")).isEmpty(), "no offer outstanding: nothing to answer");
    }

    @Test
    void renegotiateOffersAgainOnceTheAnswerIsIn() {
        negotiator.add(subscription(track("alice", "audio")));
        negotiator.renegotiate();
        assertEquals(1, offers.size());
        negotiator.onAnswer(Set.of("0"));
        assertEquals(2, offers.size(), "an ICE restart's offer follows the answer");
        negotiator.onAnswer(Set.of("0"));
        negotiator.renegotiate();
        assertEquals(3, offers.size(), "offered at once when nothing is outstanding");
    }

    @Test
    void clearEmptiesEverySlotWithoutAnOffer() {
        negotiator.add(subscription(track("alice", "audio")));
        negotiator.add(subscription(track("alice", "video")));
        int before = offers.size();
        assertEquals(2, negotiator.clear().size());
        assertTrue(negotiator.subscriptions().isEmpty());
        assertEquals(before, offers.size());
    }
}
