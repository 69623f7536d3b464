package dev.sfu.core;

import dev.sfu.client.ClientContext;
import dev.sfu.client.ClientSdp;
import dev.sfu.client.SfuClient;
import dev.sfu.core.transport.MediaThread;
import dev.sfu.ice.IceTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** An SFU on loopback and in-process clients wired to it directly (no WebSocket), for tests. */
final class InProcessCall implements AutoCloseable {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Sfu sfu;
    final MediaThread clientThread = new MediaThread("clients");
    private final ExecutorService handshakes = Executors.newCachedThreadPool();
    final ClientContext context;

    InProcessCall(SfuConfig config) throws Exception {
        this(config, IceTransport.Mode.UDP);
    }

    /** With clients whose ICE runs over {@code mode} only (TCP: ICE-TCP, no UDP at all). */
    InProcessCall(SfuConfig config, IceTransport.Mode mode) throws Exception {
        context = ClientContext.onAddress(InetAddress.getLoopbackAddress(), handshakes, mode);
        sfu = Sfu.start(config, registry);
    }

    /** A client joined to a conference through the in-process signaling. */
    record Joined(SfuClient client, EndpointHandle handle) {
    }

    Joined join(String conference, String name, SfuClient.Listener listener) throws SignalingException {
        SfuClient client = new SfuClient(name, context, clientThread, listener);
        EndpointHandle handle = sfu.join(conference, name, client);
        client.attach(new SfuClient.Signaling() {
            @Override
            public CompletionStage<String> publishOffer(String sdp) {
                return handle.publishOffer(sdp);
            }

            @Override
            public void subscribeAnswer(String sdp) throws Exception {
                handle.subscribeAnswer(sdp);
            }
        });
        return new Joined(client, handle);
    }

    static List<ClientSdp.PublishSpec> audioAndVideo(long audioSsrc, long videoSsrc) {
        return List.of(new ClientSdp.PublishSpec("0", "audio", audioSsrc), new ClientSdp.PublishSpec("1", "video", videoSsrc));
    }

    @Override
    public void close() {
        sfu.close();
        clientThread.close();
        handshakes.shutdownNow();
    }
}
