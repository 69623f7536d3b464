package dev.sfu.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness end to end at low load on loopback: a local server, one publisher, three subscribers, a
 * few seconds. Functional, not timing: every packet arrives intact and in order.
 */
class FanoutSmokeTest {

    @Test
    @Timeout(120)
    void fanoutAtLowLoadLosesNothing() throws Exception {
        LoadReport report = LoadTest.run(new LoadTest.Options(null, "fanout", 3, 0, 0, 3, 300, Path.of("unused")));
        System.out.println(report.table());
        assertEquals(6, report.streamsMeasured(), "3 subscribers x (audio + video)");
        assertTrue(report.packetsReceived() > 3 * 3 * 50, "about 3 s of audio at 50 packets/s to each subscriber");
        assertEquals(0, report.packetsLost());
        assertEquals(0, report.packetsCorrupted());
        assertEquals(0, report.packetsReordered());
    }

    @Test
    @Timeout(120)
    void meetingsKeepMediaInsideEachConference() throws Exception {
        LoadReport report = LoadTest.run(new LoadTest.Options(null, "meetings", 0, 2, 3, 2, 200, Path.of("unused")));
        // 2 conferences x 3 participants, each receiving the 2 others' audio and video: 24 streams, no more.
        assertEquals(24, report.streamsMeasured());
        assertEquals(0, report.packetsLost());
        assertEquals(0, report.packetsCorrupted());
    }

    @Test
    @Timeout(120)
    void churnDoesNotDisturbTheSteadySubscribers() throws Exception {
        LoadReport report = LoadTest.run(new LoadTest.Options(null, "churn", 2, 0, 0, 4, 200, Path.of("unused"), 2));
        assertEquals(4, report.streamsMeasured(), "only the steady subscribers are measured");
        assertEquals(0, report.packetsLost());
        assertEquals(0, report.packetsCorrupted());
        assertTrue(report.packetsReceived() > 2 * 3 * 50);
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
