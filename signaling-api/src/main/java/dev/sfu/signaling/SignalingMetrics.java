package dev.sfu.signaling;

import dev.sfu.core.SignalingException.Code;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Signaling counters: connections, messages, joins and errors by protocol code. */
final class SignalingMetrics {
    private final AtomicInteger connections = new AtomicInteger();
    private final Counter messages;
    private final Counter joins;
    private final Map<Code, Counter> errors = new EnumMap<>(Code.class);

    SignalingMetrics(MeterRegistry registry) {
        registry.gauge("sfu.signaling.connections", connections);
        messages = Counter.builder("sfu.signaling.messages").register(registry);
        joins = Counter.builder("sfu.signaling.joins").register(registry);
        for (Code c : Code.values()) {
            errors.put(c, Counter.builder("sfu.signaling.errors").tag("code", c.wireName()).register(registry));
        }
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

    void error(Code code) {
        errors.get(code).increment();
    }
}
