package dev.sfu.core.metrics;

import dev.sfu.core.data.DataCounters;
import dev.sfu.core.media.CacheBudget;
import dev.sfu.core.transport.TransportCounters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The SFU core's meters: conferences, endpoints, tracks, packets and drops. */
public final class SfuMetrics {
    private final AtomicInteger conferences = new AtomicInteger();
    private final AtomicInteger endpoints = new AtomicInteger();
    private final AtomicInteger tracks = new AtomicInteger();
    private final TransportCounters transports;
    private final Counter keyframeRequests;
    private final Counter keyframeRequestsRefused;
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
    private final DataCounters data = new DataCounters();
    private final CacheBudget cacheBudget;
    private final java.util.Map<String, Counter> nackRefused = new java.util.concurrent.ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final DistributionSummary receiverJitter;
    private final DistributionSummary receiverFractionLost;
    private final DistributionSummary receiverRoundTrip;

    public SfuMetrics(MeterRegistry registry) {
        this(registry, CacheBudget.DEFAULT_BYTES);
    }

    /** @param packetCacheBytes the packet-cache memory of the whole process */
    public SfuMetrics(MeterRegistry registry, long packetCacheBytes) {
        this.cacheBudget = new CacheBudget(packetCacheBytes);
        this.registry = registry;
        Gauge.builder("sfu.conferences", conferences, AtomicInteger::get).register(registry);
        Gauge.builder("sfu.endpoints", endpoints, AtomicInteger::get).register(registry);
        Gauge.builder("sfu.tracks", tracks, AtomicInteger::get).register(registry);
        transports = new TransportCounters(registry);
        keyframeRequests = Counter.builder("sfu.keyframe.requests").description("PLIs sent to publishers")
                .register(registry);
        keyframeRequestsRefused = Counter.builder("sfu.keyframe.requests.refused")
                .description("subscribers' PLI/FIR beyond their budget (5/s, bursts of 10), not acted on")
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
        downlinkEstimate = DistributionSummary.builder("sfu.downlink.estimate").baseUnit("bits_per_second")
                .description("each subscribe transport's bandwidth estimate, recorded every 250 ms").register(registry);
        layerSwitches = Counter.builder("sfu.layer.switches")
                .description("subscriptions switched to another simulcast layer (at its keyframe)").register(registry);
        downlinkProbes = Counter.builder("sfu.downlink.probes")
                .description("bandwidth probe clusters sent to subscribers").register(registry);
        FunctionCounter.builder("sfu.data.messages.received", data, DataCounters::messagesIn)
                .description("data-channel messages endpoints sent to the relay").register(registry);
        FunctionCounter.builder("sfu.data.received", data, DataCounters::bytesIn).baseUnit("bytes")
                .description("data-channel bytes endpoints sent to the relay").register(registry);
        FunctionCounter.builder("sfu.data.messages.relayed", data, DataCounters::messagesOut)
                .description("data-channel messages handed to receivers (one per receiver)").register(registry);
        for (DataCounters.Refusal why : DataCounters.Refusal.values()) {
            FunctionCounter.builder("sfu.data.messages.refused", data, d -> d.refused(why)).tag("reason", why.tag)
                    .description("data-channel messages not relayed (or channels closed), by reason").register(registry);
        }
        for (String reason : new String[] {"duplicate", "budget", "too-many-items"}) {
            nackRefused(reason);
        }
        Gauge.builder("sfu.packet.cache", cacheBudget, CacheBudget::reservedBytes).baseUnit("bytes")
                .description("memory the packet caches hold (NACK answers), against a process-wide budget")
                .register(registry);
        FunctionCounter.builder("sfu.packet.cache.refused", cacheBudget, CacheBudget::refusals)
                .description("cache slots not allocated because the process-wide budget was spent").register(registry);
        receiverJitter = DistributionSummary.builder("sfu.subscriber.jitter").baseUnit("seconds")
                .description("interarrival jitter subscribers report in their receiver reports, per stream")
                .serviceLevelObjectives(0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5).register(registry);
        receiverFractionLost = DistributionSummary.builder("sfu.subscriber.fraction.lost")
                .description("fraction of packets lost on the way to subscribers, from their receiver reports")
                .serviceLevelObjectives(0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5).register(registry);
        receiverRoundTrip = DistributionSummary.builder("sfu.subscriber.round.trip").baseUnit("seconds")
                .description("round trip to subscribers, from their receiver reports on our sender reports")
                .serviceLevelObjectives(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0).register(registry);
        pacerDropped = Counter.builder("sfu.pacer.dropped")
                .description("video packets dropped because a subscriber's pacer queue was full").register(registry);
    }

    public AtomicInteger conferences() {
        return conferences;
    }

    public AtomicInteger endpoints() {
        return endpoints;
    }

    public AtomicInteger tracks() {
        return tracks;
    }

    public TransportCounters transports() {
        return transports;
    }

    public Counter keyframeRequests() {
        return keyframeRequests;
    }

    public Counter keyframeRequestsRefused() {
        return keyframeRequestsRefused;
    }

    public Counter packetsLost() {
        return packetsLost;
    }

    public Counter nacksReceived() {
        return nacksReceived;
    }

    public Counter nacksSent() {
        return nacksSent;
    }

    public Counter packetsRecovered() {
        return packetsRecovered;
    }

    public Counter downlinkFeedbackReceived() {
        return downlinkFeedbackReceived;
    }

    public Counter downlinkFeedbackLost() {
        return downlinkFeedbackLost;
    }

    public Counter retransmissions() {
        return retransmissions;
    }

    public Counter packetsUnroutable() {
        return packetsUnroutable;
    }

    public DistributionSummary downlinkEstimate() {
        return downlinkEstimate;
    }

    public Counter layerSwitches() {
        return layerSwitches;
    }

    public Counter downlinkProbes() {
        return downlinkProbes;
    }

    /** Subscriber NACK items or packets not answered, by reason (duplicate, budget, too-many-items). */
    public Counter nackRefused(String reason) {
        Counter c = nackRefused.get(reason);
        return c != null ? c : nackRefused.computeIfAbsent(reason, r -> Counter.builder("sfu.nack.refused").tag("reason", r)
                .description("NACKed packets a subscriber asked for and the server did not resend, by reason")
                .register(registry));
    }

    /** The memory all packet caches of the process share. */
    public CacheBudget cacheBudget() {
        return cacheBudget;
    }

    /** The data-channel relays' counts. */
    public DataCounters data() {
        return data;
    }

    public DistributionSummary receiverJitter() {
        return receiverJitter;
    }

    public DistributionSummary receiverFractionLost() {
        return receiverFractionLost;
    }

    public DistributionSummary receiverRoundTrip() {
        return receiverRoundTrip;
    }

    public Counter pacerDropped() {
        return pacerDropped;
    }
}
