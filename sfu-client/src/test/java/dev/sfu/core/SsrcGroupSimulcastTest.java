package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.core.media.MediaKind;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Simulcast signalled the older way, by SSRCs (a=ssrc-group:SIM, lowest layer first) instead of rids:
 * the three SSRCs become the track's three layers, and a subscriber without constraints is switched to
 * the top one.
 */
class SsrcGroupSimulcastTest {
    private static final int[] LAYER_SSRCS = {0x5001, 0x5002, 0x5003};
    private static final int[] WIDTHS = {320, 640, 1280};
    private static final int[] HEIGHTS = {180, 360, 720};

    @Test
    @Timeout(60)
    void simGroupLayersAreSelectedLikeRidLayers() throws Exception {
        List<Integer> layersReceived = new CopyOnWriteArrayList<>();
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            SfuClient publisher = new SfuClient("publisher", call.context, call.clientThread, new SfuClient.Listener() {
            });
            EndpointHandle handle = call.sfu.join("sim", "publisher", publisher);
            publisher.attach(new SfuClient.Signaling() {
                @Override
                public CompletionStage<String> publishOffer(String sdp) {
                    // What a client using SSRC simulcast writes: the three layers in one SIM group.
                    String sim = "a=ssrc-group:SIM " + LAYER_SSRCS[0] + " " + LAYER_SSRCS[1] + " " + LAYER_SSRCS[2]
                            + "\r\na=ssrc:" + LAYER_SSRCS[1] + " cname:publisher\r\na=ssrc:" + LAYER_SSRCS[2]
                            + " cname:publisher\r\n";
                    String marker = "a=ssrc:" + LAYER_SSRCS[0] + " cname:";
                    return handle.publishOffer(sdp.replace(marker, sim + marker));
                }

                @Override
                public void subscribeAnswer(String sdp) throws Exception {
                    handle.subscribeAnswer(sdp);
                }
            });
            InProcessCall.Joined subscriber = call.join("sim", "subscriber", new SfuClient.Listener() {
                @Override
                public void onRtp(TrackMapping track, RtpPacket packet) {
                    if (track.kind() == MediaKind.VIDEO && packet.payloadLength() > 11) {
                        layersReceived.add((int) packet.buffer()[packet.payloadOffset() + 11]);
                    }
                }
            });
            publisher.publish(List.of(new ClientSdp.PublishSpec("1", "video", LAYER_SSRCS[0])))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            subscriber.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            int[] sequences = new int[3];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int frame = 0; System.nanoTime() < deadline; frame++) {
                for (int layer = 0; layer < 3; layer++) {
                    byte[] p = vp8(layer, sequences[layer]++, frame, frame % 10 == 0);
                    publisher.execute(() -> publisher.sendRtp(p, 0, 12 + 200));
                }
                Thread.sleep(20);
                List<Integer> now = List.copyOf(layersReceived); // the client thread appends while we look
                int n = now.size();
                if (n > 40 && now.subList(n - 20, n).stream().allMatch(l -> l == 2)) {
                    break;
                }
            }
            List<Integer> received = List.copyOf(layersReceived);
            int n = received.size();
            assertTrue(n > 40, "the subscriber receives video: " + n);
            assertTrue(received.subList(n - 20, n).stream().allMatch(l -> l == 2),
                    "the subscriber ends on the top SIM layer: " + received.subList(Math.max(0, n - 40), n));
            assertTrue(layersReceived.stream().allMatch(l -> l >= 0 && l <= 2), "only the three layers");
        }
    }

    /** A one-packet VP8 frame of a layer (RFC 7741 descriptor, RFC 6386 keyframe header), its layer at byte 11. */
    private static byte[] vp8(int layer, int sequence, int frame, boolean keyframe) {
        byte[] p = new byte[12 + 200 + 32];
        RtpPacket.writeHeader(p, 0, true, 96, sequence, frame * 3000, LAYER_SSRCS[layer]);
        int at = 12;
        p[at] = 0x10; // S: start of the frame
        p[at + 1] = (byte) (keyframe ? 0x10 : 0x11); // frame tag: show_frame, P = 0 on keyframes
        if (keyframe) {
            p[at + 4] = (byte) 0x9d;
            p[at + 5] = 0x01;
            p[at + 6] = 0x2a;
            p[at + 7] = (byte) WIDTHS[layer];
            p[at + 8] = (byte) (WIDTHS[layer] >> 8);
            p[at + 9] = (byte) HEIGHTS[layer];
            p[at + 10] = (byte) (HEIGHTS[layer] >> 8);
        }
        p[at + 11] = (byte) layer;
        return p;
    }
}
