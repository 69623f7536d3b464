package dev.sfu.signaling;

import dev.sfu.cluster.ClusterNode;
import dev.sfu.cluster.ClusterSettings;
import dev.sfu.cluster.LocalView;
import dev.sfu.cluster.RedisStore;
import dev.sfu.core.ConferenceService;
import dev.sfu.core.Sfu;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes this server a node of the cluster its configuration names (sfu.cluster, SFU_REDIS_URL). */
final class ClusterStart {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStart.class);

    private ClusterStart() {
    }

    static ClusterNode start(ServerConfig config, Sfu sfu, MeterRegistry registry, int httpPort) {
        ServerConfig.Cluster c = config.cluster();
        List<String> media = config.sfu().ice().advertisedAddresses();
        String host = media.isEmpty() ? "127.0.0.1" : media.get(0);
        String publicUrl = c.publicUrl() != null ? c.publicUrl()
                : (config.tlsEnabled() ? "wss://" : "ws://") + hostForUrl(host) + ":" + httpPort + "/ws";
        String nodeId = c.nodeId() != null ? c.nodeId() : hostName() + "-" + httpPort;
        String version = Main.class.getPackage().getImplementationVersion();
        ClusterSettings settings = new ClusterSettings(c.redisUrl(), nodeId, publicUrl, media, c.region(),
                version == null ? "dev" : version, c.heartbeat(), c.recordTtl(), c.leaseTtl(),
                c.capacityPacketsPerSecond(), config.signaling().maxConnections(), c.fullStress(),
                c.keyPrefix());
        ClusterNode node = new ClusterNode(settings, new RedisStore(c.redisUrl(), c.keyPrefix(), c.redisTimeout()),
                localView(sfu), registry, System::nanoTime, new SecureRandom());
        node.start();
        LOG.info("cluster node {} at {} ({})", nodeId, publicUrl, node.redisUp() ? "Redis answers"
                : "Redis does not answer yet: new conferences are refused until it does");
        return node;
    }

    private static LocalView localView(Sfu sfu) {
        return new LocalView() {
            @Override
            public boolean hosts(String conference) {
                for (ConferenceService.ConferenceSummary s : sfu.conferences()) {
                    if (s.conferenceId().equals(conference)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public Map<String, Integer> conferences() {
                Map<String, Integer> m = new HashMap<>();
                for (ConferenceService.ConferenceSummary s : sfu.conferences()) {
                    m.put(s.conferenceId(), s.endpoints().size());
                }
                return m;
            }
        };
    }

    private static String hostForUrl(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "node";
        }
    }
}
