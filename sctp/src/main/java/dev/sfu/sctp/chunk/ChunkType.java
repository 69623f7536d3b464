package dev.sfu.sctp.chunk;

/** Chunk type numbers: RFC 9260 §3.2, RFC 3758 (FORWARD-TSN), RFC 6525 (RE-CONFIG). */
public final class ChunkType {
    private ChunkType() {}

    public static final int DATA = 0;
    public static final int INIT = 1;
    public static final int INIT_ACK = 2;
    public static final int SACK = 3;
    public static final int HEARTBEAT = 4;
    public static final int HEARTBEAT_ACK = 5;
    public static final int ABORT = 6;
    public static final int SHUTDOWN = 7;
    public static final int SHUTDOWN_ACK = 8;
    public static final int ERROR = 9;
    public static final int COOKIE_ECHO = 10;
    public static final int COOKIE_ACK = 11;
    public static final int SHUTDOWN_COMPLETE = 14;
    public static final int RE_CONFIG = 130;
    public static final int FORWARD_TSN = 192;

    /**
     * What the two upper bits of an unknown chunk type ask of the receiver (RFC 9260 §3.2): 00 stop and
     * discard the packet, 01 stop, discard and report, 10 skip the chunk, 11 skip and report.
     */
    public static boolean skipUnknown(int type) {
        return (type & 0x80) != 0;
    }

    public static boolean reportUnknown(int type) {
        return (type & 0x40) != 0;
    }
}
