package dev.sfu.core.transport;

/**
 * Where a media thread delivers a packet it took off its ring; the sink owns the buffer from then on.
 * {@code receivedNanos} is when the socket thread handed it over ({@link System#nanoTime()}): arrival
 * times for congestion control must not include the wait in the ring.
 */
@FunctionalInterface
public interface PacketSink {
    void onPacket(byte[] buffer, int offset, int length, long receivedNanos);
}
