package dev.sfu.core.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads the browser SDP samples in src/test/resources/sdp. */
final class SdpFixtures {
    private SdpFixtures() {
    }

    /** The fixture with CRLF line ends, as browsers produce it. */
    static String load(String name) {
        try (InputStream in = SdpFixtures.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n").replace("\n", "\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TransportParameters serverParameters() {
        return new TransportParameters("srvU", "serverpasswordserverpass", "sha-256",
                "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
                DtlsSetup.ACTPASS, java.util.List.of("candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host"));
    }

    /**
     * The slots of a subscribe offer fixture as the server made them: each sendonly m-line offers a track of
     * publisher "chrome" (Opus or VP8), the others none.
     */
    static java.util.List<SubscribeSlot> subscribeSlots(String offerFixture) throws SdpException {
        java.util.List<SubscribeSlot> slots = new java.util.ArrayList<>();
        for (MediaDescription m : SessionDescription.parse(load(offerFixture)).media()) {
            dev.sfu.core.media.MediaKind kind = dev.sfu.core.media.MediaKind.ofWireName(m.media());
            dev.sfu.core.media.Codec codec = kind == dev.sfu.core.media.MediaKind.AUDIO
                    ? dev.sfu.core.media.Codec.OPUS : dev.sfu.core.media.Codec.VP8;
            slots.add(new SubscribeSlot(m.mid(), kind, m.direction().equals("sendonly")
                    ? new SubscribeSlot.OfferedTrack("chrome", "chrome", "t" + m.mid(),
                            dev.sfu.core.media.MediaFormat.canonical(codec, ""), 1, -1)
                    : null));
        }
        return slots;
    }
}
