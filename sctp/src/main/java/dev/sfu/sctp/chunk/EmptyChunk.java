package dev.sfu.sctp.chunk;

/**
 * The chunks that carry nothing but their type and, for SHUTDOWN COMPLETE, the T bit: COOKIE ACK (RFC 9260
 * §3.3.12), SHUTDOWN ACK (§3.3.9) and SHUTDOWN COMPLETE (§3.3.13).
 */
public final class EmptyChunk extends Chunk {
    /** T bit: the verification tag is the sender's own tag (reflected), used when it has no TCB. */
    public static final int FLAG_T = 0x01;

    private final int type;
    public final boolean tBit;

    public EmptyChunk(int type, boolean tBit) {
        this.type = type;
        this.tBit = tBit;
    }

    public static EmptyChunk cookieAck() {
        return new EmptyChunk(ChunkType.COOKIE_ACK, false);
    }

    public static EmptyChunk shutdownAck() {
        return new EmptyChunk(ChunkType.SHUTDOWN_ACK, false);
    }

    public static EmptyChunk shutdownComplete(boolean tBit) {
        return new EmptyChunk(ChunkType.SHUTDOWN_COMPLETE, tBit);
    }

    @Override
    public int type() {
        return type;
    }

    @Override
    protected int flags() {
        return tBit ? FLAG_T : 0;
    }

    @Override
    protected int valueLength() {
        return 0;
    }

    @Override
    protected void writeValue(byte[] out, int off) {}

    @Override
    public String toString() {
        return switch (type) {
            case ChunkType.COOKIE_ACK -> "COOKIE-ACK";
            case ChunkType.SHUTDOWN_ACK -> "SHUTDOWN-ACK";
            default -> "SHUTDOWN-COMPLETE";
        };
    }
}
