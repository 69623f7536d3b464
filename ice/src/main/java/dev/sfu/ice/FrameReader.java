package dev.sfu.ice;

import java.nio.ByteBuffer;

/**
 * Cuts a TCP byte stream into RFC 4571 frames (a 16-bit big-endian length, then that many bytes), which is
 * how ICE-TCP carries STUN, DTLS and SRTP (RFC 6544 §3). TCP delivers frames split and merged at random:
 * bytes are appended to {@link #buffer()}, then {@link #frames} hands out each complete frame and keeps
 * the rest for the next read. One buffer per connection, never reallocated.
 */
final class FrameReader {
    /** Receives a complete frame; the bytes are valid only during the call. Returns false to stop reading. */
    interface FrameConsumer {
        boolean onFrame(byte[] buffer, int offset, int length);
    }

    /** {@link #frames}: a frame announced a length beyond the maximum; the connection must close. */
    static final int OVERSIZED = -1;
    /** {@link #frames}: the consumer asked to stop. */
    static final int STOPPED = -2;

    private final int maxFrame;
    private final byte[] bytes;
    private final ByteBuffer buffer;

    FrameReader(int maxFrame) {
        this.maxFrame = maxFrame;
        // Room for a whole maximal frame plus the start of the next one after compaction.
        this.bytes = new byte[2 * (maxFrame + 2)];
        this.buffer = ByteBuffer.wrap(bytes);
    }

    /** Where the next read from the socket goes (its position is the end of the unread bytes). */
    ByteBuffer buffer() {
        return buffer;
    }

    /**
     * Hands every complete frame in the buffer to {@code consumer} and keeps an incomplete tail.
     *
     * @return the number of frames handed out, {@link #OVERSIZED} or {@link #STOPPED}
     */
    int frames(FrameConsumer consumer) {
        int end = buffer.position();
        int at = 0;
        int count = 0;
        while (end - at >= 2) {
            int length = (bytes[at] & 0xff) << 8 | (bytes[at + 1] & 0xff);
            if (length > maxFrame) {
                return OVERSIZED;
            }
            if (end - at - 2 < length) {
                break;
            }
            count++;
            if (!consumer.onFrame(bytes, at + 2, length)) {
                return STOPPED;
            }
            at += 2 + length;
        }
        System.arraycopy(bytes, at, bytes, 0, end - at);
        buffer.position(end - at);
        return count;
    }
}
