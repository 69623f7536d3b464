package dev.sfu.core.bench;

import dev.sfu.core.bwe.DownlinkEstimator;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.bwe.Pacer;
import dev.sfu.core.media.Codec;
import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.Router;
import dev.sfu.core.media.Subscription;
import dev.sfu.core.media.Track;
import dev.sfu.core.transport.RtpSender;
import dev.sfu.dtls.SrtpSession;
import dev.sfu.dtls.srtp.SrtpProfile;
import dev.sfu.rtp.RtpPacket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The router's per-packet cost for a fan-out, receive → per-subscriber copy, rewrite, SRTP protect →
 * hand to the socket (the socket itself left out), next to SRTP protect alone: the difference divided
 * by the fan-out is the routing overhead per forwarded packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouterBenchmark {
    private static final int LENGTH = 1200;

    @Param({"10", "100"})
    public int subscribers;

    private final Router router = new Router();
    private final RtpPacket packet = new RtpPacket();
    private final byte[] buffer = new byte[LENGTH + 64];
    private final byte[] floorBuffer = new byte[LENGTH + 64];
    private InboundStream stream;
    private final Router pacedRouter = new Router();
    private InboundStream pacedStream;
    private SrtpSession floorSession;
    private int sequence;
    private long now = 1;

    /** A subscriber transport without a socket: it encrypts, then hands the packet to nobody. */
    private static final class EncryptingSender implements RtpSender {
        private final SrtpSession session;
        int sent;
        private int sequence;

        EncryptingSender(SrtpSession session) {
            this.session = session;
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public int nextTransportWideSequence() {
            return sequence++ & 0xffff;
        }

        @Override
        public int sendRtp(byte[] buf, int off, int len) {
            int n = session.protectRtp(buf, off, len);
            sent += n;
            return n;
        }

        @Override
        public void sendRtcp(byte[] buf, int off, int len) {
        }
    }

    @Setup
    public void setUp() {
        byte[] key = new byte[16];
        byte[] salt = new byte[12];
        Track track = new Track("t", "pub", "pub", MediaKind.VIDEO, "1", MediaFormat.canonical(Codec.VP8, ""), List.of(),
                ssrc -> { });
        for (int i = 0; i < subscribers; i++) {
            Subscription s = new Subscription(track, "s" + i,
                    new EncryptingSender(SrtpSession.create(SrtpProfile.AEAD_AES_128_GCM, key, salt, key, salt)),
                    1000 + i, 2000 + i, i, i);
            s.setAccepted(true);
            router.subscribe(s);
        }
        stream = new InboundStream(track, 0, false, 1234);
        // The same fan-out with every subscriber behind its transport's pacer, with budget to spare (no
        // estimate yet: not limited), the common case: the copy goes into a pacer slot and leaves at once.
        // (A rate-limited pacer would fill and drop here: the benchmark's clock moves 1 us per packet.)
        Track pacedTrack = new Track("p", "pub", "pub", MediaKind.VIDEO, "1", MediaFormat.canonical(Codec.VP8, ""), List.of(),
                ssrc -> { });
        for (int i = 0; i < subscribers; i++) {
            EncryptingSender out = new EncryptingSender(SrtpSession.create(SrtpProfile.AEAD_AES_128_GCM, key, salt, key,
                    salt));
            DownlinkEstimator estimator = new DownlinkEstimator();
            Pacer pacer = new Pacer(out, estimator);
            pacer.setEstimate(0);
            Subscription s = new Subscription(pacedTrack, "s" + i, out, estimator, pacer, 3000 + i, 4000 + i, i, i);
            s.setAccepted(true);
            pacedRouter.subscribe(s);
        }
        pacedStream = new InboundStream(pacedTrack, 0, false, 1235);
        floorSession = SrtpSession.create(SrtpProfile.AEAD_AES_128_GCM, key, salt, key, salt);
        RtpPacket.writeHeader(buffer, 0, false, 96, 0, 0, 42);
        buffer[12] = 0x10; // VP8: start of a keyframe, so every subscription starts
        packet.wrap(buffer, 0, LENGTH);
        router.forward(stream, packet, true, now);
        packet.wrap(buffer, 0, LENGTH);
        pacedRouter.forward(pacedStream, packet, true, now);
        buffer[13] = 0x01;
    }

    @Benchmark
    public void forwardToAllSubscribers() {
        sequence++;
        packet.wrap(buffer, 0, LENGTH);
        packet.setSequenceNumber(sequence & 0xffff);
        router.forward(stream, packet, false, now += 1000);
    }

    /** As {@link #forwardToAllSubscribers}, through each subscriber's pacer (claim, commit, budget, send). */
    @Benchmark
    public void forwardToAllSubscribersPaced() {
        sequence++;
        packet.wrap(buffer, 0, LENGTH);
        packet.setSequenceNumber(sequence & 0xffff);
        pacedRouter.forward(pacedStream, packet, false, now += 1000);
    }

    /** The floor for one forwarded packet: copying it and SRTP-protecting it, nothing else. */
    @Benchmark
    public int protectOnce() {
        sequence++;
        System.arraycopy(buffer, 0, floorBuffer, 0, LENGTH);
        floorBuffer[2] = (byte) (sequence >> 8);
        floorBuffer[3] = (byte) sequence;
        return floorSession.protectRtp(floorBuffer, 0, LENGTH);
    }
}
