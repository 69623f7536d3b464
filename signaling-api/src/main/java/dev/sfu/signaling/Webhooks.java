package dev.sfu.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sfu.core.JoinOptions;
import dev.sfu.core.SfuEvents;
import dev.sfu.core.media.MediaKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts the SFU's events to each configured receiver (docs/webhooks.md). The SFU's threads only append
 * to a bounded queue per receiver and return; one daemon thread sends with the JDK's asynchronous
 * HttpClient, one request in flight per receiver, so each receiver gets the events in the order they
 * happened (and so in order per conference). A failed request (transport error or a non-2xx status) is
 * retried with a doubling backoff; after the last attempt, or when the queue is full, the event is
 * dropped and counted.
 */
final class Webhooks implements SfuEvents, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    static final String SIGNATURE_HEADER = "Webhook-Signature";
    static final String ID_HEADER = "Webhook-Id";
    static final String TIMESTAMP_HEADER = "Webhook-Timestamp";
    private static final long FIRST_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final List<Receiver> receivers = new ArrayList<>();
    private final byte[] secret;
    private final int maxPending;
    private final int maxAttempts;
    private final Duration timeout;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final HttpClient http;
    private final Counter sent;
    private final Counter failedAttempts;
    private final Counter droppedFull;
    private final Counter droppedGaveUp;
    private volatile boolean closed;

    /** One receiver's queue; guarded by itself. */
    private final class Receiver {
        final URI uri;
        final ArrayDeque<Event> queue = new ArrayDeque<>();
        boolean inFlight;
        int attempts;

        Receiver(URI uri) {
            this.uri = uri;
        }
    }

    /** An event as sent: its id, timestamp (Unix seconds) and body. */
    record Event(String id, long timestamp, String body) {
    }

    Webhooks(ServerConfig.Ops ops, MeterRegistry registry, Clock clock) {
        this.secret = ops.webhookSecret() == null ? null : ops.webhookSecret().getBytes(StandardCharsets.UTF_8);
        this.maxPending = ops.webhookMaxPending();
        this.maxAttempts = ops.webhookMaxAttempts();
        this.timeout = ops.webhookTimeout();
        this.clock = clock;
        for (String url : ops.webhookUrls()) {
            receivers.add(new Receiver(URI.create(url)));
        }
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "webhooks");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.thread = t;
        // Only with receivers: an HttpClient starts a selector thread of its own at once.
        this.http = receivers.isEmpty() ? null : HttpClient.newBuilder().connectTimeout(timeout).executor(t).build();
        this.sent = Counter.builder("sfu.webhooks.sent").description("webhook events a receiver accepted (2xx)")
                .register(registry);
        this.failedAttempts = Counter.builder("sfu.webhooks.failed.attempts")
                .description("webhook requests that failed and were retried or given up").register(registry);
        this.droppedFull = Counter.builder("sfu.webhooks.dropped").tag("reason", "queue-full")
                .description("webhook events dropped, by reason").register(registry);
        this.droppedGaveUp = Counter.builder("sfu.webhooks.dropped").tag("reason", "gave-up")
                .description("webhook events dropped, by reason").register(registry);
        Gauge.builder("sfu.webhooks.pending", this, Webhooks::pending).description("webhook events waiting to be sent")
                .register(registry);
    }

    boolean enabled() {
        return !receivers.isEmpty();
    }

    int pending() {
        int n = 0;
        for (Receiver r : receivers) {
            synchronized (r) {
                n += r.queue.size();
            }
        }
        return n;
    }

    // ---- SfuEvents: any thread, never blocks ----

    @Override
    public void conferenceStarted(String conferenceId) {
        emit(event("conference_started", conferenceId));
    }

    @Override
    public void conferenceEnded(String conferenceId) {
        emit(event("conference_ended", conferenceId));
    }

    @Override
    public void participantJoined(String conferenceId, String endpointId, String displayName, JoinOptions options) {
        ObjectNode e = event("participant_joined", conferenceId);
        e.putObject("participant").put("endpointId", endpointId).put("identity", options.identity())
                .put("displayName", displayName).put("hidden", options.hidden()).put("metadata", options.metadata());
        emit(e);
    }

    @Override
    public void participantLeft(String conferenceId, String endpointId, String identity, String reason) {
        ObjectNode e = event("participant_left", conferenceId);
        e.putObject("participant").put("endpointId", endpointId).put("identity", identity);
        e.put("reason", reason);
        emit(e);
    }

    @Override
    public void trackPublished(String conferenceId, String endpointId, String trackId, MediaKind kind, String source) {
        emit(track("track_published", conferenceId, endpointId, trackId, kind, source));
    }

    @Override
    public void trackUnpublished(String conferenceId, String endpointId, String trackId, MediaKind kind, String source) {
        emit(track("track_unpublished", conferenceId, endpointId, trackId, kind, source));
    }

    private ObjectNode track(String type, String conferenceId, String endpointId, String trackId, MediaKind kind,
            String source) {
        ObjectNode e = event(type, conferenceId);
        e.putObject("participant").put("endpointId", endpointId);
        e.putObject("track").put("trackId", trackId).put("kind", kind.wireName()).put("source", source);
        return e;
    }

    private ObjectNode event(String type, String conferenceId) {
        return SignalingSession.JSON.createObjectNode().put("event", type).put("conference", conferenceId);
    }

    private void emit(ObjectNode e) {
        if (receivers.isEmpty() || closed) {
            return;
        }
        String id = UUID.randomUUID().toString();
        long timestamp = clock.instant().getEpochSecond();
        ObjectNode body = SignalingSession.JSON.createObjectNode().put("id", id).put("timestamp", timestamp);
        body.setAll(e);
        Event event = new Event(id, timestamp, body.toString());
        for (Receiver r : receivers) {
            boolean start;
            synchronized (r) {
                if (r.queue.size() >= maxPending) {
                    droppedFull.increment();
                    continue;
                }
                r.queue.add(event);
                start = !r.inFlight;
                r.inFlight = true;
            }
            if (start) {
                thread.execute(() -> send(r));
            }
        }
    }

    // ---- the webhooks thread ----

    private void send(Receiver r) {
        Event event;
        synchronized (r) {
            event = r.queue.peek();
            if (event == null || closed) {
                r.inFlight = false;
                return;
            }
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(r.uri).timeout(timeout)
                .header("Content-Type", "application/json").header(ID_HEADER, event.id())
                .header(TIMESTAMP_HEADER, Long.toString(event.timestamp()))
                .POST(HttpRequest.BodyPublishers.ofString(event.body()));
        if (secret != null) {
            request.header(SIGNATURE_HEADER, signature(secret, event));
        }
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure == null && response.statusCode() / 100 == 2) {
                sent.increment();
                synchronized (r) {
                    r.queue.poll();
                    r.attempts = 0;
                }
                thread.execute(() -> send(r));
                return;
            }
            failedAttempts.increment();
            long delay;
            synchronized (r) {
                r.attempts++;
                if (r.attempts >= maxAttempts) {
                    LOG.warn("webhook {} to {} given up after {} attempts ({})", event.id(), r.uri.getHost(), r.attempts,
                            failure != null ? failure.getClass().getSimpleName() : "status " + response.statusCode());
                    droppedGaveUp.increment();
                    r.queue.poll();
                    r.attempts = 0;
                    delay = 0;
                } else {
                    delay = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << (r.attempts - 1));
                }
            }
            if (!closed) {
                thread.schedule(() -> send(r), delay, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** {@code v1=} hex HMAC-SHA256 over {@code id.timestamp.body}: binds the body to its id and time. */
    static String signature(byte[] secret, Event event) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] d = mac.doFinal((event.id() + "." + event.timestamp() + "." + event.body()).getBytes(StandardCharsets.UTF_8));
            return "v1=" + HexFormat.of().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops sending: what is still queued is dropped (the server is going away). */
    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
