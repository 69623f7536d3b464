package dev.sfu.core;

import dev.sfu.ice.IceConfig;
import java.util.Objects;

/**
 * Everything the SFU core needs to start. The signaling layer builds it from its configuration file and
 * environment (where the server's defaults live: signaling-api's {@code sfu-defaults.conf}); tests build
 * it from {@link #loopback()}. Changed through {@link #toBuilder()}, which carries every field, so that
 * setting one can never reset another.
 *
 * @param ice the media port: bind address, UDP and ICE-TCP ports, advertised addresses, STUN, consent
 * @param maxEndpointsPerConference a join beyond this gets {@code conference-full}
 * @param maxConferences a join that would create one more conference beyond this gets {@code conference-full}
 * @param mediaThreads number of media threads (conferences are spread over them)
 * @param lastN forward the video of only this many most recent dominant speakers to each endpoint
 *     (0 = every video)
 * @param tuning sizes and periods of the media path
 * @param limits what one participant may make the server hold, and the process at most
 * @param conferenceMetrics register gauges per conference (a Prometheus series per live conference)
 */
public record SfuConfig(
        IceConfig ice,
        int maxEndpointsPerConference,
        int maxConferences,
        int mediaThreads,
        int lastN,
        MediaTuning tuning,
        ResourceLimits limits,
        boolean conferenceMetrics) {

    public SfuConfig {
        Objects.requireNonNull(ice, "ice");
        Objects.requireNonNull(tuning, "tuning");
        Objects.requireNonNull(limits, "limits");
        if (lastN < 0) {
            throw new IllegalArgumentException("lastN must be >= 0 (0 = off)");
        }
        if (maxEndpointsPerConference < 1 || maxConferences < 1 || mediaThreads < 1) {
            throw new IllegalArgumentException("maxEndpointsPerConference, maxConferences and mediaThreads must be >= 1");
        }
    }

    /** Starts from 50 per conference, 1000 conferences, a thread per CPU, no last-N, the tuned sizes. */
    public static Builder builder() {
        return new Builder();
    }

    /** For tests: media on 127.0.0.1 at an ephemeral port, advertised as 127.0.0.1, two media threads. */
    public static SfuConfig loopback() {
        return builder().ice(IceConfig.loopback(0)).mediaThreads(2).build();
    }

    /** A builder holding every setting of this one. */
    public Builder toBuilder() {
        return new Builder().ice(ice).maxEndpointsPerConference(maxEndpointsPerConference)
                .maxConferences(maxConferences).mediaThreads(mediaThreads).lastN(lastN).tuning(tuning).limits(limits)
                .conferenceMetrics(conferenceMetrics);
    }

    /** Collects settings; {@link #build()} checks them. */
    public static final class Builder {
        private IceConfig ice = IceConfig.builder().build();
        private int maxEndpointsPerConference = 50;
        private int maxConferences = 1000;
        private int mediaThreads = Runtime.getRuntime().availableProcessors();
        private int lastN;
        private MediaTuning tuning = MediaTuning.DEFAULT;
        private ResourceLimits limits = ResourceLimits.DEFAULT;
        private boolean conferenceMetrics;

        private Builder() {
        }

        public Builder ice(IceConfig v) {
            ice = v;
            return this;
        }

        public Builder maxEndpointsPerConference(int v) {
            maxEndpointsPerConference = v;
            return this;
        }

        public Builder maxConferences(int v) {
            maxConferences = v;
            return this;
        }

        public Builder mediaThreads(int v) {
            mediaThreads = v;
            return this;
        }

        public Builder lastN(int v) {
            lastN = v;
            return this;
        }

        public Builder tuning(MediaTuning v) {
            tuning = v;
            return this;
        }

        public Builder limits(ResourceLimits v) {
            limits = v;
            return this;
        }

        public Builder conferenceMetrics(boolean v) {
            conferenceMetrics = v;
            return this;
        }

        public SfuConfig build() {
            return new SfuConfig(ice, maxEndpointsPerConference, maxConferences, mediaThreads, lastN, tuning, limits,
                    conferenceMetrics);
        }
    }
}
