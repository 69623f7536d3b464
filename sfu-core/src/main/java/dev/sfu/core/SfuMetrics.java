package dev.sfu.core;

import dev.sfu.core.transport.TransportCounters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The SFU core's meters: conferences, endpoints, tracks, packets and drops. */
final class SfuMetrics {
    private final AtomicInteger conferences = new AtomicInteger();
    private final AtomicInteger endpoints = new AtomicInteger();
    private final AtomicInteger tracks = new AtomicInteger();
    private final TransportCounters transports;
    private final Counter keyframeRequests;
    private final Counter packetsUnroutable;
    private final Counter nacksReceived;
    private final Counter packetsLost;
    private final Counter retransmissions;
    private final Counter downlinkFeedbackReceived;
    private final Counter nacksSent;
    private final Counter packetsRecovered;
    private final Counter downlinkFeedbackLost;
    private final DistributionSummary downlinkEstimate;
    private final Counter layerSwitches;
    private final Counter downlinkProbes;
    private final Counter pacerDropped;

    SfuMetrics(MeterRegistry registry) {
        Gauge.builder("sfu.conferences", conferences, AtomicInteger::get).register(registry);
        Gauge.builder("sfu.endpoints", endpoints, AtomicInteger::get).register(registry);
        Gauge.builder("sfu.tracks", tracks, AtomicInteger::get).register(registry);
        transports = new TransportCounters(registry);
        keyframeRequests = Counter.builder("sfu.keyframe.requests").description("PLIs sent to publishers")
                .register(registry);
        packetsUnroutable = Counter.builder("sfu.packets.unroutable")
                .description("RTP packets from publishers whose SSRC matches no track").register(registry);
        packetsLost = Counter.builder("sfu.packets.lost")
                .description("publisher packets lost before reaching the server (sequence gaps)").register(registry);
        nacksReceived = Counter.builder("sfu.nacks.received").description("packets subscribers reported lost")
                .register(registry);
        retransmissions = Counter.builder("sfu.retransmissions").description("NACKed packets resent from the cache")
                .register(registry);
        nacksSent = Counter.builder("sfu.nacks.sent").description("packets NACKed to publishers (upstream loss)")
                .register(registry);
        packetsRecovered = Counter.builder("sfu.packets.recovered")
                .description("upstream losses repaired by the publisher's RTX").register(registry);
        downlinkFeedbackReceived = Counter.builder("sfu.downlink.feedback.received")
                .description("packets subscribers' transport-cc feedback reports as received").register(registry);
        downlinkFeedbackLost = Counter.builder("sfu.downlink.feedback.lost")
                .description("packets subscribers' transport-cc feedback reports as lost").register(registry);
        downlinkEstimate = DistributionSummary.builder("sfu.downlink.estimate.bps")
                .description("each subscribe transport's bandwidth estimate, recorded every 250 ms").register(registry);
        layerSwitches = Counter.builder("sfu.layer.switches")
                .description("subscriptions switched to another simulcast layer (at its keyframe)").register(registry);
        downlinkProbes = Counter.builder("sfu.downlink.probes")
                .description("bandwidth probe clusters sent to subscribers").register(registry);
        pacerDropped = Counter.builder("sfu.pacer.dropped")
                .description("video packets dropped because a subscriber's pacer queue was full").register(registry);
    }

    AtomicInteger conferences() {
        return conferences;
    }

    AtomicInteger endpoints() {
        return endpoints;
    }

    AtomicInteger tracks() {
        return tracks;
    }

    TransportCounters transports() {
        return transports;
    }

    Counter keyframeRequests() {
        return keyframeRequests;
    }

    Counter packetsLost() {
        return packetsLost;
    }

    Counter nacksReceived() {
        return nacksReceived;
    }

    Counter nacksSent() {
        return nacksSent;
    }

    Counter packetsRecovered() {
        return packetsRecovered;
    }

    Counter downlinkFeedbackReceived() {
        return downlinkFeedbackReceived;
    }

    Counter downlinkFeedbackLost() {
        return downlinkFeedbackLost;
    }

    Counter retransmissions() {
        return retransmissions;
    }

    Counter packetsUnroutable() {
        return packetsUnroutable;
    }

    DistributionSummary downlinkEstimate() {
        return downlinkEstimate;
    }

    Counter layerSwitches() {
        return layerSwitches;
    }

    Counter downlinkProbes() {
        return downlinkProbes;
    }

    Counter pacerDropped() {
        return pacerDropped;
    }
}
