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
        assertEquals("BUNDLE 0 1 2", answer.attribute("group").orElseThrow());
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
        assertFalse(data.isRejected(), "the data channel section is accepted");
        assertEquals("2", data.mid());
        assertEquals(new DataChannelParameters("2", 5000, 262144), result.data());

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

    // Firefox's captured offers and answers: FirefoxSdpTest.

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
        String otherApplication = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "m=application 9 UDP/BFCP *\r\na=mid:0\r\na=ice-ufrag:abcd\r\n"
                + "a=ice-pwd:abcdabcdabcdabcdabcdabcd\r\na=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\n";
        SdpException e = assertThrows(SdpException.class,
                () -> PublishNegotiator.answer(otherApplication, SdpFixtures.serverParameters(), "ep"));
        assertTrue(e.getMessage().contains("no audio, video or data channel"), e.getMessage());
        String noIce = SdpFixtures.load("chrome-publish-offer.sdp").replace("a=ice-ufrag:Kq3v\r\n", "");
        assertThrows(SdpException.class, () -> PublishNegotiator.answer(noIce, SdpFixtures.serverParameters(), "ep"));
    }

    private static String dataOffer(String... extra) {
        StringBuilder sdp = new StringBuilder("""
                v=0
                o=- 1 2 IN IP4 127.0.0.1
                s=-
                t=0 0
                a=group:BUNDLE d
                m=application 9 UDP/DTLS/SCTP webrtc-datachannel
                c=IN IP4 0.0.0.0
                a=ice-ufrag:Kq3v
                a=ice-pwd:Zq2m5c7tQ4f0bS6dJ1nR8xYv
                a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:79:F2
                a=setup:actpass
                a=mid:d
                """);
        for (String line : extra) {
            sdp.append(line).append('\n');
        }
        return sdp.toString().replace("\n", "\r\n");
    }

    @Test
    void aWatchOnlyClientMayOfferJustADataChannel() throws SdpException {
        PublishAnswer result = PublishNegotiator.answer(dataOffer("a=sctp-port:5000", "a=max-message-size:1048576",
                "a=sctp-init:AQAAAA"), SdpFixtures.serverParameters(), "ep1");
        SessionDescription answer = SessionDescription.parse(result.sdp());
        assertEquals("BUNDLE d", answer.attribute("group").orElseThrow());
        MediaDescription data = answer.media().get(0);
        assertEquals("application", data.media());
        assertEquals("UDP/DTLS/SCTP", data.proto());
        assertEquals(List.of("webrtc-datachannel"), data.formats());
        assertEquals("5000", data.attribute("sctp-port").orElseThrow());
        assertEquals("262144", data.attribute("max-message-size").orElseThrow());
        assertFalse(data.hasAttribute("sctp-init"), "Chrome's experimental sctp-init is never echoed");
        assertEquals("passive", data.attribute("setup").orElseThrow());
        assertEquals(1048576, result.data().remoteMaxMessageSize(), "the client's own limit, for what we send it");
        assertTrue(result.tracks().isEmpty());
    }

    @Test
    void maxMessageSizeFollowsRfc8841() throws SdpException {
        assertEquals(65536, PublishNegotiator.answer(dataOffer("a=sctp-port:5000"), SdpFixtures.serverParameters(), "e")
                .data().remoteMaxMessageSize(), "absent: 64 KiB");
        assertEquals(Long.MAX_VALUE, PublishNegotiator.answer(dataOffer("a=max-message-size:0"),
                SdpFixtures.serverParameters(), "e").data().remoteMaxMessageSize(), "0: no limit");
        assertThrows(SdpException.class, () -> PublishNegotiator.answer(dataOffer("a=max-message-size:-5"),
                SdpFixtures.serverParameters(), "e"), "a malformed section is rejected, and then nothing is left");
        assertThrows(SdpException.class, () -> PublishNegotiator.answer(dataOffer("a=sctp-port:70000"),
                SdpFixtures.serverParameters(), "e"));
    }

    @Test
    void aSecondDataSectionIsRejected() throws SdpException {
        String two = dataOffer("a=sctp-port:5000").replace("a=group:BUNDLE d", "a=group:BUNDLE d e")
                + dataOffer("a=sctp-port:5000").substring(dataOffer().indexOf("m=application")).replace("a=mid:d", "a=mid:e");
        PublishAnswer result = PublishNegotiator.answer(two, SdpFixtures.serverParameters(), "e");
        SessionDescription answer = SessionDescription.parse(result.sdp());
        assertEquals(2, answer.media().size());
        assertFalse(answer.media().get(0).isRejected());
        assertTrue(answer.media().get(1).isRejected());
        assertEquals("BUNDLE d", answer.attribute("group").orElseThrow());
        assertEquals("d", result.data().mid());
    }

    @Test
    void anOfferBeyondTheTrackLimitIsRejectedNamingTheLimit() {
        String chrome = SdpFixtures.load("chrome-publish-offer.sdp");
        int audioStart = chrome.indexOf("m=audio");
        String audio = chrome.substring(audioStart, chrome.indexOf("m=video"));
        StringBuilder many = new StringBuilder(chrome.substring(0, audioStart).replace("a=group:BUNDLE 0 1 2", "a=group:BUNDLE"));
        for (int i = 0; i < 9; i++) {
            many.append(audio.replace("a=mid:0", "a=mid:a" + i));
        }
        SdpException e = assertThrows(SdpException.class, () -> PublishNegotiator.answer(many.toString(),
                SdpFixtures.serverParameters(), "ep"));
        assertTrue(e.getMessage().contains("more than 8 audio tracks") && e.getMessage().contains("audio-tracks"),
                e.getMessage());
    }

    @Test
    void aHugeSimulcastLineIsReadOnlyAsFarAsItsThreeLayers() throws SdpException {
        String chrome = SdpFixtures.load("chrome-publish-offer.sdp");
        StringBuilder rids = new StringBuilder();
        for (int i = 0; i < 13_000; i++) {
            rids.append(i == 0 ? "" : ";").append('r').append(i % 3 == 0 ? i : i % 7);
        }
        String huge = chrome.replace("a=simulcast:send q;h;f", "a=simulcast:send " + rids);
        assertTrue(huge.length() > 64 * 1024 - 20_000, "about 64 KiB of offer");
        long start = System.nanoTime();
        PublishAnswer result = PublishNegotiator.answer(huge, SdpFixtures.serverParameters(), "ep");
        System.out.printf("13,000 rids answered in %.1f ms%n", (System.nanoTime() - start) / 1e6);
        assertEquals(List.of("r0", "r1", "r2"), result.tracks().get(1).rids());
    }

    @Test
    void msidIdsAreTakenOnlyAsRfc8830TokensOfAtMost64Chars() throws SdpException {
        assertTrue(PublishNegotiator.isMsidId("a1b2-c3d4.{stream}"));
        assertFalse(PublishNegotiator.isMsidId(""));
        assertFalse(PublishNegotiator.isMsidId("x".repeat(65)));
        assertFalse(PublishNegotiator.isMsidId("evil\u001b[2J"), "control characters would reach logs");
        assertFalse(PublishNegotiator.isMsidId("a\"b"), "a quote is no token-char");
        String chrome = SdpFixtures.load("chrome-publish-offer.sdp");
        String msid = chrome.lines().filter(l -> l.startsWith("a=msid:")).findFirst().orElseThrow();
        String hostile = chrome.replace(msid, "a=msid:" + "s".repeat(100) + " t\u0007rack");
        PublishAnswer result = PublishNegotiator.answer(hostile, SdpFixtures.serverParameters(), "ep9");
        assertEquals("ep9", result.tracks().get(0).streamId(), "an overlong stream id gives way to the endpoint id");
        assertEquals("ep9-0", result.tracks().get(0).trackId(), "a track id with a control character too");
    }
}
