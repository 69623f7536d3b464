package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.core.sdp.HeaderExtension;
import dev.sfu.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Three audio senders with RFC 6464 levels over real transports: the loudest becomes dominant speaker. */
class DominantSpeakerTest {

    /** An Opus packet with a one-byte ssrc-audio-level extension (RFC 8285 + RFC 6464). */
    static byte[] audioPacket(int ssrc, int sequence, int level) {
        byte[] p = new byte[12 + 8 + 60 + 64];
        p[0] = (byte) 0x90; // V=2, X=1
        p[1] = 111;
        p[2] = (byte) (sequence >> 8);
        p[3] = (byte) sequence;
        p[8] = (byte) (ssrc >> 24);
        p[9] = (byte) (ssrc >> 16);
        p[10] = (byte) (ssrc >> 8);
        p[11] = (byte) ssrc;
        p[12] = (byte) 0xbe;
        p[13] = (byte) 0xde;
        p[15] = 1; // one word of extensions
        p[16] = (byte) (ClientSdp.AUDIO_LEVEL_EXTENSION_ID << 4); // length 1
        p[17] = (byte) (0x80 | level); // voice activity + level in -dBov
        p[18] = (byte) (ClientSdp.MID_EXTENSION_ID << 4); // mid "0": the publisher's own transport
        p[19] = '0';
        return p;
    }

    @Test
    @Timeout(60)
    void theLoudestOfThreeBecomesDominantSpeaker() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            int[] levels = {30, 10, 60}; // -dBov: client1 is the loudest
            List<InProcessCall.Joined> clients = new ArrayList<>();
            List<List<String>> announced = new ArrayList<>();
            List<int[]> extensionsSeen = new CopyOnWriteArrayList<>(); // {audio level at our id, mid present}
            for (int i = 0; i < 3; i++) {
                List<String> heard = new CopyOnWriteArrayList<>();
                announced.add(heard);
                InProcessCall.Joined j = call.join("talk", "c" + i, new SfuClient.Listener() {
                    @Override
                    public void onDominantSpeaker(String endpointId) {
                        heard.add(endpointId);
                    }

                    @Override
                    public void onRtp(TrackMapping track, RtpPacket packet) {
                        long level = packet.findExtension(HeaderExtension.SUBSCRIBER_AUDIO_LEVEL_ID);
                        extensionsSeen.add(new int[] {
                            level < 0 ? -1 : packet.buffer()[RtpPacket.elementOffset(level)] & 0x7f,
                            packet.findExtension(ClientSdp.MID_EXTENSION_ID) >= 0 ? 1 : 0});
                    }
                });
                clients.add(j);
            }
            for (int i = 0; i < 3; i++) {
                SfuClient c = clients.get(i).client();
                c.publish(List.of(new ClientSdp.PublishSpec("0", "audio", 500 + i))).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            }
            String loudest = clients.get(1).handle().endpointId();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            int sequence = 0;
            while (System.nanoTime() < deadline && !announced.stream().allMatch(h -> h.contains(loudest))) {
                for (int i = 0; i < 3; i++) {
                    SfuClient c = clients.get(i).client();
                    byte[] p = audioPacket(500 + i, sequence, levels[i]);
                    c.execute(() -> c.sendRtp(p, 0, 12 + 8 + 60));
                }
                sequence++;
                Thread.sleep(20);
            }
            for (List<String> heard : announced) {
                assertEquals(loudest, heard.isEmpty() ? null : heard.get(heard.size() - 1));
            }
            // Subscribers get the audio level under the id of their offer; the publisher's mid is removed.
            assertTrue(!extensionsSeen.isEmpty());
            for (int[] seen : extensionsSeen) {
                assertTrue(seen[0] == 30 || seen[0] == 10 || seen[0] == 60, "audio level " + seen[0]);
                assertEquals(0, seen[1], "the publisher's mid extension must not reach subscribers");
            }
        }
    }
}
