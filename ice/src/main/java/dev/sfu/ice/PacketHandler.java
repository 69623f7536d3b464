package dev.sfu.ice;

/**
 * Receives a transport's non-STUN packets (DTLS, SRTP, SRTCP). Called on the port's receive thread:
 * hand the packet off and return. The handler owns the buffer after the call (it is never reused by
 * the ICE layer), so a hand-off to another thread needs no copy.
 */
@FunctionalInterface
public interface PacketHandler {
    void onPacket(byte[] buffer, int offset, int length);

    /**
     * A packet in a pooled buffer (the UDP and ICE-TCP receive paths): the handler owns the buffer from
     * the call on (even if it throws) and may keep it until it is done with it, then must give it back
     * with {@code pool.release(buffer)}, exactly once, from any thread, after its last read. The default
     * copies the packet, gives the buffer back at once and calls {@link #onPacket}.
     */
    default void onPooledPacket(byte[] buffer, int offset, int length, BufferRelease pool) {
        byte[] copy = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
        pool.release(buffer);
        onPacket(copy, 0, length);
    }
}
