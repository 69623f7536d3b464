package dev.sfu.core.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionDescriptionTest {

    @ParameterizedTest
    @ValueSource(strings = {"chrome-publish-offer.sdp", "firefox-publish-offer.sdp", "safari-publish-offer.sdp"})
    void roundTripsBrowserOffersByteForByte(String fixture) throws SdpException {
        String text = SdpFixtures.load(fixture);
        SessionDescription sdp = SessionDescription.parse(text);
        assertEquals(text, sdp.toString());
    }

    @Test
    void readsMediaSectionsAndAttributes() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(SdpFixtures.load("chrome-publish-offer.sdp"));
        assertEquals(3, sdp.media().size());
        MediaDescription video = sdp.media().get(1);
        assertEquals("video", video.media());
        assertEquals("1", video.mid());
        assertEquals("sendonly", video.direction());
        assertEquals("Kq3v", sdp.attribute(video, "ice-ufrag").orElseThrow());
        MediaFormats formats = new MediaFormats(video);
        assertEquals("VP8", formats.rtpMap(96).encodingName());
        assertEquals(97, formats.rtxFor(96));
        assertEquals("1", formats.fmtpParameter(109, "packetization-mode"));
        assertTrue(formats.rtcpFeedback(96).contains("nack pli"));
    }

    @Test
    void acceptsLineFeedOnlyLineEnds() throws SdpException {
        String text = SdpFixtures.load("firefox-publish-offer.sdp").replace("\r\n", "\n");
        assertEquals(2, SessionDescription.parse(text).media().size());
    }

    @Test
    void rejectsMalformedInput() {
        assertThrows(SdpException.class, () -> SessionDescription.parse(""));
        assertThrows(SdpException.class, () -> SessionDescription.parse(null));
        assertThrows(SdpException.class, () -> SessionDescription.parse("hello"));
        assertThrows(SdpException.class, () -> SessionDescription.parse("v=1\r\n"));
        assertThrows(SdpException.class, () -> SessionDescription.parse("v=0\r\nm=audio\r\n"));
        assertThrows(SdpException.class, () -> SessionDescription.parse("v=0\r\nm=audio x RTP/AVP 0\r\n"));
        assertThrows(SdpException.class, () -> SessionDescription.parse("v=0\r\nm=audio 70000 RTP/AVP 0\r\n"));
        assertThrows(SdpException.class, () -> SessionDescription.parse("v=0\r\n" + "a=x\r\n".repeat(20000)));
    }

    /** Truncations and random mutations of real offers: parsing and negotiating end in a result or an SdpException. */
    @Test
    void survivesTruncatedAndMutatedOffers() {
        Random random = new Random(42);
        String[] fixtures = {"chrome-publish-offer.sdp", "firefox-publish-offer.sdp", "safari-publish-offer.sdp"};
        for (String fixture : fixtures) {
            String text = SdpFixtures.load(fixture);
            for (int cut = 0; cut < text.length(); cut += 7) {
                tryNegotiate(text.substring(0, cut));
            }
            for (int i = 0; i < 2000; i++) {
                char[] chars = text.toCharArray();
                int mutations = 1 + random.nextInt(8);
                for (int j = 0; j < mutations; j++) {
                    chars[random.nextInt(chars.length)] = (char) (32 + random.nextInt(95));
                }
                tryNegotiate(new String(chars));
            }
        }
    }

    private static void tryNegotiate(String text) {
        try {
            PublishNegotiator.answer(text, SdpFixtures.serverParameters(), "ep");
        } catch (SdpException expected) {
            // reported as invalid: fine
        }
    }
}
