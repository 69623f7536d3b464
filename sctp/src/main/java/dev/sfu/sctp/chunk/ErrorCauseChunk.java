package dev.sfu.sctp.chunk;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * ABORT (RFC 9260 §3.3.7) and ERROR (§3.3.10): both carry a list of error causes (§3.3.10.x). The causes
 * are kept as raw bytes; {@link #firstCauseCode()} and {@link #describe()} read them for reporting.
 */
public final class ErrorCauseChunk extends Chunk {
    public static final int CAUSE_INVALID_STREAM = 1;
    public static final int CAUSE_MISSING_PARAMETER = 2;
    public static final int CAUSE_STALE_COOKIE = 3;
    public static final int CAUSE_OUT_OF_RESOURCE = 4;
    public static final int CAUSE_UNRECOGNIZED_CHUNK = 6;
    public static final int CAUSE_NO_USER_DATA = 9;
    public static final int CAUSE_PROTOCOL_VIOLATION = 13;
    public static final int CAUSE_USER_INITIATED_ABORT = 12;

    public final boolean abort;
    /** T bit (ABORT only): the tag is the sender's own, reflected. */
    public final boolean tBit;
    public final byte[] causes;

    public ErrorCauseChunk(boolean abort, boolean tBit, byte[] causes) {
        this.abort = abort;
        this.tBit = tBit;
        this.causes = causes;
    }

    /** One error cause TLV: code, length, info, padded. */
    public static byte[] cause(int code, byte[] info) {
        byte[] c = new byte[Bytes.pad4(4 + info.length)];
        Bytes.put16(c, 0, code);
        Bytes.put16(c, 2, 4 + info.length);
        System.arraycopy(info, 0, c, 4, info.length);
        return c;
    }

    public static ErrorCauseChunk abort(int code, String reason) {
        return new ErrorCauseChunk(true, false, cause(code, reason.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public int type() {
        return abort ? ChunkType.ABORT : ChunkType.ERROR;
    }

    @Override
    protected int flags() {
        return tBit ? EmptyChunk.FLAG_T : 0;
    }

    @Override
    protected int valueLength() {
        return causes.length;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        System.arraycopy(causes, 0, out, off, causes.length);
    }

    /** Code of the first cause, or -1 when there is none. */
    public int firstCauseCode() {
        return causes.length >= 4 ? Bytes.u16(causes, 0) : -1;
    }

    /** A short text for logs and close reasons, e.g. "cause 12: closing". */
    public String describe() {
        if (causes.length < 4) {
            return "no cause";
        }
        int code = Bytes.u16(causes, 0);
        int len = Math.min(Bytes.u16(causes, 2), causes.length);
        String info = "";
        if ((code == CAUSE_USER_INITIATED_ABORT || code == CAUSE_PROTOCOL_VIOLATION) && len > 4) {
            info = ": " + new String(causes, 4, len - 4, StandardCharsets.UTF_8);
        }
        return "cause " + code + info;
    }

    static ErrorCauseChunk parse(boolean abort, int flags, byte[] b, int off, int len) {
        boolean tBit = abort && (flags & EmptyChunk.FLAG_T) != 0;
        return new ErrorCauseChunk(abort, tBit, Arrays.copyOfRange(b, off, off + len));
    }

    @Override
    public String toString() {
        return (abort ? "ABORT(" : "ERROR(") + describe() + ")";
    }
}
