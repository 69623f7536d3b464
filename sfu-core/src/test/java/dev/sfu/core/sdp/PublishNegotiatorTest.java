package dev.sfu.core.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.media.Codec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishNegotiatorTest {

    @Test
    void answersChromeWithOpusAndVp8AndSimulcast() throws SdpException {
        PublishAnswer result = PublishNegotiator.answer(SdpFixtures.load("chrome-publish-offer.sdp"),
                SdpFixtures.serverParameters(), "ep1");
        SessionDescription answer = SessionDescription.parse(result.sdp());
        assertEquals("BUNDLE 0 1", answer.attribute("group").orElseThrow());
        assertEquals(3, answer.media().size());

        MediaDescription audio = answer.media().get(0);
        assertEquals(List.of("111"), audio.formats());
        assertEquals("recvonly", audio.direction());
        assertEquals("passive", audio.attribute("setup").orElseThrow());
        assertEquals(DtlsSetup.PASSIVE, result.localSetup());
        assertTrue(audio.attributes("candidate").contains("1 1 udp 2130706431 127.0.0.1 10000 typ host"));

        MediaDescription video = answer.media().get(1);
        assertEquals(List.of("96", "97"), video.formats());
        assertEquals("recv q;h;f", video.attribute("simulcast").orElseThrow());
        assertEquals(List.of("q recv", "h recv", "f recv"), video.attributes("rid"));
        assertTrue(video.attributes("extmap").contains("10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
        assertFalse(video.attributes("rtcp-fb").contains("96 goog-remb"));

        MediaDescription data = answer.media().get(2);
        assertTrue(data.isRejected());
        assertEquals("2", data.mid());

        assertEquals(2, result.tracks().size());
        PublishedTrack audioTrack = result.tracks().get(0);
        assertEquals(Codec.OPUS, audioTrack.format().codec());
        assertEquals(List.of(2893043127L), audioTrack.ssrcs());
        assertEquals("0c7a2b5e-9d5f-4a45-9a0c-2a7f3b3f9a01", audioTrack.trackId());
        PublishedTrack videoTrack = result.tracks().get(1);
        assertEquals(Codec.VP8, videoTrack.format().codec());
        assertEquals(97, videoTrack.format().rtxPayloadType());
        assertEquals(List.of("q", "h", "f"), videoTrack.rids());
        assertEquals(10, result.extensionIds().get(HeaderExtension.RID));
        assertEquals("Kq3v", result.remote().iceUfrag());
        assertEquals("sha-256", result.remote().fingerprintAlgorithm());
    }

    @Test
    void answersFirefoxWithItsOwnPayloadTypesAndSsrcGroups() throws SdpException {
        PublishAnswer result = PublishNegotiator.answer(SdpFixtures.load("firefox-publish-offer.sdp"),
                SdpFixtures.serverParameters(), "ep2");
        SessionDescription answer = SessionDescription.parse(result.sdp());
        assertEquals(List.of("109"), answer.media().get(0).formats());
        assertEquals(List.of("120", "124"), answer.media().get(1).formats());
        PublishedTrack video = result.tracks().get(1);
        assertEquals(List.of(2864434397L), video.ssrcs());
        assertEquals(4008636142L, video.rtxSsrcs().get(2864434397L));
        assertEquals("{8f4e2a1b-6c3d-4e5f-9a0b-1c2d3e4f5a6b}", video.streamId());
        assertEquals(3, result.extensionIds().get(HeaderExtension.MID));
    }

    @Test
    void answersSafariPreferringVp8OverItsFirstH264() throws SdpException {
        PublishAnswer result = PublishNegotiator.answer(SdpFixtures.load("safari-publish-offer.sdp"),
                SdpFixtures.serverParameters(), "ep3");
        PublishedTrack video = result.tracks().get(1);
        assertEquals(Codec.VP8, video.format().codec());
        assertEquals(100, video.format().payloadType());
        assertEquals(101, video.format().rtxPayloadType());
    }

    @Test
    void picksH264WhenItIsTheOnlyVideoCodec() throws SdpException {
        String offer = SdpFixtures.load("safari-publish-offer.sdp")
                .replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 127 125 104", "m=video 9 UDP/TLS/RTP/SAVPF 96 97");
        PublishAnswer result = PublishNegotiator.answer(offer, SdpFixtures.serverParameters(), "ep3");
        assertEquals(Codec.H264, result.tracks().get(1).format().codec());
        assertTrue(result.tracks().get(1).format().fmtp().contains("profile-level-id=640c1f"));
    }

    /**
     * An offer that insists on a=setup:passive (allowed before RFC 8842) gets an active answer, and the
     * answer says which role the server's transport must take (found by fuzzing: the transport kept
     * "passive" and could not agree on a DTLS role).
     */
    @Test
    void aPassiveOfferGetsAnActiveAnswer() throws SdpException {
        String offer = SdpFixtures.load("chrome-publish-offer.sdp").replace("a=setup:actpass", "a=setup:passive");
        PublishAnswer result = PublishNegotiator.answer(offer, SdpFixtures.serverParameters(), "ep1");
        assertEquals(DtlsSetup.ACTIVE, result.localSetup());
        assertEquals("active", SessionDescription.parse(result.sdp()).media().get(0).attribute("setup").orElseThrow());
        assertEquals(dev.sfu.dtls.DtlsRole.CLIENT, dev.sfu.dtls.DtlsRole.of(result.localSetup().wireName(), result.remote().setup().wireName()));
    }

    @Test
    void rejectsOffersWithNothingUsable() {
        String dataOnly = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\na=ice-ufrag:abcd\r\n"
                + "a=ice-pwd:abcdabcdabcdabcdabcdabcd\r\na=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\n";
        SdpException e = assertThrows(SdpException.class,
                () -> PublishNegotiator.answer(dataOnly, SdpFixtures.serverParameters(), "ep"));
        assertTrue(e.getMessage().contains("no audio or video"), e.getMessage());
        String noIce = SdpFixtures.load("chrome-publish-offer.sdp").replace("a=ice-ufrag:Kq3v\r\n", "");
        assertThrows(SdpException.class, () -> PublishNegotiator.answer(noIce, SdpFixtures.serverParameters(), "ep"));
    }
}
