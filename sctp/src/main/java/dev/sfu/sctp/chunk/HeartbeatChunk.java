package dev.sfu.sctp.chunk;

import java.util.Arrays;

/**
 * HEARTBEAT and HEARTBEAT-ACK (RFC 9260 §3.3.5, §3.3.6): one Heartbeat Info parameter (type 1) whose value is
 * opaque to the peer and echoed back unchanged.
 */
public final class HeartbeatChunk extends Chunk {
    public static final int PARAM_HEARTBEAT_INFO = 1;

    public final boolean ack;
    public final byte[] info;

    public HeartbeatChunk(boolean ack, byte[] info) {
        this.ack = ack;
        this.info = info;
    }

    @Override
    public int type() {
        return ack ? ChunkType.HEARTBEAT_ACK : ChunkType.HEARTBEAT;
    }

    @Override
    protected int valueLength() {
        return 4 + info.length;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        Bytes.put16(out, off, PARAM_HEARTBEAT_INFO);
        Bytes.put16(out, off + 2, 4 + info.length);
        System.arraycopy(info, 0, out, off + 4, info.length);
    }

    static HeartbeatChunk parse(boolean ack, byte[] b, int off, int len) {
        if (len < 4) {
            return null;
        }
        int plen = Bytes.u16(b, off + 2);
        if (Bytes.u16(b, off) != PARAM_HEARTBEAT_INFO || plen < 4 || plen > len) {
            return null;
        }
        return new HeartbeatChunk(ack, Arrays.copyOfRange(b, off + 4, off + plen));
    }
}
