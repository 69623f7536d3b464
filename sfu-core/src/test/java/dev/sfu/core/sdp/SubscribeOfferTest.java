package dev.sfu.core.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.core.media.Codec;
import dev.sfu.core.media.MediaKind;
import dev.sfu.core.media.MediaFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubscribeOfferTest {
    private static final List<SubscribeSlot> SLOTS = List.of(
            new SubscribeSlot("0", MediaKind.AUDIO, new SubscribeSlot.OfferedTrack("alice", "alice", "a-audio",
                    MediaFormat.canonical(Codec.OPUS, ""), 1111, -1)),
            new SubscribeSlot("1", MediaKind.VIDEO, new SubscribeSlot.OfferedTrack("alice", "alice", "a-video",
                    MediaFormat.canonical(Codec.VP8, ""), 2222, 3333)),
            new SubscribeSlot("2", MediaKind.VIDEO, null));

    @Test
    void writesAnOfferBrowsersAccept() throws SdpException {
        SessionDescription offer = SessionDescription.parse(SubscribeOfferWriter.write(SLOTS, SdpFixtures.serverParameters()));
        assertEquals("BUNDLE 0 1 2", offer.attribute("group").orElseThrow());
        MediaDescription audio = offer.media().get(0);
        assertEquals("sendonly", audio.direction());
        assertEquals("actpass", audio.attribute("setup").orElseThrow());
        assertTrue(audio.attributes("rtpmap").contains("111 opus/48000/2"));
        assertTrue(audio.attributes("ssrc").contains("1111 cname:alice"));
        assertEquals("alice a-audio", audio.attribute("msid").orElseThrow());
        MediaDescription video = offer.media().get(1);
        assertEquals(List.of("96", "97"), video.formats());
        assertEquals("FID 2222 3333", video.attribute("ssrc-group").orElseThrow());
        assertTrue(video.attributes("fmtp").contains("97 apt=96"));
        assertEquals("inactive", offer.media().get(2).direction());
        assertTrue(offer.media().get(2).attributes("ssrc").isEmpty());
    }

    @Test
    void readsAcceptedMidsFromAnAnswer() throws SdpException {
        String answer = """
                v=0
                o=- 1 2 IN IP4 127.0.0.1
                s=-
                t=0 0
                a=group:BUNDLE 0 1 2
                m=audio 9 UDP/TLS/RTP/SAVPF 111
                a=mid:0
                a=ice-ufrag:cli1
                a=ice-pwd:clientpasswordclientpass
                a=fingerprint:sha-256 AB:CD
                a=setup:active
                a=recvonly
                m=video 9 UDP/TLS/RTP/SAVPF 96 97
                a=mid:1
                a=recvonly
                m=video 0 UDP/TLS/RTP/SAVPF 96
                a=mid:2
                a=inactive
                """;
        SubscribeAnswer parsed = SubscribeAnswer.parse(answer, SLOTS);
        assertEquals(Set.of("0", "1"), parsed.acceptedMids());
        assertEquals(DtlsSetup.ACTIVE, parsed.remote().setup());
        assertEquals("cli1", parsed.remote().iceUfrag());
        assertThrows(SdpException.class, () -> SubscribeAnswer.parse(answer.replace("a=mid:2", "a=mid:9"), SLOTS));
    }
}
