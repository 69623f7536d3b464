package dev.sfu.core.bwe;

import java.util.Arrays;

/**
 * The packet buffers one conference's pacers write forwarded copies into, shared: a pacer takes one for
 * each packet it queues and gives it back once the packet is sent. A pacer that owned its slots kept a
 * keyframe burst's worth of them (up to 205 KB) for the rest of the call; shared, the conference holds as
 * many as were ever queued at once across its subscribers, which for pacers that mostly send at once is a
 * few. The pool only grows (to that peak), so the steady state allocates nothing. Media thread only.
 */
public final class PacketBuffers {
    private byte[][] free = new byte[16][];
    private int count;
    private long created;

    /** A buffer of {@link Pacer#PACKET_ROOM} bytes, reused when one is free. */
    byte[] take() {
        if (count > 0) {
            byte[] b = free[--count];
            free[count] = null;
            return b;
        }
        created++;
        return new byte[Pacer.PACKET_ROOM];
    }

    /** Returns a buffer taken from here; its contents are no longer needed. */
    void give(byte[] buffer) {
        if (count == free.length) {
            free = Arrays.copyOf(free, count * 2);
        }
        free[count++] = buffer;
    }

    /** Buffers created so far: the most that were ever out at once. */
    public long created() {
        return created;
    }

    /** Buffers free now. */
    public int free() {
        return count;
    }
}
