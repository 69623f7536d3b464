package dev.sfu.sctp.chunk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * RE-CONFIG (RFC 6525 §3.1): one or two parameters. This stack reads and writes the Outgoing SSN Reset
 * Request (13, §4.1), the Incoming SSN Reset Request (14, §4.2) and the Re-configuration Response (16, §4.4);
 * other parameters (SSN/TSN reset, add streams) are kept as {@link Unsupported} and answered as denied.
 */
public final class ReConfigChunk extends Chunk {
    public static final int PARAM_OUTGOING_SSN_RESET = 13;
    public static final int PARAM_INCOMING_SSN_RESET = 14;
    public static final int PARAM_RESPONSE = 16;

    /** Result codes of a Re-configuration Response (RFC 6525 §4.4). */
    public static final int RESULT_SUCCESS_NOTHING_TO_DO = 0;
    public static final int RESULT_SUCCESS_PERFORMED = 1;
    public static final int RESULT_DENIED = 2;
    public static final int RESULT_ERROR_WRONG_SSN = 3;
    public static final int RESULT_ERROR_REQUEST_ALREADY_IN_PROGRESS = 4;
    public static final int RESULT_ERROR_BAD_SEQUENCE_NUMBER = 5;
    public static final int RESULT_IN_PROGRESS = 6;

    public sealed interface Param permits OutgoingSsnResetRequest, IncomingSsnResetRequest, Response, Unsupported {}

    /** An empty stream list means all streams. */
    public record OutgoingSsnResetRequest(int requestSeq, int responseSeq, int senderLastTsn, int[] streamIds)
            implements Param {}

    public record IncomingSsnResetRequest(int requestSeq, int[] streamIds) implements Param {}

    public record Response(int responseSeq, int result) implements Param {}

    /**
     * A parameter this stack does not implement; its request sequence number is read to answer it (denied).
     * Written back, it keeps only its type and that number.
     */
    public record Unsupported(int type, int requestSeq) implements Param {}

    public final List<Param> params;

    public ReConfigChunk(List<Param> params) {
        this.params = params;
    }

    @Override
    public int type() {
        return ChunkType.RE_CONFIG;
    }

    private static int paramLength(Param p) {
        if (p instanceof OutgoingSsnResetRequest o) {
            return 16 + 2 * o.streamIds().length;
        } else if (p instanceof IncomingSsnResetRequest i) {
            return 8 + 2 * i.streamIds().length;
        } else if (p instanceof Response) {
            return 12;
        }
        return 8; // Unsupported: written back as its type and request sequence number only

    }

    @Override
    protected int valueLength() {
        int n = 0;
        for (int i = 0; i < params.size(); i++) {
            int len = paramLength(params.get(i));
            n += i == params.size() - 1 ? len : Bytes.pad4(len);
        }
        return n;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        int p = off;
        for (Param param : params) {
            int len = paramLength(param);
            Arrays.fill(out, p, p + Bytes.pad4(len), (byte) 0);
            Bytes.put16(out, p + 2, len);
            if (param instanceof OutgoingSsnResetRequest o) {
                Bytes.put16(out, p, PARAM_OUTGOING_SSN_RESET);
                Bytes.put32(out, p + 4, o.requestSeq());
                Bytes.put32(out, p + 8, o.responseSeq());
                Bytes.put32(out, p + 12, o.senderLastTsn());
                for (int i = 0; i < o.streamIds().length; i++) {
                    Bytes.put16(out, p + 16 + 2 * i, o.streamIds()[i]);
                }
            } else if (param instanceof IncomingSsnResetRequest in) {
                Bytes.put16(out, p, PARAM_INCOMING_SSN_RESET);
                Bytes.put32(out, p + 4, in.requestSeq());
                for (int i = 0; i < in.streamIds().length; i++) {
                    Bytes.put16(out, p + 8 + 2 * i, in.streamIds()[i]);
                }
            } else if (param instanceof Response r) {
                Bytes.put16(out, p, PARAM_RESPONSE);
                Bytes.put32(out, p + 4, r.responseSeq());
                Bytes.put32(out, p + 8, r.result());
            } else if (param instanceof Unsupported u) {
                Bytes.put16(out, p, u.type());
                Bytes.put32(out, p + 4, u.requestSeq());
            }
            p += Bytes.pad4(len);
        }
    }

    static ReConfigChunk parse(byte[] b, int off, int len) {
        List<Param> params = new ArrayList<>(2);
        int p = off;
        int end = off + len;
        while (end - p >= 4) {
            int type = Bytes.u16(b, p);
            int plen = Bytes.u16(b, p + 2);
            if (plen < 4 || plen > end - p) {
                return null;
            }
            switch (type) {
                case PARAM_OUTGOING_SSN_RESET -> {
                    if (plen < 16) {
                        return null;
                    }
                    params.add(new OutgoingSsnResetRequest(Bytes.i32(b, p + 4), Bytes.i32(b, p + 8),
                            Bytes.i32(b, p + 12), streams(b, p + 16, plen - 16)));
                }
                case PARAM_INCOMING_SSN_RESET -> {
                    if (plen < 8) {
                        return null;
                    }
                    params.add(new IncomingSsnResetRequest(Bytes.i32(b, p + 4), streams(b, p + 8, plen - 8)));
                }
                case PARAM_RESPONSE -> {
                    if (plen < 12) {
                        return null;
                    }
                    params.add(new Response(Bytes.i32(b, p + 4), Bytes.i32(b, p + 8)));
                }
                default -> params.add(new Unsupported(type, plen >= 8 ? Bytes.i32(b, p + 4) : 0));
            }
            // RFC 6525 §3.1: at most two parameters in one RE-CONFIG chunk.
            if (params.size() > 2) {
                return null;
            }
            p += Math.min(Bytes.pad4(plen), end - p);
        }
        return params.isEmpty() ? null : new ReConfigChunk(params);
    }

    private static int[] streams(byte[] b, int p, int n) {
        int[] s = new int[n / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = Bytes.u16(b, p + 2 * i);
        }
        return s;
    }

    @Override
    public String toString() {
        return "RE-CONFIG" + params;
    }
}
