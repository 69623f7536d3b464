package dev.sfu.core.data;

import dev.sfu.sctp.dcep.DataChannel;
import dev.sfu.sctp.dcep.DataChannelOptions;

/** A relayed channel keeps its sender channel's reliability: ordered or not, max retransmits or lifetime. */
final class Reliability {
    private Reliability() {
    }

    static DataChannelOptions of(DataChannel source) {
        DataChannelOptions o = DataChannelOptions.RELIABLE.withOrdered(source.ordered())
                .withPriority(source.priority());
        if (source.maxRetransmits() >= 0) {
            o = o.withMaxRetransmits(source.maxRetransmits());
        } else if (source.maxPacketLifeTimeMs() >= 0) {
            o = o.withMaxPacketLifeTimeMs(source.maxPacketLifeTimeMs());
        }
        return o;
    }

    /** Whether a channel may lose messages (partially reliable): those are dropped first under backlog. */
    static boolean unreliable(DataChannel channel) {
        return channel.maxRetransmits() >= 0 || channel.maxPacketLifeTimeMs() >= 0;
    }
}
