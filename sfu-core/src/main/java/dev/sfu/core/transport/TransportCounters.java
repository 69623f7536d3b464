package dev.sfu.core.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The counters every transport of an SFU instance adds to. */
public final class TransportCounters {
    private final Counter packetsIn;
    private final Counter bytesIn;
    private final Counter packetsOut;
    private final Counter bytesOut;
    private final Counter packetsDropped;
    private final Counter dtlsFailures;
    private final Counter iceFailures;
    private final Timer iceSetup;
    private final Timer dtlsSetup;
    private final Timer joinToFirstPacket;

    public TransportCounters(MeterRegistry registry) {
        packetsIn = Counter.builder("sfu.packets.in").description("RTP packets received and decrypted").register(registry);
        // Named so that Prometheus shows the unit once: sfu_receive_bytes_total, not sfu_bytes_in_bytes_total.
        bytesIn = Counter.builder("sfu.receive").baseUnit("bytes").description("SRTP bytes received and decrypted")
                .register(registry);
        packetsOut = Counter.builder("sfu.packets.out").description("RTP packets forwarded").register(registry);
        bytesOut = Counter.builder("sfu.transmit").baseUnit("bytes").description("SRTP bytes of RTP sent")
                .register(registry);
        packetsDropped = Counter.builder("sfu.packets.dropped")
                .description("packets dropped: not decryptable, not routable, or before DTLS completed")
                .register(registry);
        dtlsFailures = Counter.builder("sfu.dtls.failures")
                .description("DTLS handshakes that failed: timeout, wrong fingerprint, no common profile")
                .register(registry);
        iceFailures = Counter.builder("sfu.ice.failures")
                .description("transports whose ICE failed or whose consent expired").register(registry);
        iceSetup = histogram(registry, "sfu.ice.setup", "from the remote ICE parameters to a connected pair");
        dtlsSetup = histogram(registry, "sfu.dtls.setup", "from ICE connected to DTLS-SRTP keys");
        joinToFirstPacket = histogram(registry, "sfu.join.first.packet",
                "from an endpoint's join to the first RTP packet sent to it");
    }

    private static Timer histogram(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    void iceSetup(long nanos) {
        iceSetup.record(nanos, TimeUnit.NANOSECONDS);
    }

    void dtlsSetup(long nanos) {
        dtlsSetup.record(nanos, TimeUnit.NANOSECONDS);
    }

    void joinToFirstPacket(long nanos) {
        joinToFirstPacket.record(nanos, TimeUnit.NANOSECONDS);
    }

    void countIn(int bytes) {
        packetsIn.increment();
        bytesIn.increment(bytes);
    }

    void countOut(int bytes) {
        packetsOut.increment();
        bytesOut.increment(bytes);
    }

    public Counter packetsDropped() {
        return packetsDropped;
    }

    public Counter iceFailures() {
        return iceFailures;
    }

    public Counter dtlsFailures() {
        return dtlsFailures;
    }
}
