package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.rtp.RtpPacket;
import dev.sfu.core.media.MediaKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Last-N with N = 1: an endpoint receives the video of the dominant speaker only (all audio still), and
 * when another speaker takes over, that one's video replaces it.
 */
@Tag("long")
class LastNTest {

    @Test
    @Timeout(90)
    void onlyTheDominantSpeakersVideoIsForwarded() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback().toBuilder().lastN(1).build())) {
            List<InProcessCall.Joined> clients = new ArrayList<>();
            List<String> videoFromAtWatcher = new CopyOnWriteArrayList<>();
            List<String> audioFromAtWatcher = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 3; i++) {
                boolean watcher = i == 0;
                clients.add(call.join("lastn", "c" + i, new SfuClient.Listener() {
                    @Override
                    public void onRtp(TrackMapping track, RtpPacket packet) {
                        if (watcher) {
                            (track.kind() == MediaKind.VIDEO ? videoFromAtWatcher : audioFromAtWatcher).add(track.endpointId());
                        }
                    }
                }));
            }
            for (int i = 0; i < 3; i++) {
                clients.get(i).client().publish(InProcessCall.audioAndVideo(500 + i, 600 + i)).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            }
            String c1 = clients.get(1).handle().endpointId();
            String c2 = clients.get(2).handle().endpointId();
            int[] sequence = {0};
            // c1 talks loudest: the watcher gets c1's video and not c2's.
            boolean first = talkUntil(clients, new int[] {80, 20, 60}, sequence, videoFromAtWatcher, c1);
            List<String> lastVideo = last(videoFromAtWatcher);
            assertTrue(first, "only c1's video while c1 is dominant: " + lastVideo);
            // c2 takes over.
            boolean second = talkUntil(clients, new int[] {80, 60, 20}, sequence, videoFromAtWatcher, c2);
            assertTrue(second, "only c2's video once c2 is dominant: " + last(videoFromAtWatcher));
            assertTrue(audioFromAtWatcher.contains(c1) && audioFromAtWatcher.contains(c2), "audio is never cut");
            System.out.printf("LastNTest: N=1, the watcher's last 30 video packets came from the dominant speaker"
                    + " each time (%d video packets in all)%n", videoFromAtWatcher.size());
        }
    }

    /** Sends audio at the given levels (-dBov) and video from all until the last 30 video packets are from one. */
    private static boolean talkUntil(List<InProcessCall.Joined> clients, int[] levels, int[] sequence,
            List<String> video, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int from = video.size();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 3; i++) {
                SfuClient c = clients.get(i).client();
                byte[] audio = DominantSpeakerTest.audioPacket(500 + i, sequence[0], levels[i]);
                byte[] frame = new byte[12 + 300 + 64];
                RtpPacket.writeHeader(frame, 0, true, 96, sequence[0], sequence[0] * 3000, 600 + i);
                boolean keyframe = sequence[0] % 10 == 0;
                frame[12] = 0x10; // VP8 descriptor: start of a frame
                frame[13] = (byte) (keyframe ? 0x00 : 0x01);
                c.execute(() -> {
                    c.sendRtp(audio, 0, 12 + 8 + 60);
                    c.sendRtp(frame, 0, 12 + 300);
                });
            }
            sequence[0]++;
            Thread.sleep(20);
            List<String> now = List.copyOf(video); // the client thread appends while we look
            int n = now.size();
            if (n - from >= 30 && now.subList(n - 30, n).stream().allMatch(expected::equals)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> last(List<String> list) {
        List<String> now = List.copyOf(list);
        return now.subList(Math.max(0, now.size() - 30), now.size());
    }
}
