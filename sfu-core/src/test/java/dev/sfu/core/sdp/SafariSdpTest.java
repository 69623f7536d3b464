package dev.sfu.core.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Safari's SDP shapes (Safari cannot run here; the publish offer's test is in PublishNegotiatorTest). */
class SafariSdpTest {

    /**
     * safari-subscribe-answer.sdp is written by hand in the shape WebKit gives an answer (Safari cannot run
     * here): {@code a=msid-semantic:WMS*} without a space, {@code a=extmap-allow-mixed}, a trailing space
     * after rtcp-fb values, an mDNS host candidate with network-cost, ICE credentials and fingerprint in every
     * section. It must be accepted like Firefox's answer to the same offer.
     */
    @Test
    void aSafariShapedSubscribeAnswerIsAccepted() throws SdpException {
        List<SubscribeSlot> slots = SdpFixtures.subscribeSlots("firefox-subscribe-offer.sdp");
        SubscribeAnswer answer = SubscribeAnswer.parse(SdpFixtures.load("safari-subscribe-answer.sdp"), slots);
        assertEquals(Set.of("0", "1"), answer.acceptedMids());
        assertEquals(DtlsSetup.ACTIVE, answer.remote().setup());
        assertEquals("Xq7T", answer.remote().iceUfrag());
        assertEquals("c1hM0rE9yq2V8bNnB2kZ3pLw", answer.remote().icePwd());
    }
}
