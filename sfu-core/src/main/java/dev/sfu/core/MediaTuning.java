package dev.sfu.core;

import dev.sfu.core.transport.MediaThread;
import java.time.Duration;

/**
 * Sizes and periods of the media path that an operator may need to change for a larger or smaller
 * machine; every default is the value that was measured and tuned in code (BENCHMARKS.md). The server's
 * file calls them {@code sfu.core.tuning.*} (docs/configuration.md).
 *
 * @param packetRingSize packets waiting for one media thread before the next are dropped and counted
 *     ({@code sfu_packets_dropped_overload_total}); a power of two
 * @param dtlsHandshakeThreads DTLS handshakes in flight at once: Bouncy Castle blocks a thread per handshake
 * @param dtlsHandshakeQueue handshakes waiting for one of those threads; 0 = no bound
 * @param pacerCapacity packets a subscriber's pacer queues before it drops (not yet read by the pacer)
 * @param pacerTick how often a conference drains its pacers (not yet read by the conference)
 * @param feedbackInterval how often a conference sends transport-cc feedback and receiver reports (not yet
 *     read by the conference)
 * @param keyframeRequestInterval the shortest time between two keyframe requests for one track (not yet
 *     read by the endpoint)
 */
public record MediaTuning(int packetRingSize, int dtlsHandshakeThreads, int dtlsHandshakeQueue, int pacerCapacity,
        Duration pacerTick, Duration feedbackInterval, Duration keyframeRequestInterval) {

    /** The values the code was tuned with. */
    public static final MediaTuning DEFAULT = new MediaTuning(MediaThread.DEFAULT_RING_SIZE, 256, 1024, 128, Duration.ofMillis(5),
            Duration.ofMillis(50), Duration.ofMillis(300));

    public MediaTuning {
        if (packetRingSize < 2 || Integer.bitCount(packetRingSize) != 1) {
            throw new IllegalArgumentException("packetRingSize must be a power of two >= 2");
        }
        if (dtlsHandshakeThreads < 1 || dtlsHandshakeQueue < 0) {
            throw new IllegalArgumentException("dtlsHandshakeThreads must be >= 1, dtlsHandshakeQueue >= 0");
        }
        if (pacerCapacity < 2 || Integer.bitCount(pacerCapacity) != 1) {
            throw new IllegalArgumentException("pacerCapacity must be a power of two >= 2");
        }
        for (Duration d : new Duration[] {pacerTick, feedbackInterval, keyframeRequestInterval}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("tuning periods must be positive");
            }
        }
    }
}
