package dev.sfu.signaling;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sfu.core.ConferenceService;
import dev.sfu.core.EndpointHandle;
import dev.sfu.core.EndpointListener;
import dev.sfu.core.Participant;
import dev.sfu.core.SignalingException;
import dev.sfu.core.Sfu;
import dev.sfu.core.SfuConfig;
import dev.sfu.core.transport.TransportRole;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzz target (Jazzer) for the signaling protocol: one client's WebSocket conversation
 * with a real SFU core. It lives in this package because {@link SignalingSession} is package-private;
 * the other parsers' targets are in {@code dev.sfu.signaling.fuzz.ParserFuzzTargets}.
 *
 * <p>Each input is a conversation: its lines are successive text frames to one session, made as the
 * server makes it ({@link SignalingSessionFactory}); then the connection closes. An input that starts
 * with {@code !} talks to a server that requires a join token (HS256 secret {@link #AUTH_SECRET}).
 * The oracle is the server's own catch-all: a reply with error code {@code internal} means a
 * RuntimeException escaped the code that handles the message, and that is a finding. Every reply must
 * also be a JSON object with a {@code type}.
 *
 * <p>Inputs to replay: {@code src/test/resources/dev/sfu/signaling/SignalingFuzzTargetsInputs/signalingMessage/}.
 */
class SignalingFuzzTargets {
    static final String AUTH_SECRET = "fuzz-secret";
    private static final long WAIT_NANOS = Duration.ofSeconds(5).toNanos();

    /** One small SFU core on loopback for every input of the run (starting one costs about a second). */
    private static Sfu sfu;
    private static final AtomicInteger pendingOffers = new AtomicInteger();
    private static SignalingSessionFactory open;
    private static SignalingSessionFactory authenticated;

    private static synchronized void start() throws Exception {
        if (sfu != null) {
            return;
        }
        if (System.getenv("JAZZER_FUZZ") != null) {
            // Fuzzing joins and leaves thousands of times; each would log a few INFO lines.
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.sfu"))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
        }
        sfu = Sfu.start(SfuConfig.loopback().toBuilder().maxEndpointsPerConference(4).maxConferences(8).mediaThreads(1).build(),
                new SimpleMeterRegistry());
        ConferenceService tracked = new TrackedConferences(sfu);
        IceServers iceServers = new IceServers(List.of("stun:stun.example.org:3478", "turn:turn.example.org:3478"),
                "turn-secret", Duration.ofHours(1), Clock.systemUTC());
        SignalingMetrics metrics = new SignalingMetrics(new SimpleMeterRegistry());
        // No rate limit that a fast fuzzer would hit: the limiter answers bad-request, which hides the rest.
        open = new SignalingSessionFactory(tracked, iceServers, new JoinAuthorizer((String) null, Clock.systemUTC()), metrics,
                1_000_000, new AtomicBoolean(), noResume(metrics));
        authenticated = new SignalingSessionFactory(tracked, iceServers,
                new JoinAuthorizer(AUTH_SECRET, Clock.systemUTC()), metrics, 1_000_000, new AtomicBoolean(), noResume(metrics));
    }

    /** Resumption off: a fuzzed session's end is a leave, so nothing waits on timers between runs. */
    private static ResumeRegistry noResume(SignalingMetrics metrics) {
        return new ResumeRegistry(java.time.Duration.ZERO, (delay, task) -> () -> { }, metrics);
    }

    @AfterAll
    static synchronized void stop() {
        if (sfu != null) {
            sfu.close();
            sfu = null;
        }
    }

    @FuzzTest(maxDuration = "10s")
    @DictionaryFile(resourcePath = "signaling.dict")
    void signalingMessage(byte[] input) throws Exception {
        start();
        String text = new String(input, StandardCharsets.UTF_8);
        SignalingSessionFactory factory = open;
        if (text.startsWith("!")) {
            factory = authenticated;
            text = text.substring(1);
        }
        RecordingConnection connection = new RecordingConnection();
        SignalingSession session = factory.create(connection);
        for (String frame : text.split("\n", -1)) {
            if (connection.closed) {
                break; // the server closed the socket: nothing more arrives
            }
            // As SignalingHandler does with a text frame.
            if (frame.getBytes(StandardCharsets.UTF_8).length > 64 * 1024) {
                session.onInvalidFrame("a message may be at most 64 KiB");
            } else {
                session.onMessage(frame);
            }
        }
        // Publish offers are answered from a media thread: wait for those replies before judging.
        awaitZero(pendingOffers);
        session.onClose(false); // a drop: with resumption off it is a leave too
        awaitNoConferences();

        List<String> sent;
        synchronized (connection.sent) {
            sent = new ArrayList<>(connection.sent);
        }
        for (String json : sent) {
            JsonNode reply;
            try {
                reply = SignalingSession.JSON.readTree(json);
            } catch (JsonProcessingException e) {
                throw new AssertionError("the server sent something that is not JSON: " + json, e);
            }
            if (reply == null || !reply.isObject() || !reply.path("type").isTextual()) {
                throw new AssertionError("the server sent a message without a type: " + json);
            }
            if (reply.path("type").asText().equals("error") && reply.path("code").asText().equals("internal")) {
                throw new AssertionError("internal error (a RuntimeException escaped) for the conversation\n"
                        + text + "\nreplies:\n" + String.join("\n", sent));
            }
        }
    }

    private static void awaitZero(AtomicInteger counter) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (counter.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(counter.get() + " publish offers unanswered after 5 s");
            }
            Thread.sleep(1);
        }
    }

    /** Leaving is asynchronous; the next input should find the server as empty as the first did. */
    private static void awaitNoConferences() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!sfu.conferences().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    /** What the WebSocket would carry to the client, in order. */
    private static final class RecordingConnection implements SignalingSession.Connection {
        final List<String> sent = new ArrayList<>();
        volatile boolean closed;

        @Override
        public void send(String json) {
            synchronized (sent) {
                sent.add(json);
            }
        }

        @Override
        public void close(int code, String reason) {
            closed = true;
        }
    }

    /**
     * The SFU as the signaling layer sees it, with each publish offer counted until its reply has been
     * sent: the session's reply callback runs inside {@code complete}, before the count goes down.
     */
    private static final class TrackedConferences implements ConferenceService {
        private final ConferenceService sfu;

        TrackedConferences(ConferenceService sfu) {
            this.sfu = sfu;
        }

        @Override
        public EndpointHandle join(String conferenceId, String displayName, EndpointListener listener)
                throws SignalingException {
            EndpointHandle e = sfu.join(conferenceId, displayName, listener);
            return new EndpointHandle() {
                @Override
                public String endpointId() {
                    return e.endpointId();
                }

                @Override
                public String conferenceId() {
                    return e.conferenceId();
                }

                @Override
                public List<Participant> participantsAtJoin() {
                    return e.participantsAtJoin();
                }

                @Override
                public CompletionStage<String> publishOffer(String sdp) {
                    pendingOffers.incrementAndGet();
                    CompletableFuture<String> reply = new CompletableFuture<>();
                    e.publishOffer(sdp).whenComplete((answer, failure) -> {
                        try {
                            if (failure == null) {
                                reply.complete(answer);
                            } else {
                                reply.completeExceptionally(failure);
                            }
                        } finally {
                            pendingOffers.decrementAndGet();
                        }
                    });
                    return reply;
                }

                @Override
                public List<Participant> participants() {
                    return e.participants();
                }

                @Override
                public void resendSubscribeOffer() throws SignalingException {
                    e.resendSubscribeOffer();
                }

                @Override
                public void subscribeAnswer(String sdp) throws SignalingException {
                    e.subscribeAnswer(sdp);
                }

                @Override
                public void remoteCandidate(TransportRole transport, String candidate, String sdpMid, Integer sdpMLineIndex)
                        throws SignalingException {
                    e.remoteCandidate(transport, candidate, sdpMid, sdpMLineIndex);
                }

                @Override
                public void receiverConstraints(int defaultMaxHeight, Map<String, Integer> perEndpointMaxHeight) {
                    e.receiverConstraints(defaultMaxHeight, perEndpointMaxHeight);
                }

                @Override
                public void restartIce(TransportRole transport) throws SignalingException {
                    e.restartIce(transport);
                }

                @Override
                public void leave() {
                    e.leave();
                }
            };
        }

        @Override
        public List<ConferenceSummary> conferences() {
            return sfu.conferences();
        }
    }
}
