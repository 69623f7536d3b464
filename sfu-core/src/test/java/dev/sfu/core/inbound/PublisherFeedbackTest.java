package dev.sfu.core.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.media.InboundStream;
import dev.sfu.core.media.MediaFormat;
import dev.sfu.core.media.Track;
import dev.sfu.core.transport.RecordingSender;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.ReceiverReport;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.rtp.rtcp.TransportCcFeedback;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RTCP a publisher gets from us, built from packets that arrive on a virtual clock. */
class PublisherFeedbackTest {
    private static final int TCC_ID = 5;
    private static final long MS = 1_000_000L;

    private final Track video = new Track("v", "pub", "pub", MediaKind.VIDEO, "1", MediaFormat.canonical(Codec.VP8, ""),
            List.of(), s -> { });
    private final StreamTable streams = new StreamTable();
    private final RecordingSender out = new RecordingSender();
    private final PublisherFeedback feedback = new PublisherFeedback(out, streams);
    private final InboundStream stream = new InboundStream(video, 0, false, 4242);
    private long now = 10_000 * MS;

    PublisherFeedbackTest() {
        streams.bind(4242, stream);
        feedback.configure(new ExtensionIds(0, 0, 0, 0, 0, TCC_ID), false);
    }

    /** A packet with a transport-wide sequence number arrives (and is counted by its stream) 10 ms after the last. */
    private void arrive(int rtpSequence, int transportSequence) {
        byte[] b = new byte[100];
        RtpPacket.writeHeader(b, 0, false, 96, rtpSequence, 0, 4242);
        RtpPacket p = new RtpPacket();
        p.wrap(b, 0, 20);
        int length = p.addExtension(TCC_ID, new byte[] {(byte) (transportSequence >> 8), (byte) transportSequence}, 0, 2);
        p.wrap(b, 0, length);
        now += 10 * MS;
        feedback.onPacketArrived(p, now);
        stream.reception().onPacket(rtpSequence, 0, now);
    }

    @Test
    void transportFeedbackReportsEveryArrivalOnceWithItsTime() {
        for (int i = 0; i < 5; i++) {
            arrive(100 + i, 7 + i);
        }
        arrive(106, 13); // transport-wide 12 lost
        feedback.sendTransportFeedback();
        assertEquals(1, out.rtcp.size());
        byte[] fb = out.rtcp.get(0);
        long[] arrivals = new long[64];
        int count = TransportCcFeedback.parse(fb, 0, fb.length, arrivals);
        assertEquals(7, count, "7..13");
        assertEquals(7, (fb[12] & 0xff) << 8 | (fb[13] & 0xff), "base sequence");
        assertEquals(TransportCcFeedback.NOT_RECEIVED, arrivals[5]);
        assertEquals(10_000, arrivals[1] - arrivals[0], "10 ms apart, in microseconds");
        feedback.sendTransportFeedback();
        assertEquals(1, out.rtcp.size(), "nothing new: no feedback");
    }

    @Test
    void aGapIsNackedOnceAndNotAgain() {
        arrive(200, 1);
        arrive(203, 2); // 201 and 202 lost
        feedback.sendNacks();
        assertEquals(1, out.rtcp.size());
        RtcpCompoundIterator it = new RtcpCompoundIterator();
        byte[] nack = out.rtcp.get(0);
        it.reset(nack, 0, nack.length);
        assertTrue(it.next() && GenericNack.is(it));
        assertEquals(4242, it.mediaSsrc());
        assertEquals(201, GenericNack.pid(nack, 0, 0));
        assertEquals(0b1, GenericNack.blp(nack, 0, 0), "202 in the bitmask");
        feedback.sendNacks();
        assertEquals(1, out.rtcp.size(), "each gap is NACKed once");
        assertEquals(2, feedback.nacksSent());
    }

    @Test
    void receiverReportsCarryABlockPerStream() {
        arrive(10, 1);
        arrive(12, 2);
        feedback.sendReceiverReport(now);
        byte[] rr = out.rtcp.get(0);
        RtcpCompoundIterator it = new RtcpCompoundIterator();
        it.reset(rr, 0, rr.length);
        assertTrue(it.next() && ReceiverReport.is(it));
        assertEquals(1, it.countOrFormat(), "one report block");
        assertEquals(4242, RtcpCompoundIterator.readInt(rr, 8), "about our stream");
        assertEquals(1, RtcpCompoundIterator.readInt(rr, 12) & 0xffffff, "one packet lost so far");
    }

    @Test
    void nothingIsSentWhileTheTransportIsDown() {
        arrive(1, 1);
        arrive(5, 2);
        out.connected = false;
        feedback.sendTransportFeedback();
        feedback.sendNacks();
        feedback.sendReceiverReport(now);
        feedback.requestKeyframe(4242);
        assertTrue(out.rtcp.isEmpty());
    }
}
