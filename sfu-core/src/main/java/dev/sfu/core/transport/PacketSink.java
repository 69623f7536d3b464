package dev.sfu.core.transport;

/** Where a media thread delivers a packet it took off its ring; the sink owns the buffer from then on. */
@FunctionalInterface
public interface PacketSink {
    void onPacket(byte[] buffer, int offset, int length);
}
