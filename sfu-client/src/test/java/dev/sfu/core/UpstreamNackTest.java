package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.rtp.rtcp.GenericNack;
import dev.sfu.rtp.rtcp.RtcpCompoundIterator;
import dev.sfu.core.media.MediaKind;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Loss on a publisher's uplink is repaired before subscribers see it: the SFU NACKs the missing
 * sequence numbers (RFC 4585), the publisher answers with RTX (RFC 4588) as a browser does, and the SFU
 * forwards the rebuilt originals, so the subscriber ends up with every packet.
 */
class UpstreamNackTest {
    private static final int VIDEO_SSRC = 0x3333;
    private static final int RTX_SSRC = 0x3334;
    private static final int PACKETS = 100;

    @Test
    @Timeout(60)
    void uplinkLossIsNackedAndRepairedByRtx() throws Exception {
        Map<Integer, byte[]> sent = new ConcurrentHashMap<>(); // sequence -> the original packet
        Set<Integer> nacked = ConcurrentHashMap.newKeySet();
        Set<Integer> received = ConcurrentHashMap.newKeySet(); // payload marker of each packet received
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            InProcessCall.Joined[] publisher = new InProcessCall.Joined[1];
            publisher[0] = call.join("nack", "publisher", new SfuClient.Listener() {
                private int rtxSequence;

                @Override
                public void onPublisherRtcp(byte[] buffer, int offset, int length) {
                    RtcpCompoundIterator it = new RtcpCompoundIterator().reset(buffer, offset, length);
                    while (it.next()) {
                        if (GenericNack.is(it) && it.mediaSsrc() == VIDEO_SSRC) {
                            for (int e = 0; e < GenericNack.entries(it.packetLength()); e++) {
                                int pid = GenericNack.pid(buffer, it.packetOffset(), e);
                                int blp = GenericNack.blp(buffer, it.packetOffset(), e);
                                for (int bit = -1; bit < 16; bit++) {
                                    if (bit < 0 || (blp & (1 << bit)) != 0) {
                                        retransmit((pid + bit + 1) & 0xffff);
                                    }
                                }
                            }
                        }
                    }
                }

                /** What a browser does: the original payload behind its sequence number, on the RTX SSRC. */
                private void retransmit(int sequence) {
                    nacked.add(sequence);
                    byte[] original = sent.get(sequence);
                    if (original == null) {
                        return;
                    }
                    byte[] rtx = new byte[original.length + 2 + 32];
                    RtpPacket.writeHeader(rtx, 0, false, 97, rtxSequence++, 0, RTX_SSRC);
                    rtx[12] = (byte) (sequence >> 8);
                    rtx[13] = (byte) sequence;
                    System.arraycopy(original, 12, rtx, 14, original.length - 12);
                    publisher[0].client().sendRtp(rtx, 0, original.length + 2); // on the client's media thread
                }
            });
            InProcessCall.Joined subscriber = call.join("nack", "subscriber", new SfuClient.Listener() {
                @Override
                public void onRtp(dev.sfu.core.TrackMapping track, RtpPacket packet) {
                    if (track.kind() == MediaKind.VIDEO && packet.payloadType() == 96) {
                        byte[] b = packet.buffer();
                        int at = packet.payloadOffset() + 1; // after the VP8 descriptor byte
                        received.add((b[at] & 0xff) << 8 | (b[at + 1] & 0xff));
                    }
                }
            });
            SfuClient c = publisher[0].client();
            c.publish(List.of(new ClientSdp.PublishSpec("1", "video", VIDEO_SSRC, List.of(), RTX_SSRC)))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            subscriber.client().subscribed().toCompletableFuture().get(30, TimeUnit.SECONDS);
            Thread.sleep(300);
            for (int i = 0; i < PACKETS; i++) {
                int seq = 7000 + i;
                byte[] p = new byte[12 + 200 + 32];
                RtpPacket.writeHeader(p, 0, false, 96, seq, i * 3000, VIDEO_SSRC);
                p[12] = (byte) (i == 0 ? 0x10 : 0x00); // VP8 descriptor: S on the first (keyframe) packet
                p[13] = (byte) (i >> 8); // a marker the subscriber reads back: which packet this is
                p[14] = (byte) i;
                if (i == 0) {
                    p[13] = 0; // frame tag P = 0: a keyframe (its first byte doubles as marker 0)
                }
                sent.put(seq, java.util.Arrays.copyOf(p, 12 + 200));
                boolean lost = i % 10 == 5; // the uplink loses every tenth packet
                c.execute(() -> {
                    if (!lost) {
                        c.sendRtp(p, 0, 12 + 200);
                    }
                });
                Thread.sleep(5);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.size() < PACKETS && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(10, nacked.size(), "the SFU NACKed each lost packet once: " + nacked);
            for (int i = 5; i < PACKETS; i += 10) {
                assertTrue(nacked.contains(7000 + i), "NACKed " + (7000 + i));
            }
            assertEquals(PACKETS, received.size(), "the subscriber got every packet, the lost ones by RTX");
        }
    }
}
