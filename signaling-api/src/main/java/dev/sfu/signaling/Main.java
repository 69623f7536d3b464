package dev.sfu.signaling;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Starts the SFU server. For now it answers {@code GET /health} only. */
public final class Main {
    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(System.getenv().getOrDefault("SFU_HTTP_PORT", "8080"));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        try {
            new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                    new SimpleChannelInboundHandler<FullHttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                            boolean health = req.uri().equals("/health");
                                            var body = Unpooled.copiedBuffer(health ? "{\"status\":\"ok\"}" : "not found",
                                                    StandardCharsets.UTF_8);
                                            var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                    health ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND, body);
                                            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                                            ctx.writeAndFlush(res);
                                        }
                                    });
                        }
                    }).bind(port).sync();
            System.out.println("SFU listening on http://localhost:" + port + "/");
            Thread.currentThread().join();
        } finally {
            group.shutdownGracefully();
        }
    }
}
