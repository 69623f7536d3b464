package dev.sfu.ice;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import kotlin.Unit;
import kotlin.jvm.functions.Function1;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.util.Buffer;

/**
 * The pool behind ice4j's {@code org.ice4j.util.BufferPool.getBuffer/returnBuffer} hooks (installed once per
 * process by {@link Ice4jSettings}): ice4j's UDP listener thread copies every datagram into a buffer from
 * {@link #getBuffer}; without a pool that is a new {@code Buffer} and array per datagram.
 *
 * <p>Buffers are made on demand, at most {@link #CAPACITY}; a free one waits in a bounded lock-free queue
 * ({@link SlotQueue}). When none is free and all have been made (the media threads hold them all), or a
 * datagram is larger than {@link #bufferSize()}, {@link #getBuffer} falls back to a new, unpooled buffer,
 * which nobody needs to give back (returning it is a no-op).
 *
 * <p>Two ways back: ice4j returns the {@code Buffer}s it consumes itself ({@link #returnBuffer}: STUN after
 * its stack has read it, a first request it refuses, a callback that throws); our code gives back the
 * array of a packet it was handed with {@link PacketHandler#onPooledPacket} ({@link #release}, this pool
 * being the {@link BufferRelease}). To find a buffer's {@code Buffer} from its array without a map, each
 * pooled buffer's array has its own length: {@code bufferSize + i} for pooled buffer {@code i} (at most
 * {@code CAPACITY - 1} spare bytes, ≈ 1 MiB in all). A given-back array or {@code Buffer} that is not the
 * pool's is ignored; one given back twice is ignored and counted ({@link #doubleReturns()}).
 *
 * <p>A buffer that ice4j drops without returning it (a STUN queue of a socket overflowing, a socket closed
 * with packets queued) is lost to the pool: it has one fewer, and falls back to allocation sooner.
 */
public final class Ice4jBufferPool implements BufferRelease {
    /** The most pooled buffers: 1024 × ≈ 2 KiB. */
    static final int CAPACITY = 1024;
    /** ice4j's listener receives into a 1,500-byte array, so no datagram it pushes is larger. */
    static final int MAX_DATAGRAM = 1500;

    private static volatile Ice4jBufferPool installed;

    private static final int OUT = 0;
    private static final int FREE = 1;

    private final int bufferSize;
    private final int capacity;
    private final SlotQueue free;
    private final Buffer[] slots;
    /** Pooled buffer i, by the length of its array ({@code bufferSize + i}). */
    private final AtomicReferenceArray<Buffer> byIndex;
    /** Whether pooled buffer i is in the free queue: the guard against a second return. */
    private final AtomicIntegerArray state;
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicLong doubleReturns = new AtomicLong();
    private final AtomicLong unpooled = new AtomicLong();

    /** @param capacity a power of two */
    Ice4jBufferPool(int bufferSize, int capacity) {
        this.bufferSize = bufferSize;
        this.capacity = capacity;
        this.free = new SlotQueue(capacity);
        this.slots = new Buffer[capacity];
        this.byIndex = new AtomicReferenceArray<>(capacity);
        this.state = new AtomicIntegerArray(capacity);
    }

    /**
     * Installs one pool into ice4j's hooks, for the whole process; later calls return the same pool. Sized
     * for a 1,500-byte datagram plus the room ice4j leaves before and after it
     * ({@code AbstractUdpListener.BYTES_TO_LEAVE_AT_START/END_OF_PACKET}, read now).
     */
    static synchronized Ice4jBufferPool install() {
        Ice4jBufferPool pool = installed;
        if (pool == null) {
            pool = new Ice4jBufferPool(AbstractUdpListener.BYTES_TO_LEAVE_AT_START_OF_PACKET + MAX_DATAGRAM
                    + AbstractUdpListener.BYTES_TO_LEAVE_AT_END_OF_PACKET, CAPACITY);
            Ice4jBufferPool p = pool;
            org.ice4j.util.BufferPool.getBuffer = (Function1<Integer, Buffer>) size -> p.getBuffer(size);
            org.ice4j.util.BufferPool.returnBuffer = (Function1<Buffer, Unit>) buffer -> {
                p.returnBuffer(buffer);
                return Unit.INSTANCE;
            };
            installed = pool;
        }
        return pool;
    }

    /** The installed pool, or null before {@link #install}. */
    static Ice4jBufferPool installed() {
        return installed;
    }

    int bufferSize() {
        return bufferSize;
    }

    /** A buffer of at least {@code size} bytes, offset 0, length {@code size}. Any thread. */
    Buffer getBuffer(int size) {
        if (size <= bufferSize) {
            Buffer b = takeFree();
            if (b == null) {
                b = create();
            }
            if (b != null) {
                b.setOffset(0);
                b.setLength(size);
                return b;
            }
        }
        unpooled.incrementAndGet();
        return new Buffer(new byte[size], 0, size);
    }

    private Buffer takeFree() {
        long position = free.claimRead();
        if (position < 0) {
            return null;
        }
        int slot = free.index(position);
        Buffer b = slots[slot];
        slots[slot] = null;
        free.publishRead(position);
        state.set(indexOf(b.getBuffer()), OUT);
        return b;
    }

    private Buffer create() {
        while (true) {
            int i = created.get();
            if (i >= capacity) {
                return null;
            }
            if (created.compareAndSet(i, i + 1)) {
                Buffer b = new Buffer(new byte[bufferSize + i], 0, 0);
                byIndex.set(i, b);
                return b;
            }
        }
    }

    private int indexOf(byte[] array) {
        return array.length - bufferSize;
    }

    /** Whether {@code buffer} is one of this pool's (to be given back), not an unpooled fallback. */
    boolean owns(Buffer buffer) {
        int i = indexOf(buffer.getBuffer());
        return i >= 0 && i < capacity && byIndex.get(i) == buffer;
    }

    /** ice4j's {@code returnBuffer}: a {@code Buffer} it is done with. Any thread. */
    void returnBuffer(Buffer buffer) {
        if (buffer != null && owns(buffer)) {
            giveBack(indexOf(buffer.getBuffer()), buffer);
        }
    }

    /** The array of a pooled packet handed over with {@link PacketHandler#onPooledPacket}. Any thread. */
    @Override
    public void release(byte[] array) {
        int i = indexOf(array);
        if (i < 0 || i >= capacity) {
            return;
        }
        Buffer b = byIndex.get(i);
        if (b != null && b.getBuffer() == array) {
            giveBack(i, b);
        }
    }

    private void giveBack(int i, Buffer b) {
        if (!state.compareAndSet(i, OUT, FREE)) {
            doubleReturns.incrementAndGet();
            return;
        }
        b.setRemoteAddress(null);
        b.setLocalAddress(null);
        b.setReceivedTime(null);
        long position = free.claimWrite();
        if (position < 0) {
            return; // cannot happen: the queue holds every pooled buffer
        }
        slots[free.index(position)] = b;
        free.publishWrite(position);
    }

    /** Buffers given back a second time (and ignored): a bug somewhere if not 0. */
    long doubleReturns() {
        return doubleReturns.get();
    }

    /** Buffers handed out that were not pooled (too large, or the pool exhausted). */
    long unpooled() {
        return unpooled.get();
    }

    /** Pooled buffers made so far. */
    int created() {
        return created.get();
    }
}
