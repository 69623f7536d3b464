package dev.sfu.sctp.chunk;

import java.util.Arrays;

/**
 * INIT and INIT-ACK (RFC 9260 §3.3.2, §3.3.3): the same fixed part, and the parameters this stack uses:
 * State Cookie (7, INIT-ACK only), Supported Extensions (0x8008, RFC 5061 §4.2.7) and Forward-TSN-Supported
 * (0xC000, RFC 3758 §3.1). Other parameters are skipped or end the parameter list as their upper two bits say
 * (RFC 9260 §3.2.1); they are not reported back.
 */
public final class InitChunk extends Chunk {
    public static final int FIXED = 16;
    public static final int PARAM_STATE_COOKIE = 7;
    public static final int PARAM_SUPPORTED_EXTENSIONS = 0x8008;
    public static final int PARAM_FORWARD_TSN_SUPPORTED = 0xC000;

    public final boolean ack;
    public final int initiateTag;
    public final long aRwnd;
    public final int outboundStreams;
    public final int inboundStreams;
    public final int initialTsn;
    /** Null in an INIT. */
    public final byte[] stateCookie;
    /** Chunk types listed in Supported Extensions; empty when absent. */
    public final int[] supportedExtensions;
    public final boolean forwardTsnSupported;

    public InitChunk(boolean ack, int initiateTag, long aRwnd, int outboundStreams, int inboundStreams, int initialTsn,
            byte[] stateCookie, int[] supportedExtensions, boolean forwardTsnSupported) {
        this.ack = ack;
        this.initiateTag = initiateTag;
        this.aRwnd = aRwnd;
        this.outboundStreams = outboundStreams;
        this.inboundStreams = inboundStreams;
        this.initialTsn = initialTsn;
        this.stateCookie = stateCookie;
        this.supportedExtensions = supportedExtensions;
        this.forwardTsnSupported = forwardTsnSupported;
    }

    public boolean supports(int chunkType) {
        for (int t : supportedExtensions) {
            if (t == chunkType) {
                return true;
            }
        }
        return chunkType == ChunkType.FORWARD_TSN && forwardTsnSupported;
    }

    @Override
    public int type() {
        return ack ? ChunkType.INIT_ACK : ChunkType.INIT;
    }

    @Override
    protected int valueLength() {
        int n = FIXED;
        if (stateCookie != null) {
            n += Bytes.pad4(4 + stateCookie.length);
        }
        if (supportedExtensions.length > 0) {
            n += Bytes.pad4(4 + supportedExtensions.length);
        }
        if (forwardTsnSupported) {
            n += 4;
        }
        return n;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        Bytes.put32(out, off, initiateTag);
        Bytes.put32(out, off + 4, (int) aRwnd);
        Bytes.put16(out, off + 8, outboundStreams);
        Bytes.put16(out, off + 10, inboundStreams);
        Bytes.put32(out, off + 12, initialTsn);
        int p = off + FIXED;
        if (stateCookie != null) {
            p = writeParam(out, p, PARAM_STATE_COOKIE, stateCookie);
        }
        if (supportedExtensions.length > 0) {
            byte[] types = new byte[supportedExtensions.length];
            for (int i = 0; i < types.length; i++) {
                types[i] = (byte) supportedExtensions[i];
            }
            p = writeParam(out, p, PARAM_SUPPORTED_EXTENSIONS, types);
        }
        if (forwardTsnSupported) {
            writeParam(out, p, PARAM_FORWARD_TSN_SUPPORTED, new byte[0]);
        }
    }

    private static int writeParam(byte[] out, int p, int type, byte[] value) {
        Bytes.put16(out, p, type);
        Bytes.put16(out, p + 2, 4 + value.length);
        System.arraycopy(value, 0, out, p + 4, value.length);
        int padded = Bytes.pad4(4 + value.length);
        for (int i = 4 + value.length; i < padded; i++) {
            out[p + i] = 0;
        }
        return p + padded;
    }

    static InitChunk parse(boolean ack, byte[] b, int off, int len) {
        if (len < FIXED) {
            return null;
        }
        byte[] cookie = null;
        int[] extensions = new int[0];
        boolean fwdTsn = false;
        int p = off + FIXED;
        int end = off + len;
        while (end - p >= 4) {
            int type = Bytes.u16(b, p);
            int plen = Bytes.u16(b, p + 2);
            if (plen < 4 || plen > end - p) {
                return null; // a parameter that does not fit is a malformed chunk
            }
            switch (type) {
                case PARAM_STATE_COOKIE -> cookie = Arrays.copyOfRange(b, p + 4, p + plen);
                case PARAM_SUPPORTED_EXTENSIONS -> {
                    extensions = new int[plen - 4];
                    for (int i = 0; i < extensions.length; i++) {
                        extensions[i] = Bytes.u8(b, p + 4 + i);
                    }
                }
                case PARAM_FORWARD_TSN_SUPPORTED -> fwdTsn = true;
                default -> {
                    if ((type & 0x8000) == 0) {
                        // Upper bit 0: stop processing parameters of this chunk (RFC 9260 §3.2.1).
                        p = end;
                        continue;
                    }
                }
            }
            p += Math.min(Bytes.pad4(plen), end - p);
        }
        return new InitChunk(ack, Bytes.i32(b, off), Bytes.u32(b, off + 4), Bytes.u16(b, off + 8),
                Bytes.u16(b, off + 10), Bytes.i32(b, off + 12), cookie, extensions, fwdTsn);
    }

    @Override
    public String toString() {
        return (ack ? "INIT-ACK" : "INIT") + "(tag=" + Integer.toHexString(initiateTag) + ", tsn="
                + Integer.toUnsignedString(initialTsn) + ", rwnd=" + aRwnd + ", os=" + outboundStreams + ", mis="
                + inboundStreams + ")";
    }
}
