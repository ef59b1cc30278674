package io.berth.registry.http;

import io.berth.registry.RegistryException;
import io.berth.registry.TooManyRequestsException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Per connection: hands each request to a virtual thread (storage work blocks) and feeds it the body
 * through a {@link BodyStream}. One request at a time per connection; the next is read only after the
 * response is written and the body consumed.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
    /** Unread request body the server still reads and discards to keep a connection open. */
    private static final long DRAIN_LIMIT = 64 * 1024;
    private static final System.Logger LOG = System.getLogger("io.berth.registry");

    private final Routes routes;
    private final Executor workers;
    private final AccessLog accessLog;
    private final Metrics metrics;
    /** Null when cached manifests may not be answered on the event loop. */
    private final ManifestFastPath fast;
    /**
     * The rate limiter when every request's client is its address (authentication off), so that the
     * limit is checked here, before a virtual thread is started; null otherwise (then Routes charges
     * the authenticated user or the address).
     */
    private final RateLimiter byAddress;
    private BodyStream body;
    /**
     * Messages of pipelined requests that arrived while a request was under way, kept in order and
     * handled when it is done (RFC 9112 9.3.2: responses in request order). Everything after the first
     * queued request is queued too. Only what was already read is here: the channel does not read on
     * its own, and it is asked for more only when this is empty.
     */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    /** A response with {@code Connection: close} was written: the rest of the input is dropped. */
    private boolean closing;
    private boolean replaying;
    /** The connection's rate-limit key (computed once per connection). */
    private String client;

    RequestHandler(Routes routes, Executor workers, AccessLog accessLog, Metrics metrics, ManifestFastPath fast,
            RateLimiter byAddress) {
        this.routes = routes;
        this.workers = workers;
        this.accessLog = accessLog;
        this.metrics = metrics;
        this.fast = fast;
        this.byAddress = byAddress;
    }


    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (!pending.isEmpty() || (msg instanceof HttpRequest && body != null)) {
            pending.add(msg);
        } else {
            dispatch(ctx, msg);
        }
    }

    /** Handles pipelined requests queued while the previous one ran, until one runs on a virtual thread. */
    private void replay(ChannelHandlerContext ctx) {
        replaying = true;
        try {
            while (!pending.isEmpty() && !closing) {
                if (pending.peek() instanceof HttpRequest && body != null) {
                    return; // its turn comes when the request under way finishes
                }
                dispatch(ctx, pending.poll());
            }
        } finally {
            replaying = false;
        }
        if (closing) {
            releasePending();
        } else if (body == null) {
            ctx.read();
        }
    }

    private void releasePending() {
        Object m;
        while ((m = pending.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    /** After a response written on the event loop: read on, or close when the response said so. */
    private void answered(ChannelHandlerContext ctx, ChannelFuture f, boolean keepAlive) {
        if (!keepAlive) {
            closing = true;
            releasePending();
            f.addListener(ChannelFutureListener.CLOSE);
        } else if (!replaying && pending.isEmpty()) {
            ctx.read();
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                byte[] text = "malformed HTTP request\n".getBytes(StandardCharsets.UTF_8);
                DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(text));
                r.headers().set(HttpHeaderNames.CONTENT_LENGTH, text.length);
                answered(ctx, ctx.writeAndFlush(r), false);
                return;
            }
            // answered right here (429, a cached manifest) when the message holds no body part
            boolean idle = !(msg instanceof HttpContent);
            boolean charged = false;
            if (byAddress != null && idle && !req.uri().equals("/metrics")) {
                if (client == null) {
                    client = RateLimiter.addressKey(ctx.channel().remoteAddress());
                }
                long wait = byAddress.tryAcquire(client);
                if (wait > 0) {
                    answered(ctx, tooManyRequests(ctx, req, wait), keepAliveWithoutBody(req));
                    return;
                }
                charged = true;
            }
            if (fast != null && idle) {
                ChannelFuture f = fast.serve(ctx, req);
                if (f != null) {
                    answered(ctx, f, HttpUtil.isKeepAlive(req));
                    return;
                }
            }
            BodyStream b = new BodyStream(ctx);
            body = b;
            Exchange ex = new Exchange(ctx, req, b, charged);
            if (msg instanceof HttpContent c) {
                b.offer(c);
            }
            workers.execute(() -> handle(ex));
        } else if (msg instanceof HttpContent c) {
            if (body != null) {
                body.offer(c);
            } else {
                c.release(); // the empty end of a request answered on the event loop
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Whether a 429 may keep the connection: not when a request body follows that is not read. */
    private static boolean keepAliveWithoutBody(HttpRequest req) {
        return HttpUtil.isKeepAlive(req) && !HttpUtil.isTransferEncodingChunked(req) && HttpUtil.getContentLength(req, 0L) == 0;
    }

    /**
     * 429 with the spec's error body and Retry-After, on the event loop. A request with a body is
     * answered with {@code Connection: close} (its body is not read); one without keeps the connection.
     */
    private ChannelFuture tooManyRequests(ChannelHandlerContext ctx, HttpRequest req, long waitNanos) {
        long start = System.nanoTime();
        metrics.started();
        TooManyRequestsException e = new TooManyRequestsException(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
        byte[] json = ErrorResponses.body(e);
        boolean head = req.method().equals(HttpMethod.HEAD);
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ErrorResponses.status(e),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(json));
        r.headers().set(Exchange.headers())
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.RETRY_AFTER, e.retryAfterSeconds())
                .set(HttpHeaderNames.CONTENT_LENGTH, json.length);
        HttpUtil.setKeepAlive(r, keepAliveWithoutBody(req));
        ChannelFuture f = ctx.writeAndFlush(r);
        metrics.finished(req.method().name(), 429, head ? 0 : json.length, System.nanoTime() - start);
        return f;
    }

    private void handle(Exchange ex) {
        long start = System.nanoTime();
        metrics.started();
        try {
            if (ex.path().equals("/metrics")) {
                ex.sendJson(HttpResponseStatus.OK, Exchange.headers(), "text/plain; version=0.0.4", metrics.render());
            } else {
                routes.handle(ex);
            }
        } catch (RegistryException e) {
            if (!ex.responded()) {
                ex.sendError(e);
            }
        } catch (RuntimeException e) {
            if (ex.ctx.channel().isActive()) {
                LOG.log(System.Logger.Level.ERROR, ex.method() + " " + ex.path() + " failed", e);
            } else {
                // the client went away (mid-upload, typically): nothing was committed, nobody to answer
                LOG.log(System.Logger.Level.INFO, ex.method() + " " + ex.path() + ": client disconnected: " + e.getMessage());
            }
            if (!ex.responded()) {
                ex.send(HttpResponseStatus.INTERNAL_SERVER_ERROR, Exchange.headers(),
                        ("internal error: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        boolean reusable = ex.keepAlive && ex.body.drain(DRAIN_LIMIT);
        long elapsed = System.nanoTime() - start;
        metrics.finished(ex.method().name(), ex.responded() ? ex.status().code() : 0, ex.bytesSent(), elapsed);
        accessLog.log(ex, elapsed);
        try {
            ex.ctx.executor().execute(() -> finish(ex, reusable));
        } catch (RejectedExecutionException e) {
            ex.body.close(); // the server is shutting down: its event loops close the connection
        }
    }

    /** On the event loop: releases the request's buffers, then reads the next request or closes. */
    private void finish(Exchange ex, boolean reusable) {
        ex.body.close();
        if (body == ex.body) {
            body = null;
        }
        if (reusable && ex.ctx.channel().isActive() && !closing) {
            replay(ex.ctx);
        } else {
            closing = true;
            releasePending();
            ex.lastWrite().ifPresentOrElse(f -> f.addListener(ChannelFutureListener.CLOSE), ex.ctx::close);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (body != null) {
            body.connectionClosed();
        }
        releasePending();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "connection error", cause);
        ctx.close();
    }
}
