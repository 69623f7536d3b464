package dev.sfu.sctp.chunk;

import java.util.Arrays;

/** COOKIE ECHO (RFC 9260 §3.3.11): the state cookie from the INIT-ACK, returned as it was. */
public final class CookieEchoChunk extends Chunk {
    public final byte[] cookie;

    public CookieEchoChunk(byte[] cookie) {
        this.cookie = cookie;
    }

    @Override
    public int type() {
        return ChunkType.COOKIE_ECHO;
    }

    @Override
    protected int valueLength() {
        return cookie.length;
    }

    @Override
    protected void writeValue(byte[] out, int off) {
        System.arraycopy(cookie, 0, out, off, cookie.length);
    }

    static CookieEchoChunk parse(byte[] b, int off, int len) {
        return new CookieEchoChunk(Arrays.copyOfRange(b, off, off + len));
    }
}
