package dev.sfu.rtp.bench;

import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The router's per-packet RTP work: parse and find extensions; rewrite in place; walk a compound RTCP. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RtpPacketBenchmark {
    private final byte[] packet = HexFormat.of().parseHex("90e0123400015f90deadbeefbede0003"
            + "22abcdef" + "310102" + "4031" + "000000" + "9000" + "00".repeat(1150));
    private final byte[] rtcp = HexFormat.of().parseHex("80c8000611111111000000000000000000000000000000000000000"
            + "0" + "81ca0003111111110102616200000000" + "81cd0003111111112222222200640001");
    private final RtpPacket view = new RtpPacket();
    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();
    private int counter;

    @Benchmark
    public long parseAndFindTwoExtensions() {
        view.wrap(packet, 0, packet.length);
        return view.findExtension(3) + view.findExtension(4) + view.ssrc();
    }

    @Benchmark
    public int rewriteSsrcSequenceTimestampAndExtensionId() {
        view.wrap(packet, 0, packet.length);
        counter++;
        view.setSsrc(counter);
        view.setSequenceNumber(counter & 0xffff);
        view.setTimestamp(counter * 3000);
        long at = view.findExtension(3);
        int idByte = RtpPacket.elementOffset(at) - 1;
        packet[idByte] = (byte) ((3 << 4) | (packet[idByte] & 0x0f)); // re-map id 3 -> 3 in place
        return view.sequenceNumber();
    }

    @Benchmark
    public int iterateCompoundRtcp() {
        iterator.reset(rtcp, 0, rtcp.length);
        int sum = 0;
        while (iterator.next()) {
            sum += iterator.packetType() + iterator.senderSsrc();
        }
        return sum;
    }
}
