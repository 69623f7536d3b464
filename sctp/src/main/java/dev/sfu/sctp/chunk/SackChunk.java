package dev.sfu.sctp.chunk;

/**
 * SACK (RFC 9260 §3.3.4): cumulative TSN ack, advertised receiver window, gap ack blocks (offsets from the
 * cumulative TSN ack) and duplicate TSNs.
 */
public final class SackChunk extends Chunk {
    public final int cumulativeTsnAck;
    public final long aRwnd;
    /** Gap block i covers TSNs cumulativeTsnAck + gapStarts[i] .. cumulativeTsnAck + gapEnds[i]. */
    public final int[] gapStarts;
    public final int[] gapEnds;
    public final int[] duplicateTsns;

    public SackChunk(int cumulativeTsnAck, long aRwnd, int[] gapStarts, int[] gapEnds, int[] duplicateTsns) {
        if (gapStarts.length != gapEnds.length) {
            throw new IllegalArgumentException("gap starts and ends differ in count");
        }
        this.cumulativeTsnAck = cumulativeTsnAck;
        this.aRwnd = aRwnd;
        this.gapStarts = gapStarts;
        this.gapEnds = gapEnds;
        this.duplicateTsns = duplicateTsns;
    }

    @Override
    public int type() {
        return ChunkType.SACK;
    }

    @Override
    protected int valueLength() {
        return 12 + 4 * gapStarts.length + 4 * duplicateTsns.length;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        Bytes.put32(out, off, cumulativeTsnAck);
        Bytes.put32(out, off + 4, (int) aRwnd);
        Bytes.put16(out, off + 8, gapStarts.length);
        Bytes.put16(out, off + 10, duplicateTsns.length);
        int p = off + 12;
        for (int i = 0; i < gapStarts.length; i++, p += 4) {
            Bytes.put16(out, p, gapStarts[i]);
            Bytes.put16(out, p + 2, gapEnds[i]);
        }
        for (int d : duplicateTsns) {
            Bytes.put32(out, p, d);
            p += 4;
        }
    }

    static SackChunk parse(byte[] b, int off, int len) {
        if (len < 12) {
            return null;
        }
        int gaps = Bytes.u16(b, off + 8);
        int dups = Bytes.u16(b, off + 10);
        if (12 + 4L * gaps + 4L * dups > len) {
            return null;
        }
        int[] starts = new int[gaps];
        int[] ends = new int[gaps];
        int p = off + 12;
        for (int i = 0; i < gaps; i++, p += 4) {
            starts[i] = Bytes.u16(b, p);
            ends[i] = Bytes.u16(b, p + 2);
        }
        int[] d = new int[dups];
        for (int i = 0; i < dups; i++, p += 4) {
            d[i] = Bytes.i32(b, p);
        }
        return new SackChunk(Bytes.i32(b, off), Bytes.u32(b, off + 4), starts, ends, d);
    }

    @Override
    public String toString() {
        return "SACK(cum=" + Integer.toUnsignedString(cumulativeTsnAck) + ", rwnd=" + aRwnd + ", gaps="
                + gapStarts.length + ", dups=" + duplicateTsns.length + ")";
    }
}
