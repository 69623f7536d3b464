package dev.sfu.sctp.chunk;

import java.util.Arrays;

/** A chunk of a type this stack does not implement; kept whole to report it (RFC 9260 §3.2, cause 6). */
public final class UnknownChunk extends Chunk {
    private final int type;
    private final int flags;
    public final byte[] value;

    public UnknownChunk(int type, int flags, byte[] value) {
        this.type = type;
        this.flags = flags;
        this.value = value;
    }

    @Override
    public int type() {
        return type;
    }

    @Override
    protected int flags() {
        return flags;
    }

    @Override
    protected int valueLength() {
        return value.length;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        System.arraycopy(value, 0, out, off, value.length);
    }

    static UnknownChunk parse(int type, int flags, byte[] b, int off, int len) {
        return new UnknownChunk(type, flags, Arrays.copyOfRange(b, off, off + len));
    }

    @Override
    public String toString() {
        return "UNKNOWN(" + type + ")";
    }
}
