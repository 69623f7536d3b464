package dev.sfu.signaling;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What operators read: the build's identity in /metrics, and JSON logs (docs/operations.md). */
final class Operations {
    private Operations() {
    }

    /** The version of the running build: the jar's manifest, or "dev" when run from classes (tests, IDE). */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** {@code sfu_build_info{version, java} 1}, the Prometheus convention for a build's identity. */
    static void registerBuildInfo(MeterRegistry registry) {
        Gauge.builder("sfu.build.info", () -> 1).tag("version", version())
                .tag("java", System.getProperty("java.version", "unknown"))
                .description("the running build: its version and Java runtime, always 1").register(registry);
    }

    /**
     * Switches every console appender of the root logger to logback's JSON encoder: one JSON object a
     * line, with the MDC ({@code conference}, {@code endpoint}) as fields of {@code mdc}.
     */
    static void useJsonLogs() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: it has its own configuration
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
                useJson(appender);
            }
        }
    }

    /** Gives one appender the JSON encoder (restarting it around the change). */
    static void useJson(OutputStreamAppender<ILoggingEvent> appender) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(appender.getContext());
        encoder.start();
        appender.stop();
        appender.setEncoder(encoder);
        appender.start();
    }
}
