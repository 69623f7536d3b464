package dev.sfu.load;

/**
 * What a simulated publisher puts in each RTP payload so that subscribers can check it end to end:
 * a magic word, the publisher's index, the stream, a sequence of its own, the send time, and filler
 * derived from all of them (any changed byte shows).
 */
public final class MediaPayload {
    static final int MAGIC = 0x5346554c; // "SFUL"
    static final int HEADER = 4 + 4 + 4 + 4 + 8;

    private MediaPayload() {
    }

    /** Writes a payload of {@code length} bytes at {@code off}. */
    public static void write(byte[] buf, int off, int length, int publisher, int stream, int sequence, long sentNanos) {
        putInt(buf, off, MAGIC);
        putInt(buf, off + 4, publisher);
        putInt(buf, off + 8, stream);
        putInt(buf, off + 12, sequence);
        putLong(buf, off + 16, sentNanos);
        for (int i = HEADER; i < length; i++) {
            buf[off + i] = filler(publisher, stream, sequence, i);
        }
    }

    private static byte filler(int publisher, int stream, int sequence, int i) {
        return (byte) (publisher * 131 + stream * 31 + sequence * 7 + i);
    }

    /** Whether the payload is intact; false for anything else (including a foreign or cut packet). */
    public static boolean verify(byte[] buf, int off, int length) {
        if (length < HEADER || getInt(buf, off) != MAGIC) {
            return false;
        }
        int publisher = publisher(buf, off);
        int stream = stream(buf, off);
        int sequence = sequence(buf, off);
        for (int i = HEADER; i < length; i++) {
            if (buf[off + i] != filler(publisher, stream, sequence, i)) {
                return false;
            }
        }
        return true;
    }

    public static int publisher(byte[] buf, int off) {
        return getInt(buf, off + 4);
    }

    public static int stream(byte[] buf, int off) {
        return getInt(buf, off + 8);
    }

    public static int sequence(byte[] buf, int off) {
        return getInt(buf, off + 12);
    }

    public static long sentNanos(byte[] buf, int off) {
        return ((long) getInt(buf, off + 16) << 32) | (getInt(buf, off + 20) & 0xffffffffL);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 24);
        b[at + 1] = (byte) (v >> 16);
        b[at + 2] = (byte) (v >> 8);
        b[at + 3] = (byte) v;
    }

    private static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        putInt(b, at + 4, (int) v);
    }

    private static int getInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
