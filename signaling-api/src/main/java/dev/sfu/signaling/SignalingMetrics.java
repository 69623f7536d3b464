package dev.sfu.signaling;

import dev.sfu.core.SignalingException.Code;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Signaling counters: connections, messages, joins, errors by protocol code, and connections a limit
 * refused or closed by reason ({@code sfu_signaling_refused_total{reason}}, docs/security.md).
 */
final class SignalingMetrics {
    /** A limit that refused or closed a signaling connection; the tag is its {@code reason}. */
    enum Limit {
        MAX_CONNECTIONS("max-connections"),
        MAX_CONNECTIONS_PER_ADDRESS("max-connections-per-address"),
        ORIGIN("origin"),
        JOIN_DEADLINE("join-deadline"),
        UNWRITABLE("unwritable"),
        PENDING_BYTES("pending-bytes"),
        FRAME_TOO_LARGE("frame-too-large");

        final String tag;

        Limit(String tag) {
            this.tag = tag;
        }
    }

    /** What became of a dropped endpoint or a resume request; the tag is its {@code result}. */
    enum Resume {
        PARKED("parked"),
        RESUMED("resumed"),
        REFUSED("refused"),
        EXPIRED("expired");

        final String tag;

        Resume(String tag) {
            this.tag = tag;
        }
    }

    private final AtomicInteger connections = new AtomicInteger();
    private final Map<Resume, Counter> resumes = new EnumMap<>(Resume.class);
    private final Counter messages;
    private final Counter joins;
    private final Map<Code, Counter> errors = new EnumMap<>(Code.class);
    private final Map<Limit, Counter> refused = new EnumMap<>(Limit.class);

    SignalingMetrics(MeterRegistry registry) {
        registry.gauge("sfu.signaling.connections", connections);
        messages = Counter.builder("sfu.signaling.messages").register(registry);
        joins = Counter.builder("sfu.signaling.joins").register(registry);
        for (Code c : Code.values()) {
            errors.put(c, Counter.builder("sfu.signaling.errors").tag("code", c.wireName()).register(registry));
        }
        for (Resume r : Resume.values()) {
            resumes.put(r, Counter.builder("sfu.signaling.resumes").tag("result", r.tag)
                    .description("dropped endpoints parked for resumption, and what became of them").register(registry));
        }
        for (Limit l : Limit.values()) {
            refused.put(l, Counter.builder("sfu.signaling.refused").tag("reason", l.tag)
                    .description("signaling connections refused or closed by a limit").register(registry));
        }
    }

    void resume(Resume result) {
        resumes.get(result).increment();
    }

    void connected() {
        connections.incrementAndGet();
    }

    void disconnected() {
        connections.decrementAndGet();
    }

    void messageReceived() {
        messages.increment();
    }

    void joined() {
        joins.increment();
    }

    void refused(Limit limit) {
        refused.get(limit).increment();
    }

    double refusedCount(Limit limit) {
        return refused.get(limit).count();
    }

    int connections() {
        return connections.get();
    }

    void error(Code code) {
        errors.get(code).increment();
    }
}
