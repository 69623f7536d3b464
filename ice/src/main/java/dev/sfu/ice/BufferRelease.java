package dev.sfu.ice;

/**
 * Where a pooled receive buffer goes back when whoever holds it is done: {@link PacketHandler#onPooledPacket}
 * hands one with each pooled packet. {@link #release} must be called exactly once per buffer, from any
 * thread, after the last read of the buffer.
 */
@FunctionalInterface
public interface BufferRelease {
    void release(byte[] buffer);
}
