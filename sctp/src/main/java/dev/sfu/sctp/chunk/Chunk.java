package dev.sfu.sctp.chunk;

/**
 * One SCTP chunk (RFC 9260 §3.2): a type, flags and a value. Every chunk class knows its own encoding;
 * {@link ChunkParser} turns bytes into chunks. The encoded length is without the trailing padding; the
 * packet writer adds it.
 */
public abstract class Chunk {
    /** The 4-byte chunk header: type, flags, length. */
    public static final int HEADER = 4;

    public abstract int type();

    protected int flags() {
        return 0;
    }

    /** Bytes of the value after the chunk header (unpadded). */
    protected abstract int valueLength();

    protected abstract void writeValue(byte[] out, int off);

    /** Chunk length as in the header: header plus value, without padding. */
    public final int length() {
        return HEADER + valueLength();
    }

    /** Writes header and value at {@code off}, zeroes the padding, returns the padded length. */
    public final int write(byte[] out, int off) {
        int len = length();
        Bytes.put8(out, off, type());
        Bytes.put8(out, off + 1, flags());
        Bytes.put16(out, off + 2, len);
        writeValue(out, off + HEADER);
        int padded = Bytes.pad4(len);
        for (int i = len; i < padded; i++) {
            out[off + i] = 0;
        }
        return padded;
    }

    public final byte[] toBytes() {
        byte[] b = new byte[Bytes.pad4(length())];
        write(b, 0);
        return b;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName();
    }
}
