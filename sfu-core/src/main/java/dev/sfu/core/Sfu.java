package dev.sfu.core;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;

/**
 * The SFU: owns the media port, the media threads and every conference. Under construction: the media
 * path lands in sfu-core; until then a join succeeds and a publish offer is rejected.
 */
public final class Sfu implements ConferenceService, AutoCloseable {

    private Sfu() {
    }

    /** Opens the media port and starts the media threads. */
    public static Sfu start(SfuConfig config, MeterRegistry registry) throws IOException {
        throw new UnsupportedOperationException("sfu-core media path not built yet");
    }

    /** The UDP media port actually bound (useful when the configuration asked for port 0). */
    public int mediaPort() {
        throw new UnsupportedOperationException();
    }

    @Override
    public EndpointHandle join(String conferenceId, String displayName, EndpointListener listener)
            throws SignalingException {
        throw new SignalingException(SignalingException.Code.INTERNAL, "not implemented yet");
    }

    @Override
    public List<ConferenceSummary> conferences() {
        return List.of();
    }

    /** Closes every endpoint (each listener gets {@code closed}), then the media port. */
    @Override
    public void close() {
    }
}
