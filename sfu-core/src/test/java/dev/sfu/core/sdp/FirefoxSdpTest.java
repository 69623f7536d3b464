package dev.sfu.core.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaKind;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Firefox's own SDP, as Debian's firefox-esr 153 sent it to the server in FirefoxCallTest (signaling-api,
 * saved under target/e2e/sdp/ by that test; copied here unchanged):
 * <ul>
 * <li>firefox-datachannel-offer.sdp: the page's first publish offer, the chat data channel alone;</li>
 * <li>firefox-simulcast-offer.sdp: the re-offer adding camera and microphone with three rid layers
 *     (q, h, f) beside the data channel;</li>
 * <li>firefox-publish-offer.sdp: a page without simulcast and without a data channel (another run);</li>
 * <li>firefox-subscribe-offer.sdp / firefox-subscribe-answer.sdp: a subscribe offer of the server's and
 *     Firefox's answer to it;</li>
 * <li>firefox-restart-offer.sdp: the same page's offer after {@code restartIce()}.</li>
 * </ul>
 * What Firefox does unlike Chromium: every section after the first is offered with port 0 and
 * {@code a=bundle-only} (max-bundle), the fingerprint sits at session level and ICE credentials in each
 * section, extmap ids carry directions ({@code 9/sendonly}), and rid simulcast comes with one a=ssrc and FID
 * group per layer.
 */
class FirefoxSdpTest {

    @Test
    void bundleOnlySectionsAreAcceptedNotRejected() throws SdpException {
        PublishAnswer result = PublishNegotiator.answer(SdpFixtures.load("firefox-publish-offer.sdp"),
                SdpFixtures.serverParameters(), "ff");
        SessionDescription answer = SessionDescription.parse(result.sdp());
        assertEquals("BUNDLE 0 1", answer.attribute("group").orElseThrow(), "the video section is bundled, not refused");
        assertEquals(List.of(MediaKind.AUDIO, MediaKind.VIDEO), result.tracks().stream().map(PublishedTrack::kind).toList());
        MediaDescription video = answer.media().get(1);
        assertFalse(video.isRejected());
        assertEquals(9, video.port());
        assertEquals("recvonly", video.direction());
        assertEquals(List.of("120", "124"), video.formats(), "VP8 and its RTX, in Firefox's payload types");
        PublishedTrack camera = result.tracks().get(1);
        assertEquals(Codec.VP8, camera.format().codec());
        assertEquals(List.of(558688697L), camera.ssrcs());
        assertEquals(483968470L, camera.rtxSsrcs().get(558688697L));
        assertEquals("{675c1f91-7a63-40de-a834-c22aa6dfc53c}", camera.streamId());
        // ICE credentials in every section, fingerprint at session level.
        assertEquals("b1842480", result.remote().iceUfrag());
        assertEquals("sha-256", result.remote().fingerprintAlgorithm());
        assertEquals(DtlsSetup.PASSIVE, result.localSetup(), "Firefox offers actpass: the server is the DTLS server");
    }

    @Test
    void aPortZeroSectionWithoutBundleOnlyIsStillRejected() throws SdpException {
        String offer = SdpFixtures.load("firefox-publish-offer.sdp").replace("a=bundle-only\r\n", "");
        PublishAnswer result = PublishNegotiator.answer(offer, SdpFixtures.serverParameters(), "ff");
        assertEquals(List.of(MediaKind.AUDIO), result.tracks().stream().map(PublishedTrack::kind).toList());
        assertTrue(SessionDescription.parse(result.sdp()).media().get(1).isRejected());
    }

    @Test
    void simulcastLayersAreLearnedFromTheirRidsNotFromTheSignalledSsrcs() throws SdpException {
        PublishAnswer result = PublishNegotiator.answer(SdpFixtures.load("firefox-simulcast-offer.sdp"),
                SdpFixtures.serverParameters(), "ff");
        SessionDescription answer = SessionDescription.parse(result.sdp());
        assertEquals("BUNDLE 0 1 2", answer.attribute("group").orElseThrow());
        assertNotNull(result.data(), "the data channel stays");
        PublishedTrack camera = result.tracks().stream().filter(t -> t.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
        assertEquals(List.of("q", "h", "f"), camera.rids());
        // Firefox lists six SSRCs (three layers and their RTX) without saying which rid each is: binding them
        // up front would put every layer into the first one.
        assertTrue(camera.ssrcs().isEmpty(), "layer SSRCs come from the packets' rid extension");
        assertTrue(camera.rtxSsrcs().isEmpty());
        MediaDescription video = answer.media().get(2);
        assertEquals(List.of("q recv", "h recv", "f recv"), video.attributes("rid"));
        assertEquals("recv q;h;f", video.attribute("simulcast").orElseThrow());
        assertEquals(9, result.extensionIds().get(HeaderExtension.RID), "extmap 9/sendonly read as id 9");
        assertEquals(10, result.extensionIds().get(HeaderExtension.REPAIRED_RID));
        assertEquals(3, result.extensionIds().get(HeaderExtension.MID));
        assertTrue(video.attributes("extmap").contains("9/recvonly urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"),
                "the answer turns Firefox's sendonly extension around: " + video.attributes("extmap"));
    }

    @Test
    void aDataChannelAloneIsAnswered() throws SdpException {
        PublishAnswer result = PublishNegotiator.answer(SdpFixtures.load("firefox-datachannel-offer.sdp"),
                SdpFixtures.serverParameters(), "ff");
        assertTrue(result.tracks().isEmpty());
        assertEquals(5000, result.data().remotePort());
        assertEquals(1073741823L, result.data().remoteMaxMessageSize());
        MediaDescription data = SessionDescription.parse(result.sdp()).media().get(0);
        assertEquals("262144", data.attribute("max-message-size").orElseThrow());
    }

    @Test
    void theReOfferKeepsTheIceCredentialsSoItIsNoRestart() throws SdpException {
        TransportParameters first = TransportParameters.of(SessionDescription.parse(SdpFixtures.load("firefox-datachannel-offer.sdp")));
        TransportParameters second = TransportParameters.of(SessionDescription.parse(SdpFixtures.load("firefox-simulcast-offer.sdp")));
        assertEquals(first.iceUfrag(), second.iceUfrag());
        assertEquals(first.icePwd(), second.icePwd());
        assertEquals(first.fingerprint(), second.fingerprint());
    }

    @Test
    void anIceRestartOfferCarriesNewCredentialsAndStillNegotiates() throws SdpException {
        TransportParameters first = TransportParameters.of(SessionDescription.parse(SdpFixtures.load("firefox-simulcast-offer.sdp")));
        PublishAnswer restart = PublishNegotiator.answer(SdpFixtures.load("firefox-restart-offer.sdp"),
                SdpFixtures.serverParameters(), "ff");
        assertFalse(restart.remote().iceUfrag().equals(first.iceUfrag()), "a restart: new ice-ufrag");
        assertFalse(restart.remote().icePwd().equals(first.icePwd()), "and new ice-pwd");
        assertEquals(first.fingerprint(), restart.remote().fingerprint(), "the same DTLS session goes on");
        assertEquals(List.of("q", "h", "f"), restart.tracks().stream().filter(t -> t.kind() == MediaKind.VIDEO)
                .findFirst().orElseThrow().rids());
        assertNotNull(restart.data());
    }

    @Test
    void firefoxsSubscribeAnswerIsAccepted() throws SdpException {
        List<SubscribeSlot> slots = SdpFixtures.subscribeSlots("firefox-subscribe-offer.sdp");
        SubscribeAnswer answer = SubscribeAnswer.parse(SdpFixtures.load("firefox-subscribe-answer.sdp"), slots);
        assertEquals(Set.of("0", "1"), answer.acceptedMids());
        assertEquals(DtlsSetup.ACTIVE, answer.remote().setup());
        assertEquals("3882466b", answer.remote().iceUfrag());
    }
}
