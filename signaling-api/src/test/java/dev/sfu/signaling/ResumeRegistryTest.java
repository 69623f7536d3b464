package dev.sfu.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.EndpointHandle;
import dev.sfu.core.Participant;
import dev.sfu.core.transport.TransportRole;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The grace period's bookkeeping on a timer the test fires by hand. */
class ResumeRegistryTest {
    /** Timers that run only when the test says the time has come. */
    private static final class ManualTimer implements ResumeRegistry.Timer {
        final List<Runnable> due = new ArrayList<>();

        @Override
        public Runnable schedule(Duration delay, Runnable task) {
            Runnable[] self = new Runnable[1];
            self[0] = task;
            due.add(task);
            return () -> due.remove(self[0]);
        }

        void elapse() {
            new ArrayList<>(due).forEach(Runnable::run);
            due.clear();
        }
    }

    /** An endpoint that counts its leaves; nothing else of it is used here. */
    private static final class Endpoint implements EndpointHandle {
        final String id;
        int leaves;

        Endpoint(String id) {
            this.id = id;
        }

        @Override public String endpointId() { return id; }
        @Override public String conferenceId() { return "c"; }
        @Override public List<Participant> participantsAtJoin() { return List.of(); }
        @Override public List<Participant> participants() { return List.of(); }
        @Override public void resendSubscribeOffer() { }
        @Override public CompletionStage<String> publishOffer(String sdp) { throw new UnsupportedOperationException(); }
        @Override public void subscribeAnswer(String sdp) { }
        @Override public void remoteCandidate(TransportRole t, String c, String mid, Integer index) { }
        @Override public void receiverConstraints(int h, Map<String, Integer> perEndpoint) { }
        @Override public void restartIce(TransportRole transport) { }
        @Override public void leave() { leaves++; }
    }

    private final ManualTimer timer = new ManualTimer();
    private final ResumeRegistry registry = new ResumeRegistry(Duration.ofSeconds(15), timer,
            new SignalingMetrics(new SimpleMeterRegistry()));

    @Test
    void aParkedEndpointIsClaimedWithItsTokenBeforeTheGracePeriodEnds() {
        Endpoint e = new Endpoint("e1");
        EndpointRelay relay = new EndpointRelay(() -> registry.forget("e1"));
        String token = registry.register(e, relay);
        assertNotEquals(token, registry.register(new Endpoint("e2"), new EndpointRelay(() -> { })), "tokens are random");
        assertTrue(registry.park("e1"));
        assertEquals(1, registry.parked());
        assertNull(registry.claim("e1", token + "x"), "a wrong token is refused");
        assertNull(registry.claim("e1", ""), "an empty token is refused");
        ResumeRegistry.Resumable taken = registry.claim("e1", token);
        assertNotNull(taken);
        assertSame(e, taken.handle());
        assertSame(relay, taken.relay());
        assertEquals(0, registry.parked());
        assertTrue(timer.due.isEmpty(), "the grace timer is cancelled");
        timer.elapse();
        assertEquals(0, e.leaves);
        assertTrue(registry.park("e1"), "it may drop and be resumed again");
        assertNotNull(registry.claim("e1", token));
    }

    @Test
    void aParkedEndpointLeavesWhenTheGracePeriodEnds() {
        Endpoint e = new Endpoint("e1");
        String token = registry.register(e, new EndpointRelay(() -> { }));
        registry.park("e1");
        timer.elapse();
        assertEquals(1, e.leaves);
        assertEquals(0, registry.parked());
        assertNull(registry.claim("e1", token), "expired");
        assertFalse(registry.park("e1"), "an unknown endpoint is not parked: the caller ends it");
    }

    @Test
    void anEndpointTheServerClosedCannotBeResumed() {
        Endpoint e = new Endpoint("e1");
        EndpointRelay relay = new EndpointRelay(() -> registry.forget("e1"));
        String token = registry.register(e, relay);
        registry.park("e1");
        relay.closed("transport failed");
        assertTrue(timer.due.isEmpty());
        assertNull(registry.claim("e1", token));
        assertEquals(0, e.leaves, "the server ended it already");
    }

    @Test
    void withoutAGracePeriodNothingIsParked() {
        ResumeRegistry off = new ResumeRegistry(Duration.ZERO, timer, new SignalingMetrics(new SimpleMeterRegistry()));
        off.register(new Endpoint("e1"), new EndpointRelay(() -> { }));
        assertFalse(off.enabled());
        assertFalse(off.park("e1"));
        assertTrue(timer.due.isEmpty());
    }
}
