package dev.sfu.core;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gauges per conference ({@code sfu_conference_participants}, {@code sfu_conference_tracks}, labelled
 * {@code conference}), for operators who want to see one meeting on a dashboard. Every live conference is
 * a series of its own, which is why they exist only when {@link SfuConfig#conferenceMetrics()} is on; a
 * conference's series are removed when it ends, so the count of series follows the live conferences.
 */
final class ConferenceGauges {
    private final MeterRegistry registry;
    /** By conference id: a conference that ends as a new one of the same id starts must not take its series. */
    private final Map<String, Series> series = new ConcurrentHashMap<>();

    private record Series(Conference owner, List<Meter> meters) {
    }

    ConferenceGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    void started(Conference conference) {
        Series previous = series.remove(conference.id());
        if (previous != null) {
            previous.meters().forEach(registry::remove); // bound to the conference that ended
        }
        series.put(conference.id(), new Series(conference, List.of(
                Gauge.builder("sfu.conference.participants", conference, c -> c.participants().size())
                        .tag("conference", conference.id())
                        .description("participants of one conference (sfu.core.conference-metrics)")
                        .register(registry),
                Gauge.builder("sfu.conference.tracks", conference, Conference::trackCount)
                        .tag("conference", conference.id())
                        .description("tracks published in one conference (sfu.core.conference-metrics)")
                        .register(registry))));
    }

    void ended(Conference conference) {
        Series mine = series.get(conference.id());
        if (mine != null && mine.owner() == conference && series.remove(conference.id(), mine)) {
            mine.meters().forEach(registry::remove);
        }
    }
}
