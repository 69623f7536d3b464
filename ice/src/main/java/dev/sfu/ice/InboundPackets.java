package dev.sfu.ice;

import org.ice4j.util.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a transport's received packets go, whichever path brought them (the media port's push API, a
 * client's own socket, an ICE-TCP frame): RFC 7983 demultiplexing by the first byte, then the
 * {@link PacketHandler} for DTLS and SRTP/SRTCP. Also remembers when the peer was last heard from, which
 * is consent freshness (RFC 7675) in its simplest form. Runs on receive threads: allocates nothing on the
 * pooled paths, takes no lock, logs only a handler's bug.
 */
final class InboundPackets {
    private static final Logger LOG = LoggerFactory.getLogger(InboundPackets.class);

    /** What a delivery needs to know of its transport. */
    interface Owner {
        boolean isClosed();

        /** A packet of a known peer that is neither STUN, DTLS nor SRTP/SRTCP, or that has no handler yet. */
        void countDropped();
    }

    private final String name;
    private final Owner owner;
    private volatile PacketHandler handler;
    private volatile long lastReceivedNanos = System.nanoTime();

    InboundPackets(String name, Owner owner) {
        this.name = name;
        this.owner = owner;
    }

    void setHandler(PacketHandler handler) {
        this.handler = handler;
    }

    long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    /** The peer was heard from (a packet, a consent request): the consent clock starts again. */
    void heard() {
        lastReceivedNanos = System.nanoTime();
    }

    /** A packet in a buffer the handler may keep (a client's reader, an unpooled fallback). */
    void deliver(byte[] buf, int off, int len) {
        if (len <= 0 || owner.isClosed()) {
            return;
        }
        heard();
        int kind = PacketKind.classify(buf[off]);
        if (kind == PacketKind.STUN) {
            return; // ice4j answers STUN itself
        }
        PacketHandler h = handler;
        if (h == null || kind == PacketKind.UNKNOWN) {
            owner.countDropped();
            return;
        }
        h.onPacket(buf, off, len);
    }

    /**
     * A datagram from the media port's receive thread (ice4j's push API), in a buffer from ice4j's
     * {@code BufferPool}; {@code current} is false when it belongs to a session an ICE restart replaced. A
     * pooled one ({@link Ice4jBufferPool}) goes to the handler with {@link PacketHandler#onPooledPacket},
     * whose release gives it back; every other way out gives it back here at once. An unpooled one (the
     * pool's fallback) is the handler's to keep. Must not throw: ice4j would then return the buffer itself,
     * a second time.
     */
    void deliverUdp(Buffer buffer, boolean current) {
        Ice4jBufferPool pool = Ice4jBufferPool.installed();
        if (pool == null || !pool.owns(buffer)) {
            if (current) {
                deliver(buffer.getBuffer(), buffer.getOffset(), buffer.getLength());
            }
            return;
        }
        byte[] buf = buffer.getBuffer();
        int off = buffer.getOffset();
        int len = buffer.getLength();
        if (!current || len <= 0 || owner.isClosed()) {
            pool.returnBuffer(buffer);
            return;
        }
        heard();
        int kind = PacketKind.classify(buf[off]);
        PacketHandler h = handler;
        if (kind == PacketKind.STUN || h == null || kind == PacketKind.UNKNOWN) {
            pool.returnBuffer(buffer);
            if (kind != PacketKind.STUN) {
                owner.countDropped();
            }
            return;
        }
        try {
            h.onPooledPacket(buf, off, len, pool); // the handler's now, whatever happens
        } catch (RuntimeException e) {
            LOG.warn("{}: packet handler failed", name, e);
        }
    }

    /**
     * A non-STUN ICE-TCP frame, still in the connection's read buffer (which the next read reuses): copied
     * into one of the connection's pooled buffers, which the handler gives back when done, so nothing is
     * allocated once the pool has warmed up. A frame too big for it, or one that finds every pooled buffer
     * still in flight, is copied into a new array instead.
     */
    void deliverTcpFrame(BufferPool pool, byte[] buf, int off, int len) {
        byte[] pooled = len <= pool.bufferSize() ? pool.take() : null;
        if (pooled == null) {
            deliver(java.util.Arrays.copyOfRange(buf, off, off + len), 0, len);
            return;
        }
        if (len <= 0 || owner.isClosed()) {
            pool.release(pooled);
            return;
        }
        heard();
        int kind = PacketKind.classify(buf[off]);
        PacketHandler h = handler;
        if (kind == PacketKind.STUN || h == null || kind == PacketKind.UNKNOWN) {
            pool.release(pooled);
            if (kind != PacketKind.STUN) {
                owner.countDropped();
            }
            return;
        }
        System.arraycopy(buf, off, pooled, 0, len);
        h.onPooledPacket(pooled, 0, len, pool);
    }
}
