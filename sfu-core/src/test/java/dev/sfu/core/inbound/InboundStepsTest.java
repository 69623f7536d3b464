package dev.sfu.core.inbound;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.Track;
import dev.sfu.rtp.RtpPacket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inbound pipeline's steps, each on byte arrays: stream lookup, RTX repair, audio level. */
class InboundStepsTest {
    private static final int MID_ID = 4;
    private static final int RID_ID = 10;
    private static final int REPAIRED_RID_ID = 11;
    private static final int AUDIO_LEVEL_ID = 1;
    private static final ExtensionIds IDS = new ExtensionIds(MID_ID, RID_ID, REPAIRED_RID_ID, AUDIO_LEVEL_ID, 0, 0);

    private final List<Integer> keyframeRequests = new ArrayList<>();
    private final Track simulcast = new Track("v", "pub", "pub", MediaKind.VIDEO, "1", MediaFormat.canonical(Codec.VP8, ""),
            List.of("q", "h", "f"), keyframeRequests::add);
    private final Track audio = new Track("a", "pub", "pub", MediaKind.AUDIO, "0", MediaFormat.canonical(Codec.OPUS, ""),
            List.of(), s -> { });
    private final List<Track> tracks = List.of(audio, simulcast);
    private final StreamTable streams = new StreamTable();

    /** An RTP packet with room for extensions, and the given one-byte extensions added. */
    private static RtpPacket packet(int payloadType, int sequence, int ssrc, byte[] payload, Object... extensions) {
        byte[] b = new byte[200];
        RtpPacket.writeHeader(b, 0, false, payloadType, sequence, 3000, ssrc);
        System.arraycopy(payload, 0, b, 12, payload.length);
        RtpPacket p = new RtpPacket();
        assertTrue(p.wrap(b, 0, 12 + payload.length));
        int length = p.length();
        for (int i = 0; i < extensions.length; i += 2) {
            Object v = extensions[i + 1];
            byte[] value = v instanceof String s ? s.getBytes(StandardCharsets.US_ASCII) : (byte[]) v;
            length = p.addExtension((Integer) extensions[i], value, 0, value.length);
            assertTrue(length > 0);
            assertTrue(p.wrap(b, 0, length));
        }
        return p;
    }

    @Test
    void signalledSsrcsAreFoundAndUnknownOnesWithoutMidAreCounted() {
        streams.bind(111, new InboundStream(audio, 0, false, 111));
        assertSame(audio, streams.lookup(packet(111, 1, 111, new byte[4]), tracks, IDS, 0).track());
        assertNull(streams.lookup(packet(111, 1, 999, new byte[4]), tracks, IDS, 0));
        assertNull(streams.lookup(packet(96, 1, 998, new byte[4], MID_ID, "7"), tracks, IDS, 0), "no such mid");
        assertEquals(2, streams.unroutable());
        assertEquals(1, streams.primaries().size());
    }

    @Test
    void ridSimulcastLayersAreLearnedFromMidAndRid() {
        InboundStream high = streams.lookup(packet(96, 1, 3003, new byte[4], MID_ID, "1", RID_ID, "f"), tracks, IDS, 0);
        assertEquals(2, high.encoding());
        assertFalse(high.rtx());
        assertEquals(3003, simulcast.encodingSsrc(2), "the track learns the layer's SSRC");
        InboundStream repair = streams.lookup(packet(97, 1, 4003, new byte[4], MID_ID, "1", REPAIRED_RID_ID, "f"),
                tracks, IDS, 0);
        assertTrue(repair.rtx());
        assertEquals(2, repair.encoding());
        assertSame(high, streams.lookup(packet(96, 2, 3003, new byte[4]), tracks, IDS, 0),
                "later packets need no extensions");
        assertNull(streams.lookup(packet(96, 1, 3009, new byte[4], MID_ID, "1", RID_ID, "x"), tracks, IDS, 0),
                "an unknown rid is refused");
        assertNull(streams.lookup(packet(96, 1, 3010, new byte[4], MID_ID, "1"), tracks, IDS, 0),
                "a simulcast track needs a rid");
        assertEquals(1, streams.primaries().size(), "RTX streams are not reported on");
    }

    @Test
    void aNewLayerWithSubscribersStartsWithAKeyframeRequest() {
        streams.lookup(packet(96, 1, 3001, new byte[4], MID_ID, "1", RID_ID, "q"), tracks, IDS, 0);
        assertTrue(keyframeRequests.isEmpty(), "nobody watches yet");
        streams.remove(simulcast);
        assertNull(streams.get(3001));
        assertTrue(streams.primaries().isEmpty());
    }

    @Test
    void rtxIsRepairedInPlaceIntoTheOriginal() {
        InboundStream original = new InboundStream(simulcast, 0, false, 5000);
        streams.bind(5000, original);
        InboundStream rtx = new InboundStream(simulcast, 0, true, 5001);
        streams.bind(5001, rtx);
        original.reception().onPacket(100, 0, 0);
        original.reception().onPacket(102, 0, 1); // 101 is missing
        byte[] payload = {0x00, 101, 0x10, 0x20, 0x30};
        RtpPacket p = packet(97, 7, 5001, payload);
        RtxRepair repair = new RtxRepair();
        assertSame(original, repair.repair(rtx, p, streams));
        assertEquals(5000, p.ssrc());
        assertEquals(101, p.sequenceNumber());
        assertEquals(Codec.VP8.payloadType(), p.payloadType());
        assertArrayEquals(new byte[] {0x10, 0x20, 0x30},
                Arrays.copyOfRange(p.buffer(), p.payloadOffset(), p.payloadOffset() + p.payloadLength()));
        assertNull(repair.repair(rtx, packet(97, 8, 5001, payload), streams), "a second copy repairs nothing");
        assertNull(repair.repair(rtx, packet(97, 9, 5001, new byte[] {0x00, 90}), streams), "padding only");
        assertEquals(1, repair.recovered());
        assertEquals(2, repair.dropped());
    }

    @Test
    void loudnessFollowsTheAudioLevelAndDecaysInSilence() {
        AudioLevelMeter meter = new AudioLevelMeter();
        for (int i = 0; i < 50; i++) {
            meter.onAudioPacket(packet(111, i, 1, new byte[4], AUDIO_LEVEL_ID, new byte[] {(byte) (0x80 | 27)}),
                    AUDIO_LEVEL_ID);
        }
        double loud = meter.read();
        assertTrue(loud > 95 && loud <= 100, "about 127 - 27 after many packets: " + loud);
        assertEquals(loud / 2, meter.read(), 1e-9, "halves on a read with no audio since the last");
        meter.onAudioPacket(packet(111, 99, 1, new byte[4]), AUDIO_LEVEL_ID);
        assertEquals(loud / 4, meter.read(), 1e-9, "a packet without the extension is not audio heard");
    }

    @Test
    void aTrackLearnsABoundedNumberOfSsrcs() {
        int limit = StreamTable.learnLimit(simulcast);
        for (int i = 0; i < 100; i++) {
            streams.lookup(packet(96, 1, 9000 + i, new byte[4], MID_ID, "1", RID_ID, "h"), tracks, IDS, 0);
        }
        assertEquals(12, limit, "3 layers: each with its RTX, twice over");
        assertEquals(limit, streams.primaries().size(), "a sprayer of SSRCs stops at the limit");
        assertEquals(100 - limit, streams.overLimit());
        assertNull(streams.get(9000 + limit), "refused SSRCs are not remembered either");
    }
}
