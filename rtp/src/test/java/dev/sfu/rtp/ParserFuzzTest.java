package dev.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sfu.rtp.codec.Av1Payload;
import dev.sfu.rtp.codec.H264Nal;
import dev.sfu.rtp.codec.Vp8Descriptor;
import dev.sfu.rtp.codec.Vp9Descriptor;
import dev.sfu.rtp.rtcp.App;
import dev.sfu.rtp.rtcp.Bye;
import dev.sfu.rtp.rtcp.Fir;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.Pli;
import dev.sfu.rtp.rtcp.ReceiverReport;
import dev.sfu.rtp.rtcp.Remb;
import dev.sfu.rtp.rtcp.ReportBlock;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.Sdes;
import dev.sfu.rtp.rtcp.SenderReport;
import dev.sfu.rtp.rtcp.TransportCcFeedback;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds every public parser and reader of the module valid packets, all their truncations, single-byte
 * mutations and random bytes. Each input is read twice, from the same place in two buffers whose bytes
 * around it differ: the answers must be equal, so nothing reads outside {@code (buf, off, len)}; and once
 * from a buffer that ends exactly where the input does, where an out-of-bounds read would throw. Results
 * are folded into a digest only so that they are used. Fixed seed; bounded to a few thousand inputs.
 */
class ParserFuzzTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int MARGIN = 64;

    private final RtpPacket packet = new RtpPacket();
    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();
    private final Sdes.Reader sdes = new Sdes.Reader();
    private final long[] arrivals = new long[65536];
    private final byte[] idMap = {0, 3, 0, 1, 5, 0, 7, 2, 0, 9, 10, 0, 12, 13, 14, 1};
    private final byte[] extensionData = HEX.parseHex("0102030405060708090a0b0c0d0e0f101112");
    private long digest;

    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(RtpPacketTest.CHROME_VP8);
        seeds.add(HeaderExtensionsTest.OPUS);
        seeds.add(HeaderExtensionsTest.VIDEO);
        seeds.add(HEX.parseHex("b1" + "6f" + "0001" + "00000002" + "00000003" + "0000000a" + "10000002"
                + "0503414243000000" + "aabb0002")); // two-byte extensions, CSRC, padding
        // RTP packets carrying each codec's keyframe, so payload parsers also run behind the RTP view.
        String header = "9060" + "0001" + "00000001" + "00000002" + "bede0001" + "22abcdef";
        String[] payloads = {
            "90e09234070050" + "1e009d012a800268010011",      // VP8 keyframe with picture id, TL0PICIDX, TID
            "8a00",                                           // VP9 start of a keyframe
            "78" + "0002" + "6742" + "0002" + "68ce",          // H.264 STAP-A: SPS + PPS
            "7c85" + "00",                                    // H.264 FU-A start of an IDR
            "28" + "04" + "080a0b0c" + "30aabb",               // AV1: N=1, sequence header, frame
            "00" + "8201" + "08" + "00".repeat(129),           // AV1: two-byte LEB128 size
        };
        for (String payload : payloads) {
            seeds.add(HEX.parseHex(header + payload));
            seeds.add(HEX.parseHex(payload));
        }
        seeds.add(rtcpCompound());
        byte[] buf = new byte[256];
        seeds.add(Arrays.copyOf(buf, Pli.write(buf, 0, 1, 2)));
        seeds.add(Arrays.copyOf(buf, Remb.write(buf, 0, 1, 3_000_000, new int[] {5, 6}, 2)));
        seeds.add(Arrays.copyOf(buf, Fir.write(buf, 0, 1, new int[] {5}, new int[] {9}, 1)));
        seeds.add(Arrays.copyOf(buf, Bye.write(buf, 0, new int[] {5, 6}, 2, new byte[] {'b', 'y', 'e'}, 0, 3)));
        seeds.add(HEX.parseHex("8fcd0008" + "00000001" + "00000002" + "000a" + "0010" + "000000" + "00"
                + "200e" + "a000" + "01".repeat(15) + "00")); // TWCC: run-length and 1-bit chunks
        return seeds;
    }

    /** SR with two report blocks, RR with one, SDES with two chunks, BYE, APP, FIR, REMB, PLI, NACK, TWCC. */
    private static byte[] rtcpCompound() {
        byte[] b = new byte[1024];
        int n = SenderReport.write(b, 0, 1, 0x0102030405060708L, 3, 4, 5);
        ReportBlock.append(b, 0, 2, 3, -4, 5, 6, 7, 8);
        n = ReportBlock.append(b, 0, 9, 10, 11, 12, 13, 14, 15);
        int rr = n;
        ReceiverReport.write(b, rr, 1);
        n += ReportBlock.append(b, rr, 2, 3, 4, 5, 6, 7, 8);
        int s = n;
        Sdes.writeCname(b, s, 1, "user@host".getBytes(StandardCharsets.US_ASCII));
        n += Sdes.appendChunk(b, s, 2, Sdes.NAME, new byte[] {'x'}, 0, 1);
        n += Bye.write(b, n, new int[] {1}, 1, new byte[] {'q'}, 0, 1);
        n += App.write(b, n, 3, 1, 0x54455354, new byte[8], 0, 8);
        n += Fir.write(b, n, 1, new int[] {2, 3}, new int[] {4, 5}, 2);
        n += Remb.write(b, n, 1, 1_000_000, new int[] {2}, 1);
        n += Pli.write(b, n, 1, 2);
        n += GenericNack.write(b, n, 1, 2, new int[] {10, 11, 15, 40}, 4);
        long[] arrivals = new long[20];
        for (int i = 0; i < arrivals.length; i++) {
            arrivals[i] = i % 5 == 3 ? TransportCcFeedback.NOT_RECEIVED : 1_000_000 + i * (i % 4 == 1 ? 80_000 : 1_000);
        }
        n += TransportCcFeedback.write(b, n, 1, 2, 100, arrivals, arrivals.length, 7);
        return Arrays.copyOf(b, n);
    }

    /** The seeds are valid, so their mutations reach past the first checks of each parser. */
    @Test
    void seedsAreWellFormed() {
        byte[] compound = rtcpCompound();
        iterator.reset(compound, 0, compound.length);
        int packets = 0;
        int lastOffset = 0;
        int lastLength = 0;
        while (iterator.next()) {
            packets++;
            lastOffset = iterator.packetOffset();
            lastLength = iterator.packetLength();
        }
        assertEquals(10, packets);
        assertEquals(20, TransportCcFeedback.parse(compound, lastOffset, lastLength, arrivals));
        int rtp = 0;
        for (byte[] seed : seeds()) {
            if (packet.wrap(seed, 0, seed.length)) {
                rtp++;
            }
        }
        assertTrue(rtp >= 10, rtp + " RTP seeds"); // 10 are meant as RTP; a bare payload may pass too
    }

    @Test
    void noParserThrowsOrReadsOutsideItsInput() {
        long started = System.nanoTime();
        List<byte[]> seeds = seeds();
        Random random = new Random(20);
        int inputs = 0;
        for (byte[] seed : seeds) {
            for (int len = 0; len <= seed.length; len++) {
                check(Arrays.copyOf(seed, len), random);
                inputs++;
            }
            for (int i = 0; i < seed.length; i++) {
                byte[] mutated = seed.clone();
                mutated[i] = (byte) random.nextInt();
                check(mutated, random);
                inputs++;
            }
        }
        for (int i = 0; i < 3000; i++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            byte[] input;
            switch (random.nextInt(4)) {
                case 0 -> {
                    input = new byte[random.nextInt(96)];
                    random.nextBytes(input);
                    if (input.length > 0 && random.nextBoolean()) {
                        input[0] = (byte) (0x80 | (input[0] & 0x3f)); // version 2, to get past the first check
                    }
                }
                case 1 -> {
                    input = seed.clone();
                    for (int m = 1 + random.nextInt(4); m > 0 && input.length > 0; m--) {
                        input[random.nextInt(input.length)] = (byte) random.nextInt();
                    }
                }
                case 2 -> {
                    input = Arrays.copyOf(seed, random.nextInt(seed.length + 1));
                    if (input.length > 0) {
                        input[random.nextInt(input.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                default -> input = Arrays.copyOf(seed, seed.length + random.nextInt(8)); // trailing zeros
            }
            check(input, random);
            inputs++;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (millis > 5_000) {
            fail(inputs + " inputs took " + millis + " ms");
        }
    }

    /** Reads {@code input} from two differently surrounded buffers (equal answers) and an exact-size one. */
    private void check(byte[] input, Random random) {
        int off = random.nextInt(MARGIN);
        int total = off + input.length + MARGIN;
        byte[] a = new byte[total];
        byte[] b = new byte[total];
        random.nextBytes(a);
        random.nextBytes(b);
        System.arraycopy(input, 0, a, off, input.length);
        System.arraycopy(input, 0, b, off, input.length);
        long first;
        long second;
        try {
            first = readAll(a, off, input.length);
            second = readAll(b, off, input.length);
            readAll(input.clone(), 0, input.length);
        } catch (RuntimeException e) {
            throw new AssertionError("input " + HEX.formatHex(input), e);
        }
        assertEquals(first, second, () -> "answers depend on bytes outside the input " + HEX.formatHex(input));
    }

    private void use(long value) {
        digest = digest * 31 + value;
    }

    private void use(boolean value) {
        use(value ? 1 : 0);
    }

    /** Calls every reader on the bytes and returns a digest of the answers. */
    private long readAll(byte[] buf, int off, int len) {
        digest = 17;
        use(RtpPacket.isRtp(buf, off, len));
        use(RtpPacket.isRtcp(buf, off, len));
        rtp(buf, off, len);
        payload(buf, off, len);
        rtcp(buf, off, len);
        extensionValues(buf, off, len);
        extensionValues(buf, off + Math.min(len, 1), Math.max(0, len - 1));
        return digest;
    }

    private void rtp(byte[] buf, int off, int len) {
        boolean valid = packet.wrap(buf, off, len);
        use(valid);
        if (!valid) {
            return;
        }
        use(packet.version() + packet.csrcCount() + packet.payloadType() + packet.sequenceNumber());
        use(packet.timestamp() + packet.ssrc() + packet.headerLength() + packet.payloadOffset() - off);
        use(packet.payloadLength() + packet.paddingLength() + packet.extensionProfile());
        use(packet.marker() || packet.padding() || packet.hasExtension());
        for (int i = 0; i < packet.csrcCount(); i++) {
            use(packet.csrc(i));
        }
        for (int id = 0; id <= 256; id += id < 20 ? 1 : 236) {
            long position = packet.findExtension(id);
            use(position < 0 ? -1 : position - ((long) off << 16));
            String value = SdesItemExtension.read(packet, id);
            use(value == null ? -1 : value.hashCode());
            use(SdesItemExtension.equals(packet, id, new byte[] {'1'}));
            extensionValues(buf, RtpPacket.elementOffset(position), RtpPacket.elementLength(position));
        }
        payload(buf, packet.payloadOffset(), packet.payloadLength());

        // Writers on a copy: remap (and remove), then add an element under a fresh id.
        byte[] copy = buf.clone();
        RtpPacket view = new RtpPacket();
        view.wrap(copy, off, len);
        use(view.remapExtensionIds(idMap));
        use(Arrays.hashCode(Arrays.copyOfRange(copy, off, off + len)));
        view.wrap(copy, off, len);
        int added = view.addExtension(1 + (len % 20), extensionData, 0, 1 + (len % extensionData.length));
        use(added);
        if (added > 0) {
            use(Arrays.hashCode(Arrays.copyOfRange(copy, off, off + added)));
            use(view.findExtension(1 + (len % 20)) - ((long) off << 16));
        }
    }

    private void extensionValues(byte[] buf, int off, int len) {
        use(HeaderExtensions.absSendTime(buf, off, len));
        use(HeaderExtensions.transportSequence(buf, off, len));
        use(HeaderExtensions.audioLevel(buf, off, len));
        use(HeaderExtensions.voiceActivity(buf, off, len));
        use(HeaderExtensions.videoRotation(buf, off, len));
        use(HeaderExtensions.videoFlip(buf, off, len));
        use(HeaderExtensions.videoBackCamera(buf, off, len));
        use(HeaderExtensions.ddStartOfFrame(buf, off, len));
        use(HeaderExtensions.ddEndOfFrame(buf, off, len));
        use(HeaderExtensions.ddTemplateId(buf, off, len));
        use(HeaderExtensions.ddFrameNumber(buf, off, len));
        use(HeaderExtensions.ddHasExtendedFields(buf, off, len));
    }

    private void payload(byte[] buf, int off, int len) {
        use(Vp8Descriptor.descriptorLength(buf, off, len));
        use(Vp8Descriptor.isStartOfFrame(buf, off, len));
        use(Vp8Descriptor.isKeyframe(buf, off, len));
        use(Vp8Descriptor.keyframeHeight(buf, off, len));
        use(Vp8Descriptor.pictureId(buf, off, len));
        use(Vp8Descriptor.tl0PicIdx(buf, off, len));
        use(Vp8Descriptor.temporalLayerId(buf, off, len));
        use(Vp9Descriptor.isStartOfFrame(buf, off, len));
        use(Vp9Descriptor.isEndOfFrame(buf, off, len));
        use(Vp9Descriptor.isKeyframe(buf, off, len));
        use(H264Nal.isKeyframe(buf, off, len));
        use(Av1Payload.isKeyframe(buf, off, len));
        use(Av1Payload.containsSequenceHeader(buf, off, len));
        use(Av1Payload.obuElementCount(buf, off, len));
        use(Av1Payload.startsCodedVideoSequence(buf, off, len));
        use(Av1Payload.continuesObu(buf, off, len));
        use(Av1Payload.continuesInNextPacket(buf, off, len));
    }

    private void rtcp(byte[] buf, int off, int len) {
        rtcpPacket(buf, off, len); // the readers check for themselves, without the iterator
        iterator.reset(buf, off, len);
        while (iterator.next()) {
            int at = iterator.packetOffset();
            int n = iterator.packetLength();
            use(at - off);
            use(n + iterator.packetType() + iterator.countOrFormat() + iterator.senderSsrc() + iterator.mediaSsrc());
            use(iterator.isKeyframeRequest());
            use(iterator.keyframeSsrc());
            if (SenderReport.is(iterator)) {
                use(SenderReport.ntpTimestamp(buf, at) + SenderReport.rtpTimestamp(buf, at));
                use(SenderReport.packetCount(buf, at) + SenderReport.octetCount(buf, at));
            }
            use(ReceiverReport.is(iterator));
            if (GenericNack.is(iterator)) {
                for (int i = 0; i < GenericNack.entries(n); i++) {
                    int pid = GenericNack.pid(buf, at, i);
                    int blp = GenericNack.blp(buf, at, i);
                    use(pid);
                    for (int bit = 0; bit < 16; bit++) {
                        if ((blp & (1 << bit)) != 0) {
                            use((pid + bit + 1) & 0xffff); // the expanded lost sequence numbers
                        }
                    }
                }
            }
            if (Fir.is(iterator)) {
                use(Fir.entries(buf, at, n));
            }
            use(Remb.is(iterator));
            rtcpPacket(buf, at, n);
        }
    }

    private void rtcpPacket(byte[] buf, int off, int len) {
        int blocks = ReportBlock.count(buf, off, len);
        use(blocks);
        for (int i = -1; i <= Math.max(blocks, 0); i++) {
            int block = ReportBlock.offset(buf, off, len, i);
            use(block < 0 ? -1 : block - off);
            if (block >= 0) {
                use(ReportBlock.ssrc(buf, block) + ReportBlock.fractionLost(buf, block)
                        + ReportBlock.cumulativeLost(buf, block) + ReportBlock.extendedHighestSequence(buf, block)
                        + ReportBlock.jitter(buf, block) + ReportBlock.lastSr(buf, block)
                        + ReportBlock.delaySinceLastSr(buf, block));
            }
        }
        use(ReceiverReport.senderSsrc(buf, off, len));
        if (sdes.reset(buf, off, len)) {
            while (sdes.nextChunk()) {
                use(sdes.ssrc());
                while (sdes.nextItem()) {
                    use(sdes.itemType() + sdes.itemLength() + sdes.itemOffset() - off);
                    for (int i = 0; i < sdes.itemLength(); i++) {
                        use(buf[sdes.itemOffset() + i]);
                    }
                }
            }
        }
        int sources = Bye.sourceCount(buf, off, len);
        use(sources);
        for (int i = 0; i < sources; i++) {
            use(Bye.ssrc(buf, off, i));
        }
        int reason = Bye.reasonOffset(buf, off, len);
        use(reason < 0 ? -1 : reason - off);
        use(Bye.reasonLength(buf, off, len));
        use(App.subtype(buf, off, len) + App.ssrc(buf, off, len) + App.name(buf, off, len));
        int data = App.dataOffset(buf, off, len);
        use(data < 0 ? -1 : data - off);
        use(App.dataLength(buf, off, len));
        int entries = Fir.entries(buf, off, len);
        use(entries);
        for (int i = 0; i < entries; i++) {
            use(Fir.ssrc(buf, off, i) + Fir.sequenceNumber(buf, off, i));
        }
        int ssrcs = Remb.ssrcCount(buf, off, len);
        use(ssrcs);
        use(Remb.is(buf, off, len));
        use(Remb.bitrate(buf, off, len));
        for (int i = 0; i < ssrcs; i++) {
            use(Remb.ssrc(buf, off, i));
        }
        int count = TransportCcFeedback.parse(buf, off, len, arrivals);
        use(count);
        for (int i = 0; i < count; i++) {
            use(arrivals[i]);
        }
    }
}
