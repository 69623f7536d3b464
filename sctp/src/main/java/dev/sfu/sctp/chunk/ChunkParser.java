package dev.sfu.sctp.chunk;

/**
 * Decodes one chunk. Malformed chunks (a value too short for its fixed fields, a parameter running past the
 * chunk) decode to null and the caller counts them; nothing here throws on bad input or reads outside
 * {@code [off, off + len)}.
 */
public final class ChunkParser {
    private ChunkParser() {}

    /**
     * @param b   the packet
     * @param off the chunk's first byte (its type)
     * @param len the chunk length from its header (header included, padding excluded), already checked to
     *            be at least 4 and within the packet
     */
    public static Chunk parse(byte[] b, int off, int len) {
        int type = Bytes.u8(b, off);
        int flags = Bytes.u8(b, off + 1);
        int v = off + Chunk.HEADER;
        int vlen = len - Chunk.HEADER;
        return switch (type) {
            case ChunkType.DATA -> DataChunk.parse(flags, b, v, vlen);
            case ChunkType.INIT -> InitChunk.parse(false, b, v, vlen);
            case ChunkType.INIT_ACK -> InitChunk.parse(true, b, v, vlen);
            case ChunkType.SACK -> SackChunk.parse(b, v, vlen);
            case ChunkType.HEARTBEAT -> HeartbeatChunk.parse(false, b, v, vlen);
            case ChunkType.HEARTBEAT_ACK -> HeartbeatChunk.parse(true, b, v, vlen);
            case ChunkType.ABORT -> ErrorCauseChunk.parse(true, flags, b, v, vlen);
            case ChunkType.ERROR -> ErrorCauseChunk.parse(false, flags, b, v, vlen);
            case ChunkType.SHUTDOWN -> ShutdownChunk.parse(b, v, vlen);
            case ChunkType.SHUTDOWN_ACK -> new EmptyChunk(type, false);
            case ChunkType.SHUTDOWN_COMPLETE -> new EmptyChunk(type, (flags & EmptyChunk.FLAG_T) != 0);
            case ChunkType.COOKIE_ECHO -> CookieEchoChunk.parse(b, v, vlen);
            case ChunkType.COOKIE_ACK -> new EmptyChunk(type, false);
            case ChunkType.FORWARD_TSN -> ForwardTsnChunk.parse(b, v, vlen);
            case ChunkType.RE_CONFIG -> ReConfigChunk.parse(b, v, vlen);
            default -> UnknownChunk.parse(type, flags, b, v, vlen);
        };
    }
}
