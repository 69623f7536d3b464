package dev.sfu.sctp.chunk;

/**
 * FORWARD TSN (RFC 3758 §3.2): tells the receiver to move its cumulative TSN to {@link #newCumulativeTsn},
 * abandoning what lies below, and for each ordered stream listed, the last SSN skipped.
 */
public final class ForwardTsnChunk extends Chunk {
    public final int newCumulativeTsn;
    public final int[] streamIds;
    public final int[] ssns;

    public ForwardTsnChunk(int newCumulativeTsn, int[] streamIds, int[] ssns) {
        if (streamIds.length != ssns.length) {
            throw new IllegalArgumentException("stream ids and SSNs differ in count");
        }
        this.newCumulativeTsn = newCumulativeTsn;
        this.streamIds = streamIds;
        this.ssns = ssns;
    }

    @Override
    public int type() {
        return ChunkType.FORWARD_TSN;
    }

    @Override
    protected int valueLength() {
        return 4 + 4 * streamIds.length;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        Bytes.put32(out, off, newCumulativeTsn);
        for (int i = 0; i < streamIds.length; i++) {
            Bytes.put16(out, off + 4 + 4 * i, streamIds[i]);
            Bytes.put16(out, off + 6 + 4 * i, ssns[i]);
        }
    }

    static ForwardTsnChunk parse(byte[] b, int off, int len) {
        if (len < 4) {
            return null;
        }
        int n = (len - 4) / 4;
        int[] sids = new int[n];
        int[] ssns = new int[n];
        for (int i = 0; i < n; i++) {
            sids[i] = Bytes.u16(b, off + 4 + 4 * i);
            ssns[i] = Bytes.u16(b, off + 6 + 4 * i);
        }
        return new ForwardTsnChunk(Bytes.i32(b, off), sids, ssns);
    }

    @Override
    public String toString() {
        return "FORWARD-TSN(" + Integer.toUnsignedString(newCumulativeTsn) + ", streams=" + streamIds.length + ")";
    }
}
