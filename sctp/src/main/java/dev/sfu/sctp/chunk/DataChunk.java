package dev.sfu.sctp.chunk;

/** DATA (RFC 9260 §3.3.1): one fragment of a user message. */
public final class DataChunk extends Chunk {
    public static final int FLAG_END = 0x01;
    public static final int FLAG_BEGIN = 0x02;
    public static final int FLAG_UNORDERED = 0x04;
    /** I bit (RFC 7053): asks the peer to SACK at once; set on the last chunk before a SHUTDOWN or reset. */
    public static final int FLAG_IMMEDIATE = 0x08;
    /** TSN, stream id, SSN, PPID. */
    public static final int DATA_HEADER = 12;

    public final int tsn;
    public final int streamId;
    public final int ssn;
    public final int ppid;
    public final byte[] payload;
    public final boolean unordered;
    public final boolean beginning;
    public final boolean ending;
    public final boolean immediate;

    public DataChunk(int tsn, int streamId, int ssn, int ppid, byte[] payload, boolean unordered, boolean beginning,
            boolean ending, boolean immediate) {
        this.tsn = tsn;
        this.streamId = streamId;
        this.ssn = ssn;
        this.ppid = ppid;
        this.payload = payload;
        this.unordered = unordered;
        this.beginning = beginning;
        this.ending = ending;
        this.immediate = immediate;
    }

    @Override
    public int type() {
        return ChunkType.DATA;
    }

    @Override
    protected int flags() {
        return (ending ? FLAG_END : 0) | (beginning ? FLAG_BEGIN : 0) | (unordered ? FLAG_UNORDERED : 0)
                | (immediate ? FLAG_IMMEDIATE : 0);
    }

    @Override
    protected int valueLength() {
        return DATA_HEADER + payload.length;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        Bytes.put32(out, off, tsn);
        Bytes.put16(out, off + 4, streamId);
        Bytes.put16(out, off + 6, ssn);
        Bytes.put32(out, off + 8, ppid);
        System.arraycopy(payload, 0, out, off + 12, payload.length);
    }

    static DataChunk parse(int flags, byte[] b, int off, int len) {
        // A DATA chunk with no user data is a protocol violation (RFC 9260 §6.2); treated as malformed.
        if (len <= DATA_HEADER) {
            return null;
        }
        byte[] payload = new byte[len - DATA_HEADER];
        System.arraycopy(b, off + DATA_HEADER, payload, 0, payload.length);
        return new DataChunk(Bytes.i32(b, off), Bytes.u16(b, off + 4), Bytes.u16(b, off + 6), Bytes.i32(b, off + 8),
                payload, (flags & FLAG_UNORDERED) != 0, (flags & FLAG_BEGIN) != 0, (flags & FLAG_END) != 0,
                (flags & FLAG_IMMEDIATE) != 0);
    }

    @Override
    public String toString() {
        return "DATA(tsn=" + Integer.toUnsignedString(tsn) + ", sid=" + streamId + ", ssn=" + ssn + ", ppid=" + ppid
                + ", len=" + payload.length + (unordered ? ", U" : "") + (beginning ? ", B" : "")
                + (ending ? ", E" : "")
                + ")";
    }
}
