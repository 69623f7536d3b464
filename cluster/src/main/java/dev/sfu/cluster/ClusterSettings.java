package dev.sfu.cluster;

import java.time.Duration;
import java.util.List;

/**
 * How a node takes part in a cluster.
 *
 * @param redisUrl redis://[:password@]host:port[/db]
 * @param nodeId this node's name, unique in the cluster
 * @param publicUrl the WebSocket URL clients reach this node at (ws[s]://host:port/ws), given in redirects
 * @param mediaAddresses the addresses this node advertises for media (each node needs its own)
 * @param region free text, reported in the registry
 * @param version the server's version, reported in the registry
 * @param heartbeat how often the node writes its record and renews its leases
 * @param recordTtl a node whose record is older than this is gone
 * @param leaseTtl a conference whose owner stopped renewing is free again after this
 * @param capacityPacketsPerSecond forwarded packets a second at which the node counts as fully stressed
 * @param maxEndpoints endpoints at which the node counts as fully stressed
 * @param fullStress from this stress on, a node gets no new conference
 * @param keyPrefix prefix of every Redis key, so clusters can share one Redis
 */
public record ClusterSettings(String redisUrl, String nodeId, String publicUrl, List<String> mediaAddresses,
        String region, String version, Duration heartbeat, Duration recordTtl, Duration leaseTtl,
        double capacityPacketsPerSecond, int maxEndpoints, double fullStress, String keyPrefix) {

    public ClusterSettings {
        mediaAddresses = List.copyOf(mediaAddresses);
        if (recordTtl.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("the record expiry must be at least two heartbeats");
        }
        if (leaseTtl.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("the lease expiry must be at least two heartbeats");
        }
    }

    /** The URL a client is sent to for {@code conference} on this node. */
    static String urlFor(String publicUrl, String conference) {
        return publicUrl + (publicUrl.contains("?") ? "&" : "?") + "conference=" + conference;
    }
}
