package dev.sfu.signaling;

import dev.sfu.cluster.ClusterNode;
import dev.sfu.core.ConferenceService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the server (SIGTERM, or {@code POST /api/drain}): at once {@code /health} answers 503 and no new
 * conference starts here (in a cluster, the registry says so and placement skips this node), while joins to
 * conferences already here are still taken. Calls go on until they end or the drain timeout passes; then
 * the clients still here are sent to another node ({@code redirect}), or told {@code removed} (drained)
 * when none can take them, and {@link #afterDrain} runs (the process exits).
 */
final class Drainer {
    private static final Logger LOG = LoggerFactory.getLogger(Drainer.class);
    private static final long POLL_MILLIS = 200;

    private final AtomicBoolean draining;
    private final ConferenceService conferences;
    private final ConnectionRoster sessions;
    private final Duration timeout;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile ClusterNode cluster;
    private volatile Runnable afterDrain = () -> { };
    private boolean started;

    Drainer(AtomicBoolean draining, ConferenceService conferences, ConnectionRoster sessions, Duration timeout) {
        this.draining = draining;
        this.conferences = conferences;
        this.sessions = sessions;
        this.timeout = timeout;
    }

    void cluster(ClusterNode node) {
        this.cluster = node;
    }

    /** What happens once drained (Main: the process exits). */
    void afterDrain(Runnable r) {
        this.afterDrain = r;
    }

    /** Starts draining; false if it already had. */
    synchronized boolean start() {
        if (started) {
            return false;
        }
        started = true;
        draining.set(true);
        ClusterNode node = cluster;
        if (node != null) {
            node.drain();
        }
        LOG.info("draining: no new conferences; {} running, waiting for them to end (at most {} s)",
                conferences.conferences().size(), timeout.toSeconds());
        Thread t = new Thread(this::run, "drain");
        t.setDaemon(true);
        t.start();
        return true;
    }

    boolean started() {
        return draining.get();
    }

    /** Waits until drained. */
    void await() throws InterruptedException {
        done.await();
    }

    private void run() {
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !conferences.conferences().isEmpty()) {
                Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            }
            List<ConferenceService.ConferenceSummary> left = conferences.conferences();
            if (!left.isEmpty()) {
                int clients = 0;
                for (ConferenceService.ConferenceSummary c : left) {
                    ClusterNode node = cluster;
                    String url = node == null ? null : node.evacuate(c.conferenceId());
                    clients += sessions.sendAway(c.conferenceId(), url);
                }
                LOG.info("drain deadline: sent {} clients of {} conferences elsewhere", clients, left.size());
                Thread.sleep(300); // the close frames on their way before the ports close
            } else {
                LOG.info("drained: every conference ended");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done.countDown();
        }
        afterDrain.run();
    }
}
