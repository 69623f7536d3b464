package dev.sfu.core.data;

import java.util.concurrent.atomic.LongAdder;

/** What the relays of every conference did and refused, for {@code sfu_data_*} metrics; any thread. */
public final class DataCounters {
    /** Why a message did not reach a receiver, or a channel was closed. */
    public enum Refusal {
        /** The sender went over its messages/s or bytes/s. */
        SENDER_RATE("sender-rate"),
        /** An unreliable message found the receiver's backlog full. */
        RECEIVER_BACKLOG("receiver-backlog"),
        /** A reliable relayed channel stayed blocked and was closed for its receiver. */
        RECEIVER_BLOCKED("receiver-blocked"),
        /** The receiver's association refused the message (queue full, too large for it). */
        RECEIVER_REFUSED("receiver-refused"),
        /** The message came on a channel the server never saw opened (pre-negotiated by the client). */
        UNKNOWN_CHANNEL("unknown-channel"),
        /** The sender's token does not grant canPublishData (or the admin API revoked it). */
        NOT_PERMITTED("not-permitted");

        public final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }
    }

    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder[] refused = new LongAdder[Refusal.values().length];

    public DataCounters() {
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    void received(int bytes) {
        messagesIn.increment();
        bytesIn.add(bytes);
    }

    void relayed() {
        messagesOut.increment();
    }

    void refuse(Refusal why) {
        refused[why.ordinal()].increment();
    }

    public long messagesIn() {
        return messagesIn.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    /** Messages handed to receivers' associations (one per receiver). */
    public long messagesOut() {
        return messagesOut.sum();
    }

    public long refused(Refusal why) {
        return refused[why.ordinal()].sum();
    }
}
