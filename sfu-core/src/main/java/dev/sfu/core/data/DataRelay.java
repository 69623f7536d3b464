package dev.sfu.core.data;

import dev.sfu.core.data.DataCounters.Refusal;
import dev.sfu.sctp.PacketSink;
import dev.sfu.sctp.SctpConfig;
import dev.sfu.sctp.SendResult;
import dev.sfu.sctp.dcep.DataChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A conference's data-channel relay: a message an endpoint sends on its channel labelled L reaches every
 * other endpoint with an association, on a channel the server opened towards it with label L, the
 * sender's endpoint id as {@code protocol}, and the sender channel's reliability. Strings stay strings,
 * binary stays binary; nobody receives its own messages; an endpoint that joins later gets what is sent
 * from then on. A sender over its rate loses messages; a receiver that falls behind loses unreliable
 * messages first, and a reliable channel that stays blocked is closed for that receiver only. Media
 * thread only.
 */
public final class DataRelay {
    private final Map<String, DataEndpoint> endpoints = new LinkedHashMap<>();
    private final DataLimits limits;
    private final DataCounters counters;
    /** Endpoints whose messages are not relayed (bounded by the conference's endpoints: removed on detach). */
    private final java.util.Set<String> silenced = new java.util.HashSet<>();

    public DataRelay(DataLimits limits, DataCounters counters) {
        this.limits = limits;
        this.counters = counters;
    }

    /**
     * Gives an endpoint an association; its packets go to {@code sink} (DTLS application data). Call
     * {@link #connect} once DTLS is up.
     *
     * @param remoteMaxMessageSize the largest message the endpoint takes (its a=max-message-size)
     */
    public void attach(String endpointId, PacketSink sink, long remoteMaxMessageSize) {
        if (endpoints.containsKey(endpointId)) {
            return;
        }
        SctpConfig config = SctpConfig.defaults();
        if (remoteMaxMessageSize < config.maxMessageSize()) {
            config.maxMessageSize((int) remoteMaxMessageSize);
        }
        endpoints.put(endpointId, new DataEndpoint(endpointId, this, config, sink, limits));
    }

    /** When the earliest association timer falls due; {@link Long#MAX_VALUE} when none is armed. */
    public long nextTimeoutNanos() {
        long next = Long.MAX_VALUE;
        for (DataEndpoint e : endpoints.values()) {
            next = Math.min(next, e.nextTimeoutNanos());
        }
        return next;
    }

    public boolean has(String endpointId) {
        return endpoints.containsKey(endpointId);
    }

    /** The endpoint's DTLS is up: its association starts. */
    public void connect(String endpointId, long nowNanos) {
        DataEndpoint e = endpoints.get(endpointId);
        if (e != null) {
            e.connect(nowNanos);
        }
    }

    /**
     * Whether an endpoint's messages are relayed (its canPublishData grant). Its association stays up
     * either way, so it goes on receiving; what it sends is dropped and counted.
     */
    public void setMayPublish(String endpointId, boolean mayPublish) {
        if (mayPublish) {
            silenced.remove(endpointId);
        } else {
            silenced.add(endpointId);
        }
    }

    public boolean isSilenced(String endpointId) {
        return silenced.contains(endpointId);
    }

    /** An SCTP packet from the endpoint (a DTLS application-data record). */
    public void receive(String endpointId, byte[] packet, long nowNanos) {
        DataEndpoint e = endpoints.get(endpointId);
        if (e != null) {
            e.receive(packet, nowNanos);
        }
    }

    /** Runs the associations' timers that are due (retransmission, delayed SACK, heartbeat). */
    public void onTick(long nowNanos) {
        for (DataEndpoint e : endpoints.values()) {
            e.onTick(nowNanos);
        }
    }

    /** The endpoint left: its association ends and the channels relayed from it close everywhere. */
    public void detach(String endpointId, long nowNanos) {
        silenced.remove(endpointId);
        DataEndpoint gone = endpoints.remove(endpointId);
        if (gone == null) {
            return;
        }
        gone.close(nowNanos);
        for (DataEndpoint e : endpoints.values()) {
            e.closeRelayedFrom(endpointId, nowNanos);
        }
    }

    // ---- from the endpoints ----

    void forward(DataEndpoint from, DataChannel channel, String text, byte[] binary, long nowNanos) {
        byte[] bytes = binary != null ? binary : text.getBytes(StandardCharsets.UTF_8);
        counters.received(bytes.length);
        if (!silenced.isEmpty() && silenced.contains(from.endpointId())) {
            counters.refuse(Refusal.NOT_PERMITTED);
            return;
        }
        if (!from.admit(bytes.length, nowNanos)) {
            counters.refuse(Refusal.SENDER_RATE);
            return;
        }
        boolean unreliable = Reliability.unreliable(channel);
        for (DataEndpoint to : new ArrayList<>(endpoints.values())) {
            if (to == from || !to.receiving()) {
                continue;
            }
            DataChannel out = to.relayedChannel(from.endpointId(), channel, nowNanos);
            if (out == null) {
                counters.refuse(Refusal.RECEIVER_REFUSED);
                continue;
            }
            Long blocked = to.backlogSince(out, limits.receiverBacklogBytes(), nowNanos);
            if (blocked != null) {
                if (unreliable) {
                    counters.refuse(Refusal.RECEIVER_BACKLOG);
                    continue;
                }
                if (nowNanos - blocked > limits.blockedChannelNanos()) {
                    to.closeBlocked(out, nowNanos);
                    counters.refuse(Refusal.RECEIVER_BLOCKED);
                    continue;
                }
            }
            // The association reads a message's bytes and never writes them: every receiver shares one array.
            SendResult result = binary != null ? out.send(binary, nowNanos) : out.send(text, nowNanos);
            if (result == SendResult.OK) {
                counters.relayed();
            } else if (result == SendResult.QUEUE_FULL && !unreliable) {
                to.closeBlocked(out, nowNanos); // a reliable channel cannot skip: it is closed for this receiver
                counters.refuse(Refusal.RECEIVER_BLOCKED);
            } else {
                counters.refuse(Refusal.RECEIVER_REFUSED);
            }
        }
    }

    void senderChannelClosed(DataEndpoint from, DataChannel channel, long nowNanos) {
        for (DataEndpoint to : endpoints.values()) {
            if (to != from) {
                to.closeRelayed(from.endpointId(), channel.id(), nowNanos);
            }
        }
    }

    void associationClosed(DataEndpoint endpoint, long nowNanos) {
        // The peer ended its association (ABORT or SHUTDOWN): its channels are gone for everyone.
        if (endpoints.get(endpoint.endpointId()) == endpoint) {
            for (DataEndpoint to : endpoints.values()) {
                if (to != endpoint) {
                    to.closeRelayedFrom(endpoint.endpointId(), nowNanos);
                }
            }
        }
    }
}
