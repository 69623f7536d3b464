package dev.sfu.core;

import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A synthetic VP8 simulcast publisher for tests: three SSRC layers (a=ssrc-group:SIM) of 180/360/720
 * lines at about 150/500/1,500 kbps, 30 frames a second, answering PLIs with a keyframe of the layer
 * asked for. Each packet carries its layer at payload byte 14 and a VP8 descriptor (RFC 7741) with a
 * picture id; the first packet of a keyframe carries the RFC 6386 keyframe header.
 */
final class SimulcastPublisher {
    static final int[] SSRCS = {0x5001, 0x5002, 0x5003};
    static final int[] HEIGHTS = {180, 360, 720};
    private static final int[] WIDTHS = {320, 640, 1280};
    /** Payload bytes per frame at 30 fps: 150, 500, 1,500 kbps. */
    private static final int[] FRAME_BYTES = {625, 2083, 6250};
    private static final int MAX_PAYLOAD = 1100;

    final SfuClient client;
    final EndpointHandle handle;
    private final int[] sequences = new int[3];
    private final AtomicIntegerArray keyframeWanted = new AtomicIntegerArray(3);
    /** PLIs received, with their arrival times (ns). */
    final java.util.List<Long> pliTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int frame;
    private int transportWide;

    SimulcastPublisher(InProcessCall call, String conference, String name) throws SignalingException {
        RtcpCompoundIterator it = new RtcpCompoundIterator();
        client = new SfuClient(name, call.context, call.clientThread, new SfuClient.Listener() {
            @Override
            public void onPublisherRtcp(byte[] buffer, int offset, int length) {
                it.reset(buffer, offset, length);
                while (it.next()) {
                    if (it.isKeyframeRequest()) {
                        pliTimes.add(System.nanoTime());
                        for (int l = 0; l < 3; l++) {
                            if (SSRCS[l] == it.keyframeSsrc()) {
                                keyframeWanted.set(l, 1);
                            }
                        }
                    }
                }
            }
        });
        handle = call.sfu.join(conference, name, client);
        client.attach(new SfuClient.Signaling() {
            @Override
            public CompletionStage<String> publishOffer(String sdp) {
                String sim = "a=ssrc-group:SIM " + SSRCS[0] + " " + SSRCS[1] + " " + SSRCS[2] + "\r\na=ssrc:"
                        + SSRCS[1] + " cname:" + name + "\r\na=ssrc:" + SSRCS[2] + " cname:" + name + "\r\n";
                String marker = "a=ssrc:" + SSRCS[0] + " cname:";
                return handle.publishOffer(sdp.replace(marker, sim + marker));
            }

            @Override
            public void subscribeAnswer(String sdp) throws Exception {
                handle.subscribeAnswer(sdp);
            }
        });
    }

    void publish() throws Exception {
        client.publish(List.of(new ClientSdp.PublishSpec("1", "video", SSRCS[0]))).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    /** Sends one frame of every layer (a keyframe first, and when asked); call about every 33 ms. */
    void sendFrame() {
        for (int layer = 0; layer < 3; layer++) {
            boolean keyframe = frame == 0 || keyframeWanted.getAndSet(layer, 0) == 1;
            int remaining = FRAME_BYTES[layer];
            boolean first = true;
            while (remaining > 0) {
                int size = Math.max(16, Math.min(MAX_PAYLOAD, remaining));
                remaining -= size;
                byte[] p = new byte[20 + size + 64];
                RtpPacket.writeHeader(p, 0, remaining <= 0, 96, sequences[layer]++, frame * 3000, SSRCS[layer]);
                // A transport-wide sequence number, as browsers send: the server's downlink estimate needs
                // the element to stamp its own numbers into.
                p[0] |= 0x10;
                p[12] = (byte) 0xBE;
                p[13] = (byte) 0xDE;
                p[15] = 1;
                p[16] = (byte) (ClientSdp.TRANSPORT_CC_EXTENSION_ID << 4 | 1);
                p[17] = (byte) (transportWide >> 8);
                p[18] = (byte) transportWide++;
                int at = 20;
                p[at] = (byte) (first ? 0x90 : 0x80); // X, and S on the frame's first packet
                p[at + 1] = (byte) 0x80; // I: a picture id follows (15 bits)
                p[at + 2] = (byte) (0x80 | (frame >> 8) & 0x7f);
                p[at + 3] = (byte) frame;
                int header = at + 4;
                p[header] = (byte) (keyframe && first ? 0x10 : 0x11); // frame tag: P = 0 on keyframes
                if (keyframe && first) {
                    p[header + 3] = (byte) 0x9d;
                    p[header + 4] = 0x01;
                    p[header + 5] = 0x2a;
                    p[header + 6] = (byte) WIDTHS[layer];
                    p[header + 7] = (byte) (WIDTHS[layer] >> 8);
                    p[header + 8] = (byte) HEIGHTS[layer];
                    p[header + 9] = (byte) (HEIGHTS[layer] >> 8);
                }
                p[at + 14] = (byte) layer; // after the descriptor (4) and the keyframe header (10)
                first = false;
                int length = 20 + size;
                client.execute(() -> client.sendRtp(p, 0, length));
            }
        }
        frame++;
    }

    /** The layer a received packet belongs to. */
    static int layerOf(RtpPacket packet) {
        return packet.payloadLength() > 14 ? packet.buffer()[packet.payloadOffset() + 14] : -1;
    }

    /** Whether a received packet starts a VP8 keyframe (S bit set, P bit clear). */
    static boolean startsKeyframe(RtpPacket packet) {
        byte[] b = packet.buffer();
        int at = packet.payloadOffset();
        return packet.payloadLength() > 5 && (b[at] & 0x10) != 0 && (b[at + 4] & 0x01) == 0;
    }
}
