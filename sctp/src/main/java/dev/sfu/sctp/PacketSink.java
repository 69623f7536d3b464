package dev.sfu.sctp;

/** Where an association puts the packets it sends (the DTLS layer, or a test link). */
@FunctionalInterface
public interface PacketSink {
    /** The array belongs to the sink from now on. Must not call back into the association. */
    void send(byte[] packet);
}
