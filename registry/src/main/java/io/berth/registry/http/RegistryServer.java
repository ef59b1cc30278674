package io.berth.registry.http;

import io.berth.registry.Registry;
import io.berth.registry.auth.Authenticator;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.PrintStream;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP server: Netty with epoll when the native transport loads (NIO otherwise), request handling
 * on virtual threads. {@link #close()} stops accepting, closes connections and releases the threads.
 */
public final class RegistryServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService handlers;
    private final Channel channel;
    private final String transport;

    private RegistryServer(EventLoopGroup boss, EventLoopGroup workers, ExecutorService handlers, Channel channel,
            String transport) {
        this.boss = boss;
        this.workers = workers;
        this.handlers = handlers;
        this.channel = channel;
        this.transport = transport;
    }

    /** PEM files for HTTPS: a certificate chain and its PKCS#8 private key. */
    public record Tls(Path certificateChain, Path privateKey) {}

    /** Binds {@code address} (port 0 picks a free port) and starts serving {@code registry}. */
    public static RegistryServer start(Registry registry, InetSocketAddress address, Optional<PrintStream> accessLog) {
        return start(registry, Authenticator.none(), Optional.empty(), address, accessLog);
    }

    /** As {@link #start(Registry, InetSocketAddress, Optional)}, with authentication and optionally TLS. */
    public static RegistryServer start(Registry registry, Authenticator auth, Optional<Tls> tls,
            InetSocketAddress address, Optional<PrintStream> accessLog) {
        Optional<SslContext> ssl = tls.map(RegistryServer::sslContext);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, io);
        ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        RateLimiter limiter = RateLimiter.of(registry.limits().rateLimit());
        Routes routes = new Routes(registry, auth, limiter);
        AccessLog log = accessLog.map(AccessLog::to).orElseGet(AccessLog::none);
        Metrics metrics = new Metrics();
        // cached manifests on the event loop: only without authentication (bcrypt must not run there)
        // and without an access log (writing it may block)
        boolean anonymous = auth.mode() == Authenticator.Mode.NONE;
        ManifestFastPath fast = anonymous && accessLog.isEmpty() ? new ManifestFastPath(registry, metrics) : null;
        // without authentication every client is its address: the limit is checked on the event loop
        RateLimiter byAddress = anonymous ? limiter : null;
        try {
            Channel ch = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(type)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            ssl.ifPresent(x -> c.pipeline().addLast(x.newHandler(c.alloc())));
                            // Body pieces as large as the socket reads (Netty's default splits them into 8 KiB
                            // HttpContents: ~40000 hand-offs to the handler's thread for a 315 MB push)
                            c.pipeline().addLast(new HttpServerCodec(new HttpDecoderConfig()
                                    .setMaxChunkSize(BodyStream.HIGH_WATER)));
                            if (ssl.isPresent()) {
                                // sendfile cannot pass through TLS: files go as chunks instead
                                c.pipeline().addLast(new ChunkedWriteHandler());
                            }
                            c.pipeline().addLast(new HttpServerExpectContinueHandler());
                            c.pipeline().addLast(new RequestHandler(routes, handlers, log, metrics, fast, byAddress));
                        }
                    })
                    .bind(address).sync().channel();
            return new RegistryServer(boss, workers, handlers, ch, epoll ? "epoll" : "nio");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown(boss, workers, handlers);
            throw new IllegalStateException("bind " + address + ": interrupted", e);
        } catch (RuntimeException e) {
            shutdown(boss, workers, handlers);
            throw new IllegalStateException("bind " + address + ": " + e.getMessage(), e);
        }
    }

    private static SslContext sslContext(Tls tls) {
        try {
            return SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS certificate " + tls.certificateChain() + " / key " + tls.privateKey()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** "epoll" or "nio". */
    public String transport() {
        return transport;
    }

    /** Blocks until the server channel closes. */
    public void awaitClose() throws InterruptedException {
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        shutdown(boss, workers, handlers);
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup workers, ExecutorService handlers) {
        boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        handlers.shutdownNow();
    }
}
