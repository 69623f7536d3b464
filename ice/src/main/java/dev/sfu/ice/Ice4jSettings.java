package dev.sfu.ice;

import java.time.Duration;
import java.util.logging.Level;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * ice4j reads its settings (Typesafe config, overridable by system properties) once, when its classes
 * first load: this sets them before that. Without it the first Agent probes the AWS metadata address,
 * link-local addresses become candidates, and the UDP receive buffer is too small for a burst.
 */
final class Ice4jSettings {
    private static boolean applied;

    private Ice4jSettings() {
    }

    static synchronized void apply(Duration consentTimeout) {
        if (applied) {
            return;
        }
        applied = true;
        setIfAbsent("ice4j.harvest.mapping.aws.enabled", "false");
        setIfAbsent("ice4j.harvest.use-link-local-addresses", "false");
        setIfAbsent("ice4j.harvest.use-ipv6", "false");
        setIfAbsent("ice4j.harvest.udp.receive-buffer-size", "4194304");
        setIfAbsent("ice4j.harvest.timeout", "2 seconds");
        // At least two: ice4j sets SO_REUSEADDR on its sockets only when it has more than one, and the
        // media port's own sending socket (UdpSendSocket) shares the port with them that way.
        setIfAbsent("ice4j.harvest.udp.socket-pool-size",
                Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
        // Consent freshness (RFC 7675): a check every few seconds; the transport fails after the timeout.
        long timeoutMillis = consentTimeout.toMillis();
        long intervalMillis = Math.max(500, Math.min(5000, timeoutMillis / 6));
        long retransmissions = Math.max(2, timeoutMillis / 500);
        setIfAbsent("ice4j.consent-freshness.interval", intervalMillis + " milliseconds");
        setIfAbsent("ice4j.consent-freshness.original-wait-interval", "500 milliseconds");
        setIfAbsent("ice4j.consent-freshness.max-wait-interval", "500 milliseconds");
        setIfAbsent("ice4j.consent-freshness.max-retransmissions", Long.toString(retransmissions));
        setIfAbsent("ice4j.consent-freshness.randomize-interval", "false");
        // Packets of the shared port are pushed to their transport instead of queued for a reader thread.
        AbstractUdpListener.USE_PUSH_API = true;
        // ...into pooled buffers: SRTP/SRTCP ones come back from the media thread, the rest at once.
        Ice4jBufferPool.install();
        // ice4j logs through java.util.logging: route it to SLF4J and keep it quiet.
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        java.util.logging.Logger.getLogger("org.ice4j").setLevel(Level.WARNING);
        java.util.logging.Logger.getLogger("org.jitsi").setLevel(Level.WARNING);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
