package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelListener;
import dev.sfu.sctp.dcep.DataChannelOptions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data channels between in-process clients through the real core: our SCTP on both ends of real DTLS
 * over UDP. A watch-only client publishes only a data section.
 */
class DataChannelCallTest {

    /** What one client's data channels saw. */
    static final class Inbox implements DataChannelListener {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<byte[]> binaries = new CopyOnWriteArrayList<>();
        final List<String> opened = new CopyOnWriteArrayList<>();
        final List<String> closed = new CopyOnWriteArrayList<>();

        @Override
        public void onChannelOpenedByPeer(DataChannel channel) {
            opened.add(channel.protocol() + "/" + channel.label());
        }

        @Override
        public void onText(DataChannel channel, String text) {
            texts.add(channel.protocol() + ":" + text);
        }

        @Override
        public void onBinary(DataChannel channel, byte[] data) {
            binaries.add(data);
        }

        @Override
        public void onChannelClosed(DataChannel channel) {
            closed.add(channel.protocol() + "/" + channel.label());
        }
    }

    @Test
    @Timeout(60)
    void messagesGoThroughTheServerToEveryoneElse() throws Exception {
        try (InProcessCall call = new InProcessCall(SfuConfig.loopback())) {
            Inbox aliceInbox = new Inbox();
            Inbox bobInbox = new Inbox();
            InProcessCall.Joined alice = call.join("data", "alice", new SfuClient.Listener() { });
            InProcessCall.Joined bob = call.join("data", "bob", new SfuClient.Listener() { });
            alice.client().enableDataChannels(aliceInbox);
            bob.client().enableDataChannels(bobInbox);
            alice.client().publish(List.of(new ClientSdp.PublishSpec("0", "audio", 1111),
                    ClientSdp.PublishSpec.data("1"))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            bob.client().publish(List.of(ClientSdp.PublishSpec.data("0"))) // watch-only: data alone
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            DataChannel chat = alice.client().openDataChannel("chat", DataChannelOptions.RELIABLE)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            byte[] file = new byte[100 * 1024];
            new Random(3).nextBytes(file);
            alice.client().execute(() -> {
                for (int i = 0; i < 50; i++) {
                    chat.send("line " + i, System.nanoTime());
                }
                chat.send(file.clone(), System.nanoTime());
            });
            String aliceId = alice.handle().endpointId();
            await(() -> bobInbox.texts.size() == 50 && bobInbox.binaries.size() == 1, "bob receives everything");
            for (int i = 0; i < 50; i++) {
                assertEquals(aliceId + ":line " + i, bobInbox.texts.get(i), "in order, the channel naming alice");
            }
            assertArrayEquals(file, bobInbox.binaries.get(0));
            assertEquals(List.of(aliceId + "/chat"), bobInbox.opened);
            assertTrue(aliceInbox.texts.isEmpty(), "alice does not get her own messages");
            // Quiet for a while: the conference's pacer slot, which runs the associations' timers, pauses
            // (nothing is queued, no timer is near); the next messages still go through, timers and all.
            Thread.sleep(1_500);
            alice.client().execute(() -> {
                for (int i = 50; i < 70; i++) {
                    chat.send("line " + i, System.nanoTime());
                }
            });
            await(() -> bobInbox.texts.size() == 70, "bob receives what is sent after a quiet second");
            assertEquals(aliceId + ":line 69", bobInbox.texts.get(69));
            alice.client().execute(() -> chat.close(System.nanoTime()));
            await(() -> bobInbox.closed.contains(aliceId + "/chat"), "alice's channel closes at bob");
        }
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }
}
