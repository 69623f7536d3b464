package dev.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sfu.rtp.codec.Vp8Descriptor;
import dev.sfu.rtp.rtcp.Bye;
import dev.sfu.rtp.rtcp.Fir;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.Pli;
import dev.sfu.rtp.rtcp.ReceiverReport;
import dev.sfu.rtp.rtcp.Remb;
import dev.sfu.rtp.rtcp.ReportBlock;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.RtcpPacketType;
import dev.sfu.rtp.rtcp.Sdes;
import dev.sfu.rtp.rtcp.SenderReport;
import dev.sfu.rtp.rtcp.TransportCcFeedback;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rtp module's readers over packets a real Chromium (156) sent, captured after SRTP decryption:
 * {@code src/test/resources/dev/sfu/rtp/chrome/captured-packets.txt} (how, and the SDP they were
 * negotiated with, is in its header and in {@code sdp.txt}). Two publish transports: {@code sim}
 * (simulcast q;h;f with rtx) and {@code cam} (one VP8 stream with rtx), Opus on both; RTCP from both
 * and from a subscribe transport ({@code sub}).
 */
class ChromeCapturedPacketsTest {
    private static final String FIXTURE = "/dev/sfu/rtp/chrome/captured-packets.txt";

    // The server's publish answer (identical for both publishers).
    private static final int EXT_AUDIO_LEVEL = 1;
    private static final int EXT_ABS_SEND_TIME = 2;
    private static final int EXT_TRANSPORT_CC = 3;
    private static final int EXT_MID = 4;
    private static final int EXT_RID = 10;
    private static final int EXT_REPAIRED_RID = 11;
    private static final int[] NEGOTIATED_EXTENSIONS = {EXT_AUDIO_LEVEL, EXT_ABS_SEND_TIME, EXT_TRANSPORT_CC, EXT_MID,
        EXT_RID, EXT_REPAIRED_RID};
    private static final int PT_OPUS = 111;
    private static final int PT_VP8 = 96;
    private static final int PT_RTX = 97;
    private static final String AUDIO_MID = "0";
    private static final String VIDEO_MID = "1";

    /** sim: rid of each VP8 SSRC and repaired rid of each rtx SSRC, as the packets name them. */
    private static final Map<Integer, String> SIM_RIDS = Map.of(0xbaaa2afe, "q", 0x11bfe74c, "h", 0xca217d6b, "f");
    private static final Map<Integer, String> SIM_REPAIRED_RIDS = Map.of(0x7de92111, "q", 0x2adffa38, "f");
    /** Keyframe heights per rid: the page publishes 1280x720 scaled down by 4, 2 and 1. */
    private static final Map<String, Integer> SIM_HEIGHTS = Map.of("q", 180, "h", 360, "f", 720);
    private static final int CAM_OPUS = 0x6f105ed6;
    private static final int CAM_VP8 = 0xd443f896;
    private static final int CAM_RTX = 0xf47f4936;
    private static final int SIM_OPUS = 0x0ca8fa9f;
    private static final String CAM_CNAME = "Oiq3BYwU8InBlmI6";
    /** libwebrtc's SSRC for RTCP of a transport that sends no media (kDefaultRtcpReceiverReportSsrc). */
    private static final int RECEIVE_ONLY_SSRC = 1;

    record Captured(int line, String kind, String label, byte[] bytes) {
        @Override
        public String toString() {
            return "line " + line + " (" + kind + " " + label + ", " + bytes.length + " bytes)";
        }
    }

    private static List<Captured> rtp;
    private static List<Captured> rtcp;

    @BeforeAll
    static void load() throws IOException {
        rtp = new ArrayList<>();
        rtcp = new ArrayList<>();
        try (InputStream in = ChromeCapturedPacketsTest.class.getResourceAsStream(FIXTURE)) {
            assertNotNull(in, FIXTURE);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String text;
            int line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank() || text.startsWith("#")) {
                    continue;
                }
                String[] f = text.trim().split(" ");
                assertEquals(3, f.length, "line " + line);
                Captured c = new Captured(line, f[0], f[1], HexFormat.of().parseHex(f[2]));
                switch (f[0]) {
                    case "rtp" -> rtp.add(c);
                    case "rtcp" -> rtcp.add(c);
                    default -> fail("line " + line + ": unknown kind " + f[0]);
                }
            }
        }
        assertEquals(75, rtp.size());
        assertEquals(21, rtcp.size());
    }

    private static RtpPacket wrap(Captured c) {
        RtpPacket p = new RtpPacket();
        assertTrue(p.wrap(c.bytes(), 0, c.bytes().length), c::toString);
        return p;
    }

    private static int extensionLength(RtpPacket p, int id) {
        long at = p.findExtension(id);
        return at < 0 ? -1 : RtpPacket.elementLength(at);
    }

    private static int transportSequence(RtpPacket p) {
        long at = p.findExtension(EXT_TRANSPORT_CC);
        return HeaderExtensions.transportSequence(p.buffer(), RtpPacket.elementOffset(at), RtpPacket.elementLength(at));
    }

    private static int absSendTime(RtpPacket p) {
        long at = p.findExtension(EXT_ABS_SEND_TIME);
        return HeaderExtensions.absSendTime(p.buffer(), RtpPacket.elementOffset(at), RtpPacket.elementLength(at));
    }

    // RTP ------------------------------------------------------------------------------------------------

    @Test
    void everyRtpPacketHasSaneHeaderFieldsAndTheNegotiatedExtensions() {
        Map<String, Integer> perPt = new HashMap<>();
        for (Captured c : rtp) {
            RtpPacket p = wrap(c);
            String where = c.toString();
            assertEquals(2, p.version(), where);
            assertEquals(0, p.csrcCount(), where);
            assertTrue(p.hasExtension(), where);
            assertEquals(RtpPacket.ONE_BYTE_PROFILE, p.extensionProfile(), where);
            assertTrue(p.headerLength() + p.paddingLength() + p.payloadLength() == c.bytes().length, where);
            int pt = p.payloadType();
            assertTrue(pt == PT_OPUS || pt == PT_VP8 || pt == PT_RTX, where + ": payload type " + pt);
            perPt.merge(c.label() + "/" + pt, 1, Integer::sum);

            // On every packet: abs-send-time, transport-cc, mid, with their sizes.
            assertEquals(HeaderExtensions.ABS_SEND_TIME_LENGTH, extensionLength(p, EXT_ABS_SEND_TIME), where);
            assertEquals(HeaderExtensions.TRANSPORT_SEQUENCE_LENGTH, extensionLength(p, EXT_TRANSPORT_CC), where);
            assertEquals(1, extensionLength(p, EXT_MID), where);
            // Nothing under ids that were not negotiated.
            for (int id = 1; id <= 14; id++) {
                final int i = id;
                if (Arrays.stream(NEGOTIATED_EXTENSIONS).noneMatch(n -> n == i)) {
                    assertEquals(-1, p.findExtension(id), where + ": id " + id);
                }
            }
            assertTrue(absSendTime(p) >= 0, where);

            String mid = SdesItemExtension.read(p, EXT_MID);
            String rid = SdesItemExtension.read(p, EXT_RID);
            String repairedRid = SdesItemExtension.read(p, EXT_REPAIRED_RID);
            long level = p.findExtension(EXT_AUDIO_LEVEL);
            if (pt == PT_OPUS) {
                assertEquals(AUDIO_MID, mid, where);
                assertTrue(SdesItemExtension.equals(p, EXT_MID, AUDIO_MID.getBytes(StandardCharsets.US_ASCII)), where);
                assertEquals(HeaderExtensions.AUDIO_LEVEL_LENGTH, RtpPacket.elementLength(level), where);
                int dBov = HeaderExtensions.audioLevel(p.buffer(), RtpPacket.elementOffset(level), RtpPacket.elementLength(level));
                assertTrue(dBov >= 0 && dBov <= 127, where + ": audio level " + dBov);
                assertNull(rid, where);
                assertNull(repairedRid, where);
                assertFalse(p.padding(), where);
                assertTrue(p.payloadLength() > 0, where);
                assertEquals(c.label().equals("sim") ? SIM_OPUS : CAM_OPUS, p.ssrc(), where);
            } else {
                assertEquals(VIDEO_MID, mid, where);
                assertEquals(-1, level, where);
                assertFalse(SdesItemExtension.equals(p, EXT_MID, AUDIO_MID.getBytes(StandardCharsets.US_ASCII)), where);
                if (pt == PT_VP8) {
                    assertNull(repairedRid, where);
                    assertFalse(p.padding(), where);
                    if (c.label().equals("sim")) {
                        assertEquals(SIM_RIDS.get(p.ssrc()), rid, where);
                        assertTrue(SdesItemExtension.equals(p, EXT_RID, rid.getBytes(StandardCharsets.US_ASCII)), where);
                    } else {
                        assertNull(rid, where); // no rid on a single-stream track
                        assertEquals(CAM_VP8, p.ssrc(), where);
                    }
                } else {
                    assertNull(rid, where); // rtx carries the repaired rid instead
                    if (c.label().equals("sim")) {
                        assertEquals(SIM_REPAIRED_RIDS.get(p.ssrc()), repairedRid, where);
                    } else {
                        assertNull(repairedRid, where);
                        assertEquals(CAM_RTX, p.ssrc(), where);
                    }
                    // Either a retransmission (original sequence number + payload) or a padding-only probe.
                    if (p.padding()) {
                        assertEquals(0, p.payloadLength(), where);
                        assertEquals(255, p.paddingLength(), where);
                    } else {
                        assertTrue(p.payloadLength() > 2, where);
                    }
                }
            }
        }
        // The capture holds every kind this test is about.
        for (String kind : List.of("sim/111", "sim/96", "sim/97", "cam/111", "cam/96", "cam/97")) {
            assertTrue(perPt.getOrDefault(kind, 0) > 0, kind);
        }
    }

    @Test
    void sequenceNumbersAreConsecutiveAcrossTheTransportAndPerSsrc() {
        Map<String, Integer> lastTransport = new HashMap<>();
        Map<String, Integer> lastAbsSendTime = new HashMap<>();
        Map<Integer, Integer> lastSequence = new HashMap<>();
        for (Captured c : rtp) {
            RtpPacket p = wrap(c);
            int twcc = transportSequence(p);
            Integer previous = lastTransport.put(c.label(), twcc);
            // The capture starts with each transport's first packet and leaves none out.
            assertEquals(previous == null ? 1 : (previous + 1) & 0xffff, twcc, c::toString);
            int ast = absSendTime(p);
            Integer previousAst = lastAbsSendTime.put(c.label(), ast);
            if (previousAst != null) {
                int diff = HeaderExtensions.absSendTimeDiff(previousAst, ast);
                // Sent in this order, within a second of each other (2^18 units per second).
                assertTrue(diff >= 0 && diff < (1 << 18), c + ": abs-send-time went " + diff);
            }
            Integer previousSequence = lastSequence.put(p.ssrc(), p.sequenceNumber());
            if (previousSequence != null) {
                assertEquals((previousSequence + 1) & 0xffff, p.sequenceNumber(), c::toString);
            }
        }
        assertEquals(45, lastTransport.get("sim"));
        assertEquals(30, lastTransport.get("cam"));
    }

    @Test
    void vp8DescriptorsShowKeyframesPictureIdsAndLayers() {
        Map<Integer, Integer> keyframes = new HashMap<>();
        Map<Integer, int[]> lastFrame = new HashMap<>(); // ssrc -> {timestamp, picture id}
        Set<Integer> firstSeen = new HashSet<>();
        for (Captured c : rtp) {
            RtpPacket p = wrap(c);
            if (p.payloadType() != PT_VP8) {
                continue;
            }
            String where = c.toString();
            byte[] b = p.buffer();
            int off = p.payloadOffset();
            int len = p.payloadLength();
            int d = Vp8Descriptor.descriptorLength(b, off, len);
            int pictureId = Vp8Descriptor.pictureId(b, off, len);
            assertTrue(d > 0 && d < len, where);
            assertTrue(pictureId >= 0 && pictureId < 0x8000, where);
            assertTrue((b[off + 2] & 0x80) != 0, where + ": Chrome uses 15-bit picture ids");
            boolean start = Vp8Descriptor.isStartOfFrame(b, off, len);
            if (firstSeen.add(p.ssrc())) {
                // Each stream starts with a keyframe.
                assertTrue(start, where);
                assertTrue(Vp8Descriptor.isKeyframe(b, off, len), where);
            }
            if (c.label().equals("sim")) {
                // Simulcast: temporal layers, so TL0PICIDX and TID are there.
                assertTrue(Vp8Descriptor.tl0PicIdx(b, off, len) >= 0, where);
                int tid = Vp8Descriptor.temporalLayerId(b, off, len);
                assertTrue(tid >= 0 && tid <= 2, where + ": tid " + tid);
            } else {
                assertEquals(-1, Vp8Descriptor.tl0PicIdx(b, off, len), where);
                assertEquals(-1, Vp8Descriptor.temporalLayerId(b, off, len), where);
            }
            if (Vp8Descriptor.isKeyframe(b, off, len)) {
                int height = Vp8Descriptor.keyframeHeight(b, off, len);
                int expected = c.label().equals("sim") ? SIM_HEIGHTS.get(SIM_RIDS.get(p.ssrc())) : 180;
                assertEquals(expected, height, where);
                keyframes.merge(p.ssrc(), 1, Integer::sum);
            } else {
                assertEquals(-1, Vp8Descriptor.keyframeHeight(b, off, len), where);
            }
            int[] last = lastFrame.get(p.ssrc());
            if (last != null) {
                if (last[0] == p.timestamp()) {
                    assertFalse(start, where + ": a frame starts once");
                    assertEquals(last[1], pictureId, where + ": one picture id per frame");
                } else {
                    assertTrue(start, where + ": a new timestamp starts a frame");
                    assertTrue(Integer.compareUnsigned(p.timestamp() - last[0], 90_000) < 0, where);
                    // Picture ids move forward, not always by one: the capture shows the 320 px stream
                    // going 0x05fd -> 0x0600 with every packet of the transport present, i.e. Chrome
                    // numbered frames it then did not send.
                    int step = (pictureId - last[1]) & 0x7fff;
                    assertTrue(step >= 1 && step <= 8, where + ": picture id went " + last[1] + " -> " + pictureId);
                }
            }
            lastFrame.put(p.ssrc(), new int[] {p.timestamp(), pictureId});
        }
        // Every simulcast layer and the single stream got at least one keyframe start in the capture.
        for (int ssrc : SIM_RIDS.keySet()) {
            assertTrue(keyframes.getOrDefault(ssrc, 0) > 0, Integer.toHexString(ssrc));
        }
        assertTrue(keyframes.getOrDefault(CAM_VP8, 0) > 0);
    }

    @Test
    void rtxRetransmissionsCarryTheOriginalPayload() {
        // Index the VP8 packets by (label, stream, sequence number); a sim stream is named by its rid.
        Map<String, Captured> originals = new HashMap<>();
        for (Captured c : rtp) {
            RtpPacket p = wrap(c);
            if (p.payloadType() == PT_VP8) {
                String stream = c.label().equals("sim") ? SIM_RIDS.get(p.ssrc()) : "";
                originals.put(c.label() + "/" + stream + "/" + p.sequenceNumber(), c);
            }
        }
        int matched = 0;
        for (Captured c : rtp) {
            RtpPacket p = wrap(c);
            if (p.payloadType() != PT_RTX || p.padding()) {
                continue;
            }
            byte[] b = p.buffer();
            int osn = ((b[p.payloadOffset()] & 0xff) << 8) | (b[p.payloadOffset() + 1] & 0xff);
            String stream = c.label().equals("sim") ? SdesItemExtension.read(p, EXT_REPAIRED_RID) : "";
            Captured original = originals.get(c.label() + "/" + stream + "/" + osn);
            assertNotNull(original, c + ": retransmits " + osn + ", which the capture holds");
            RtpPacket o = wrap(original);
            assertEquals(o.timestamp(), p.timestamp(), c::toString);
            assertArrayEquals(Arrays.copyOfRange(o.buffer(), o.payloadOffset(), o.payloadOffset() + o.payloadLength()),
                    Arrays.copyOfRange(b, p.payloadOffset() + 2, p.payloadOffset() + p.payloadLength()), c::toString);
            matched++;
        }
        assertTrue(matched >= 10, "retransmissions matched: " + matched);
    }

    @Test
    void rewritingHeaderFieldsAndAnExtensionIdAndBackGivesTheCapturedBytes() {
        byte[] there = new byte[16];
        byte[] back = new byte[16];
        for (int i = 0; i < 16; i++) {
            there[i] = (byte) i;
            back[i] = (byte) i;
        }
        // transport-cc moves to id 9 (not negotiated, so free) and back.
        there[EXT_TRANSPORT_CC] = 9;
        there[9] = 0;
        back[9] = EXT_TRANSPORT_CC;
        back[EXT_TRANSPORT_CC] = 0;
        for (Captured c : rtp) {
            byte[] copy = c.bytes().clone();
            RtpPacket p = new RtpPacket();
            assertTrue(p.wrap(copy, 0, copy.length));
            int ssrc = p.ssrc();
            int sequence = p.sequenceNumber();
            int timestamp = p.timestamp();
            int twcc = transportSequence(p);
            String mid = SdesItemExtension.read(p, EXT_MID);

            p.setSsrc(~ssrc);
            p.setSequenceNumber(sequence + 1000);
            p.setTimestamp(timestamp + 90_000);
            assertTrue(p.remapExtensionIds(there), c::toString);
            assertTrue(p.wrap(copy, 0, copy.length), c::toString);
            assertEquals(~ssrc, p.ssrc());
            assertEquals((sequence + 1000) & 0xffff, p.sequenceNumber());
            assertEquals(timestamp + 90_000, p.timestamp());
            assertEquals(-1, p.findExtension(EXT_TRANSPORT_CC), c::toString);
            long moved = p.findExtension(9);
            assertEquals(twcc, HeaderExtensions.transportSequence(copy, RtpPacket.elementOffset(moved),
                    RtpPacket.elementLength(moved)), c::toString);
            assertEquals(mid, SdesItemExtension.read(p, EXT_MID), c::toString);
            assertFalse(Arrays.equals(c.bytes(), copy));

            p.setSsrc(ssrc);
            p.setSequenceNumber(sequence);
            p.setTimestamp(timestamp);
            assertTrue(p.remapExtensionIds(back), c::toString);
            assertArrayEquals(c.bytes(), copy, c::toString);
        }
    }

    @Test
    void truncatedRtpPacketsNeverThrowAndAreRefusedInsideTheHeader() {
        RtpPacket p = new RtpPacket();
        for (Captured c : rtp) {
            assertTrue(p.wrap(c.bytes(), 0, c.bytes().length));
            int header = p.headerLength();
            boolean padded = p.padding();
            int descriptor = p.payloadType() == PT_VP8
                    ? Vp8Descriptor.descriptorLength(c.bytes(), p.payloadOffset(), p.payloadLength()) : 0;
            for (int len = 0; len < c.bytes().length; len++) {
                byte[] cut = Arrays.copyOf(c.bytes(), len); // exact size: a read beyond len throws
                String where = c + " cut to " + len;
                boolean ok = p.wrap(cut, 0, len);
                if (len < header) {
                    assertFalse(ok, where);
                    continue;
                }
                if (padded) {
                    // The last byte is no longer the padding count (zeros: refused).
                    assertFalse(ok, where);
                    continue;
                }
                assertTrue(ok, where); // a shorter payload is still a well-formed packet
                for (int id = 0; id <= 15; id++) {
                    long at = p.findExtension(id);
                    HeaderExtensions.audioLevel(cut, RtpPacket.elementOffset(at), RtpPacket.elementLength(at));
                    HeaderExtensions.absSendTime(cut, RtpPacket.elementOffset(at), RtpPacket.elementLength(at));
                    HeaderExtensions.transportSequence(cut, RtpPacket.elementOffset(at), RtpPacket.elementLength(at));
                }
                SdesItemExtension.read(p, EXT_MID);
                SdesItemExtension.read(p, EXT_RID);
                int off = p.payloadOffset();
                int payload = p.payloadLength();
                int d = Vp8Descriptor.descriptorLength(cut, off, payload);
                Vp8Descriptor.isKeyframe(cut, off, payload);
                Vp8Descriptor.keyframeHeight(cut, off, payload);
                Vp8Descriptor.pictureId(cut, off, payload);
                Vp8Descriptor.tl0PicIdx(cut, off, payload);
                Vp8Descriptor.temporalLayerId(cut, off, payload);
                if (p.payloadType() == PT_VP8 && payload < descriptor) {
                    assertEquals(-1, d, where);
                    assertEquals(-1, Vp8Descriptor.pictureId(cut, off, payload), where);
                    assertFalse(Vp8Descriptor.isKeyframe(cut, off, payload), where);
                }
            }
        }
    }

    // RTCP -----------------------------------------------------------------------------------------------

    @Test
    void everyRtcpCompoundIsWalkedToItsEndAndEveryPacketReadsConsistently() {
        RtcpCompoundIterator it = new RtcpCompoundIterator();
        Sdes.Reader sdes = new Sdes.Reader();
        long[] arrivals = new long[65536];
        Map<String, Set<Integer>> ssrcsByLabel = new HashMap<>();
        Map<Integer, Integer> firstTimestamp = new HashMap<>();
        for (Captured c : rtp) {
            RtpPacket p = wrap(c);
            ssrcsByLabel.computeIfAbsent(c.label(), k -> new HashSet<>()).add(p.ssrc());
            firstTimestamp.putIfAbsent(p.ssrc(), p.timestamp());
        }
        Map<Integer, long[]> lastSr = new HashMap<>(); // ssrc -> {ntp, rtp timestamp, packets, octets}
        Map<String, Integer> types = new HashMap<>();
        for (Captured c : rtcp) {
            String where = c.toString();
            byte[] b = c.bytes();
            assertTrue(RtpPacket.isRtcp(b, 0, b.length), where);
            assertFalse(RtpPacket.isRtp(b, 0, b.length), where);
            it.reset(b, 0, b.length);
            int end = 0;
            int packets = 0;
            int rrSender = 0;
            int rrSource = 0;
            int srSender = 0;
            while (it.next()) {
                assertEquals(end, it.packetOffset(), where);
                end += it.packetLength();
                packets++;
                int at = it.packetOffset();
                int len = it.packetLength();
                assertEquals(2, (b[at] & 0xff) >> 6, where);
                assertEquals(0, b[at] & 0x20, where + ": no padding");
                int type = it.packetType();
                types.merge(c.label() + "/" + type + "/" + it.countOrFormat(), 1, Integer::sum);
                switch (type) {
                    case RtcpPacketType.SR -> {
                        assertTrue(SenderReport.is(it), where);
                        assertEquals(0, packets - 1, where + ": the SR comes first");
                        srSender = it.senderSsrc();
                        assertTrue(ssrcsByLabel.get(c.label()).contains(srSender),
                                where + ": SR of " + Integer.toHexString(srSender));
                        // A publish transport receives nothing: no report blocks.
                        assertEquals(0, ReportBlock.count(b, at, len), where);
                        assertEquals(SenderReport.LENGTH, len, where);
                        long ntp = SenderReport.ntpTimestamp(b, at);
                        int rtpTimestamp = SenderReport.rtpTimestamp(b, at);
                        int packetCount = SenderReport.packetCount(b, at);
                        int octetCount = SenderReport.octetCount(b, at);
                        assertTrue(packetCount > 0 && Integer.toUnsignedLong(octetCount) >= packetCount, where);
                        int rate = srSender == SIM_OPUS || srSender == CAM_OPUS ? 48_000 : 90_000;
                        // The SR's RTP timestamp runs on the clock of the packets we captured, a few
                        // seconds after the first.
                        double sinceFirst = (rtpTimestamp - firstTimestamp.get(srSender)) / (double) rate;
                        assertTrue(sinceFirst > 0 && sinceFirst < 10, where + ": " + sinceFirst + " s after the first packet");
                        long[] previous = lastSr.put(srSender, new long[] {ntp, rtpTimestamp, packetCount, octetCount});
                        if (previous != null) {
                            double wallSeconds = (ntp - previous[0]) / 4294967296.0;
                            double rtpSeconds = (rtpTimestamp - (int) previous[1]) / (double) rate;
                            assertTrue(wallSeconds > 0, where);
                            assertEquals(wallSeconds, rtpSeconds, 0.005, where + ": NTP and RTP clocks advance together");
                            assertTrue(packetCount > previous[2] && octetCount > previous[3], where);
                        }
                    }
                    case RtcpPacketType.RR -> {
                        assertTrue(ReceiverReport.is(it), where);
                        rrSender = ReceiverReport.senderSsrc(b, at, len);
                        assertEquals(it.senderSsrc(), rrSender, where);
                        assertEquals(RECEIVE_ONLY_SSRC, rrSender, where);
                        assertEquals(1, ReportBlock.count(b, at, len), where);
                        int block = ReportBlock.offset(b, at, len, 0);
                        assertEquals(at + ReceiverReport.HEADER_LENGTH, block, where);
                        assertEquals(-1, ReportBlock.offset(b, at, len, 1), where);
                        rrSource = ReportBlock.ssrc(b, block);
                        assertNotEquals(0, rrSource, where);
                        assertEquals(0, ReportBlock.fractionLost(b, block), where);
                        assertEquals(0, ReportBlock.cumulativeLost(b, block), where);
                        int highest = ReportBlock.extendedHighestSequence(b, block);
                        assertTrue(highest > 0 && highest <= 0xffff, where + ": no wrap yet");
                        assertTrue(ReportBlock.jitter(b, block) >= 0, where);
                        // DLSR only with an LSR.
                        assertEquals(ReportBlock.lastSr(b, block) == 0, ReportBlock.delaySinceLastSr(b, block) == 0, where);
                    }
                    case RtcpPacketType.SDES -> {
                        assertTrue(sdes.reset(b, at, len), where);
                        assertTrue(sdes.nextChunk(), where);
                        assertEquals(srSender, sdes.ssrc(), where + ": the SR sender's CNAME");
                        assertTrue(sdes.nextItem(), where);
                        assertEquals(Sdes.CNAME, sdes.itemType(), where);
                        String cname = new String(b, sdes.itemOffset(), sdes.itemLength(), StandardCharsets.UTF_8);
                        assertEquals(c.label().equals("cam") ? CAM_CNAME : "", cname, where);
                        assertFalse(sdes.nextItem(), where);
                        assertFalse(sdes.nextChunk(), where);
                    }
                    case RtcpPacketType.PSFB -> {
                        if (it.countOrFormat() == Remb.FMT) {
                            assertTrue(Remb.is(it), where);
                            assertEquals(rrSender, it.senderSsrc(), where + ": the same sender as the RR");
                            assertEquals(0, it.mediaSsrc(), where);
                            int n = Remb.ssrcCount(b, at, len);
                            assertTrue(n == 1 || n == 2, where);
                            assertEquals(Remb.HEADER_LENGTH + 4 * n, len, where);
                            assertEquals(rrSource, Remb.ssrc(b, at, 0), where + ": the stream the RR reports on");
                            long bps = Remb.bitrate(b, at, len);
                            assertTrue(bps >= 30_000 && bps <= 10_000_000, where + ": " + bps + " bps");
                            assertFalse(it.isKeyframeRequest(), where);
                        } else if (it.countOrFormat() == Pli.FMT) {
                            assertEquals(Pli.LENGTH, len, where);
                            assertTrue(it.isKeyframeRequest(), where);
                            assertEquals(it.mediaSsrc(), it.keyframeSsrc(), where);
                        } else if (it.countOrFormat() == Fir.FMT) {
                            assertTrue(Fir.is(it) && Fir.entries(b, at, len) > 0, where);
                        } else {
                            fail(where + ": PSFB FMT " + it.countOrFormat());
                        }
                    }
                    case RtcpPacketType.RTPFB -> {
                        if (it.countOrFormat() == TransportCcFeedback.FMT) {
                            int count = TransportCcFeedback.parse(b, at, len, arrivals);
                            assertTrue(count > 0, where);
                        } else if (it.countOrFormat() == GenericNack.FMT) {
                            assertTrue(GenericNack.is(it) && GenericNack.entries(len) > 0, where);
                        } else {
                            fail(where + ": RTPFB FMT " + it.countOrFormat());
                        }
                    }
                    case RtcpPacketType.BYE -> assertTrue(Bye.sourceCount(b, at, len) >= 0, where);
                    default -> fail(where + ": packet type " + type);
                }
            }
            assertEquals(b.length, end, where + ": the iterator stops at the end, not before");
            assertFalse(it.next(), where);
            assertTrue(packets >= 1 && packets <= 2, where);
        }
        // What Chromium sent: SR + SDES on publish transports, reduced-size RR (+ REMB) on subscribe ones.
        assertEquals(6, types.get("sim/200/0"));
        assertEquals(6, types.get("sim/202/1"));
        assertEquals(10, types.get("cam/200/0"));
        assertEquals(10, types.get("cam/202/1"));
        assertEquals(5, types.get("sub/201/1"));
        assertEquals(3, types.get("sub/206/15"));
        assertEquals(6, types.size(), types::toString);
    }

    @Test
    void truncatedRtcpCompoundsNeverThrowAndNeverReachPastTheirEnd() {
        RtcpCompoundIterator it = new RtcpCompoundIterator();
        Sdes.Reader sdes = new Sdes.Reader();
        long[] arrivals = new long[65536];
        for (Captured c : rtcp) {
            for (int len = 0; len < c.bytes().length; len++) {
                byte[] cut = Arrays.copyOf(c.bytes(), len);
                String where = c + " cut to " + len;
                it.reset(cut, 0, len);
                int end = 0;
                while (it.next()) {
                    int at = it.packetOffset();
                    int plen = it.packetLength();
                    end = at + plen;
                    assertTrue(end <= len, where);
                    it.senderSsrc();
                    it.mediaSsrc();
                    if (it.isKeyframeRequest()) {
                        it.keyframeSsrc();
                    }
                    ReceiverReport.senderSsrc(cut, at, plen);
                    int blocks = ReportBlock.count(cut, at, plen);
                    for (int i = 0; i < blocks; i++) {
                        int block = ReportBlock.offset(cut, at, plen, i);
                        ReportBlock.jitter(cut, block);
                        ReportBlock.delaySinceLastSr(cut, block);
                    }
                    if (SenderReport.is(it)) {
                        SenderReport.octetCount(cut, at);
                    }
                    if (sdes.reset(cut, at, plen)) {
                        while (sdes.nextChunk()) {
                            while (sdes.nextItem()) {
                                assertTrue(sdes.itemOffset() + sdes.itemLength() <= len, where);
                            }
                        }
                    }
                    int n = Remb.ssrcCount(cut, at, plen);
                    for (int i = 0; i < n; i++) {
                        Remb.ssrc(cut, at, i);
                    }
                    Remb.bitrate(cut, at, plen);
                    TransportCcFeedback.parse(cut, at, plen, arrivals);
                    Fir.entries(cut, at, plen);
                }
                // A cut compound yields only its whole packets: the cut one is refused.
                assertTrue(end <= len, where);
                int whole = 0;
                RtcpCompoundIterator full = new RtcpCompoundIterator().reset(c.bytes(), 0, c.bytes().length);
                while (full.next() && full.packetOffset() + full.packetLength() <= len) {
                    whole = full.packetOffset() + full.packetLength();
                }
                assertEquals(whole, end, where);
            }
        }
    }
}
