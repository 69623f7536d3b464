package dev.sfu.signaling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose client does not read, before what the server has to tell it fills memory:
 * once more than {@code maxPendingBytes} would wait in the channel (every write passes here: signaling
 * messages, pongs, pings, HTTP), or once the channel stayed unwritable (above its high water mark) for
 * {@code unwritableTimeout}. Netty's writes never block and never push back by themselves; this is
 * the push back. Sits next to the socket, so it sees the encoded bytes.
 */
final class SlowReaderGuard extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SlowReaderGuard.class);

    private final long maxPendingBytes;
    private final Duration unwritableTimeout;
    private final SignalingMetrics metrics;
    private ScheduledFuture<?> unwritableDeadline;
    private boolean closing;

    SlowReaderGuard(long maxPendingBytes, Duration unwritableTimeout, SignalingMetrics metrics) {
        this.maxPendingBytes = maxPendingBytes;
        this.unwritableTimeout = unwritableTimeout;
        this.metrics = metrics;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (closing) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        if (pendingBytes(ctx.channel()) + size(msg) > maxPendingBytes) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            close(ctx, SignalingMetrics.Limit.PENDING_BYTES);
            return;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        Channel channel = ctx.channel();
        if (!channel.isWritable()) {
            if (unwritableDeadline == null) {
                unwritableDeadline = ctx.executor().schedule(() -> {
                    unwritableDeadline = null;
                    if (!channel.isWritable()) {
                        close(ctx, SignalingMetrics.Limit.UNWRITABLE);
                    }
                }, unwritableTimeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        } else if (unwritableDeadline != null) {
            unwritableDeadline.cancel(false);
            unwritableDeadline = null;
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (unwritableDeadline != null) {
            unwritableDeadline.cancel(false);
            unwritableDeadline = null;
        }
        super.channelInactive(ctx);
    }

    private void close(ChannelHandlerContext ctx, SignalingMetrics.Limit limit) {
        if (closing) {
            return;
        }
        closing = true;
        metrics.refused(limit);
        LOG.info("closing connection {}: its client does not read ({})", ctx.channel().remoteAddress(), limit.tag);
        // No close frame: it would wait behind everything the client does not read.
        ctx.channel().close();
    }

    /** Bytes in the channel not yet taken by the socket. */
    private static long pendingBytes(Channel channel) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf b) {
            return b.readableBytes();
        }
        if (msg instanceof ByteBufHolder h) {
            return h.content().readableBytes();
        }
        return 0;
    }
}
