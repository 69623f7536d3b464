package dev.sfu.rtp.bench;

import dev.sfu.rtp.rtcp.TransportCcFeedback;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Building one transport-cc feedback for 100 packets, as the receive side does every ~50 ms per peer: mostly
 * 1 ms apart (one-byte deltas), every 10th 100 ms late and every 17th reordered 2 ms early (two-byte
 * deltas), every 7th lost. Parsing the same packet back (the sender side) for comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TransportCcFeedbackBenchmark {
    static final int PACKETS = 100;
    private final long[] arrivals = new long[PACKETS];
    private final long[] parsed = new long[PACKETS];
    private final byte[] out = new byte[1500];
    private final byte[] feedback = new byte[1500];
    private int feedbackLength;
    private int feedbackCount;

    @Setup
    public void setUp() {
        long t = 1_000_000;
        for (int i = 0; i < PACKETS; i++) {
            if (i % 10 == 9) {
                t += 100_000;       // 400 x 250 us: two-byte delta
            } else if (i % 17 == 5) {
                t -= 2_000;         // negative: two-byte delta
            } else {
                t += 1_000;         // 4 x 250 us: one-byte delta
            }
            arrivals[i] = i > 0 && i % 7 == 0 ? TransportCcFeedback.NOT_RECEIVED : t;
        }
        feedbackLength = TransportCcFeedback.write(feedback, 0, 1, 2, 65500, arrivals, PACKETS, 0);
        if (feedbackLength <= 0 || TransportCcFeedback.parse(feedback, 0, feedbackLength, parsed) != PACKETS) {
            throw new IllegalStateException("feedback did not round-trip");
        }
    }

    @Benchmark
    public int build100() {
        return TransportCcFeedback.write(out, 0, 0x11111111, 0x22222222, 65500, arrivals, PACKETS, feedbackCount++ & 0xff);
    }

    @Benchmark
    public long parse100() {
        return TransportCcFeedback.parse(feedback, 0, feedbackLength, parsed) + parsed[PACKETS - 1];
    }
}
