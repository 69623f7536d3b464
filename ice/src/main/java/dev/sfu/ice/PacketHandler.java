package dev.sfu.ice;

/**
 * Receives a transport's non-STUN packets (DTLS, SRTP, SRTCP). Called on the port's receive thread:
 * hand the packet off and return. The handler owns the buffer after the call (it is never reused by
 * the ICE layer), so a hand-off to another thread needs no copy.
 */
@FunctionalInterface
public interface PacketHandler {
    void onPacket(byte[] buffer, int offset, int length);
}
