package dev.sfu.core.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The counters every transport of an SFU instance adds to. */
public final class TransportCounters {
    private final Counter packetsIn;
    private final Counter bytesIn;
    private final Counter packetsOut;
    private final Counter bytesOut;
    private final Counter packetsDropped;
    private final Counter dtlsFailures;
    private final Counter iceFailures;

    public TransportCounters(MeterRegistry registry) {
        packetsIn = Counter.builder("sfu.packets.in").description("RTP packets received and decrypted").register(registry);
        bytesIn = Counter.builder("sfu.bytes.in").baseUnit("bytes").register(registry);
        packetsOut = Counter.builder("sfu.packets.out").description("RTP packets forwarded").register(registry);
        bytesOut = Counter.builder("sfu.bytes.out").baseUnit("bytes").register(registry);
        packetsDropped = Counter.builder("sfu.packets.dropped")
                .description("packets dropped: not decryptable, not routable, or before DTLS completed")
                .register(registry);
        dtlsFailures = Counter.builder("sfu.dtls.failures")
                .description("DTLS handshakes that failed: timeout, wrong fingerprint, no common profile")
                .register(registry);
        iceFailures = Counter.builder("sfu.ice.failures")
                .description("transports whose ICE failed or whose consent expired").register(registry);
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
