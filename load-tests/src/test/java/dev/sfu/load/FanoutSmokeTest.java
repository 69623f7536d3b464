package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness end to end at low load on loopback: a local server, one publisher, three subscribers, a
 * few seconds. Functional, not timing: every packet arrives intact and in order.
 */
@Tag("long")
class FanoutSmokeTest {

    @Test
    @Timeout(120)
    void fanoutAtLowLoadLosesNothing() throws Exception {
        LoadReport report = LoadTest.run(new Options(null, "fanout", 3, 0, 0, 3, 300, Path.of("unused")));
        System.out.println(report.table());
        assertEquals(3, report.layers(), "simulcast by default");
        assertEquals(3, report.videoStreamsPerLayer()[2], "each subscriber gets the top layer: " + report.table());
        assertTrue(report.streamsMeasured() >= 6, "3 subscribers x (audio + video)");
        assertTrue(report.packetsReceived() > 3 * 3 * 50, "about 3 s of audio at 50 packets/s to each subscriber");
        assertEquals(3, report.joinsMeasured(), "the subscribers joined flowing media");
        assertTrue(report.receiverReportsSent() >= 3 * 2, "a receiver report a second from each subscriber");
        assertTrue(report.keyframeRequestsReceived() > 0, "new subscriptions ask the publisher for a keyframe");
        assertTrue(report.transportFeedbackSent() >= 3 * 10,
                "subscribers answer the server's transport-wide sequence numbers with transport-cc feedback");
        assertEquals(0, report.packetsLost());
        assertEquals(0, report.packetsCorrupted());
        assertEquals(0, report.packetsReordered());
    }

    @Test
    @Timeout(120)
    void fanoutOverIceTcpOnlyLosesNothing() throws Exception {
        LoadReport report = LoadTest.run(new Options(null, "fanout", 3, 0, 0, 2, 300, Path.of("unused"))
                .withIce(dev.sfu.ice.IceTransport.Mode.TCP));
        System.out.println("over ICE-TCP:\n" + report.table());
        assertTrue(report.packetsReceived() > 3 * 2 * 50, "about 2 s of audio at 50 packets/s to each subscriber");
        assertEquals(3, report.joinsMeasured());
        assertEquals(0, report.packetsLost());
        assertEquals(0, report.packetsCorrupted());
        assertEquals(0, report.packetsReordered());
    }

    /** Subscribers whose WebSockets drop resume their sessions and lose no media meanwhile. */
    @Test
    @Timeout(120)
    void droppedWebSocketsResumeWithoutLosingMedia() throws Exception {
        Options options = Options.parse(new String[] {"--scenario", "fanout", "--subscribers", "3", "--seconds", "3",
            "--video-kbps", "300", "--drops-per-second", "2"});
        LoadReport report = LoadTest.run(options);
        System.out.println(report.table());
        assertTrue(report.resumes().drops() >= 3, "about 2 drops a second for 3 s: " + report.resumes());
        assertEquals(report.resumes().drops(), report.resumes().resumed(), "every session resumed: " + report.resumes());
        assertEquals(0, report.resumes().refused());
        assertEquals(0, report.packetsLost(), "media went on through the drops: " + report.table());
        assertTrue(report.packetsReceived() > 3 * 3 * 50, "about 3 s of audio at 50 packets/s to each subscriber");
    }

    /** The data scenario: every message reaches every other participant on the reliable channel. */
    @Test
    @Timeout(120)
    void dataChannelMessagesReachEveryOtherParticipant() throws Exception {
        Options options = Options.parse(new String[] {"--scenario", "data", "--conferences", "1", "--participants", "3",
            "--seconds", "2", "--messages-per-second", "10", "--message-bytes", "100"});
        DataScenario.Report report = LoadTest.runData(options);
        System.out.println(report.table());
        assertEquals(3, report.modes().size());
        DataScenario.ModeReport reliable = report.modes().get(0);
        assertEquals("reliable", reliable.mode());
        assertTrue(reliable.sent() >= 3 * 2 * 5, "about 2 s at 10/s from each of 3: " + report.table());
        assertEquals(2 * reliable.sent(), reliable.expected(), "each message to the 2 others");
        assertEquals(reliable.expected(), reliable.received(), "nothing lost on loopback: " + report.table());
        for (DataScenario.ModeReport m : report.modes()) {
            assertTrue(m.received() > 0, m.mode() + " delivers");
            assertTrue(m.p50Ms() >= 0 && m.p99Ms() >= m.p50Ms(), m.toString());
        }
        assertTrue(report.refused().isEmpty(), "within the data limits nothing is refused: " + report.refused());
    }

    @Test
    @Timeout(120)
    void meetingsKeepMediaInsideEachConference() throws Exception {
        LoadReport report = LoadTest.run(new Options(null, "meetings", 0, 2, 3, 2, 200, Path.of("unused")));
        // 2 conferences x 3 participants, each receiving the 2 others' audio and video: 24 streams, no more
        // (a video stream that switched simulcast layers in the window shows as two).
        assertTrue(report.streamsMeasured() >= 24 && report.streamsMeasured() <= 36, report.table());
        assertEquals(4, report.joinsMeasured(), "all but the first of each meeting joined flowing media");
        assertEquals(0, report.packetsLost());
        assertEquals(0, report.packetsCorrupted());
    }

    @Test
    @Timeout(120)
    void churnDoesNotDisturbTheSteadySubscribers() throws Exception {
        LoadReport report = LoadTest.run(new Options(null, "churn", 2, 0, 0, 4, 200, Path.of("unused"), 2, 3, 10, 200, 4, 10));
        assertTrue(report.streamsMeasured() >= 4 && report.streamsMeasured() <= 6,
                "only the steady subscribers are measured (a video stream may show two layers)");
        assertEquals(0, report.packetsLost());
        assertEquals(0, report.packetsCorrupted());
        assertTrue(report.packetsReceived() > 2 * 3 * 50);
    }

    /** The ramp adds subscribers step by step and reports each step; at this size every step is within limits. */
    @Test
    @Timeout(120)
    void rampReportsEveryStep() throws Exception {
        LoadReport report = LoadTest.run(new Options(null, "ramp", 0, 0, 0, 0, 300, Path.of("unused"), 1, 3,
                2, 4, 1, 10));
        System.out.println(report.table());
        assertEquals(2, report.ramp().size(), "steps of 2 and 4 subscribers");
        assertEquals(4, report.ramp().get(1).subscribers());
        assertTrue(report.ramp().stream().allMatch(LoadReport.RampStep::withinLimits), report.table());
        assertEquals(0, report.packetsLost());
    }

    @Test
    void payloadsDetectAnyChangedByte() {
        byte[] buf = new byte[200];
        MediaPayload.write(buf, 0, 200, 3, 1, 77, 123456789L);
        assertTrue(MediaPayload.verify(buf, 0, 200));
        assertEquals(77, MediaPayload.sequence(buf, 0));
        assertEquals(123456789L, MediaPayload.sentNanos(buf, 0));
        buf[150] ^= 1;
        assertTrue(!MediaPayload.verify(buf, 0, 200));
    }
}
