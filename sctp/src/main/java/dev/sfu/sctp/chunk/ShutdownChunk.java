package dev.sfu.sctp.chunk;

/** SHUTDOWN (RFC 9260 §3.3.8): carries the sender's cumulative TSN ack. */
public final class ShutdownChunk extends Chunk {
    public final int cumulativeTsnAck;

    public ShutdownChunk(int cumulativeTsnAck) {
        this.cumulativeTsnAck = cumulativeTsnAck;
    }

    @Override
    public int type() {
        return ChunkType.SHUTDOWN;
    }

    @Override
    protected int valueLength() {
        return 4;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        Bytes.put32(out, off, cumulativeTsnAck);
    }

    static ShutdownChunk parse(byte[] b, int off, int len) {
        return len < 4 ? null : new ShutdownChunk(Bytes.i32(b, off));
    }
}
