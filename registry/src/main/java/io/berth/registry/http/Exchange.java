package io.berth.registry.http;

import io.berth.registry.RegistryException;
import io.berth.registry.TooManyRequestsException;
import io.berth.registry.auth.AuthException;
import io.berth.registry.storage.BlobContent;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedNioFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/** One request and its one response, used from the virtual thread that handles the request. */
final class Exchange {
    final ChannelHandlerContext ctx;
    final HttpRequest request;
    final BodyStream body;
    final QueryStringDecoder uri;
    final boolean keepAlive;
    /** Whether the request was charged to its client's rate limit before it got here. */
    final boolean rateCharged;
    private ChannelFuture lastWrite;
    private HttpResponseStatus status;
    private long bytesSent;

    Exchange(ChannelHandlerContext ctx, HttpRequest request, BodyStream body, boolean rateCharged) {
        this.ctx = ctx;
        this.rateCharged = rateCharged;
        this.request = request;
        this.body = body;
        this.uri = new QueryStringDecoder(request.uri());
        this.keepAlive = HttpUtil.isKeepAlive(request);
    }

    HttpMethod method() {
        return request.method();
    }

    String path() {
        return uri.path();
    }

    Optional<String> param(String name) {
        List<String> v = uri.parameters().get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    List<String> params(String name) {
        return uri.parameters().getOrDefault(name, List.of());
    }

    Optional<String> header(CharSequence name) {
        return Optional.ofNullable(request.headers().get(name));
    }


    /** Whether the connection is TLS. */
    boolean secure() {
        return ctx.pipeline().get(SslHandler.class) != null;
    }

    boolean responded() {
        return status != null;
    }

    HttpResponseStatus status() {
        return status;
    }

    long bytesSent() {
        return bytesSent;
    }

    /** The future of the response's last write, to close the connection after it. */
    Optional<ChannelFuture> lastWrite() {
        return Optional.ofNullable(lastWrite);
    }

    static HttpHeaders headers() {
        // "the client MAY encounter Docker-specific headers, such as Docker-Distribution-API-Version"
        return new DefaultHttpHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
    }

    /** Sends a whole response. For HEAD, {@code Content-Length} is taken from {@code headers} if set there. */
    void send(HttpResponseStatus s, HttpHeaders h, byte[] content) {
        boolean head = method().equals(HttpMethod.HEAD);
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
        r.headers().set(h);
        if (!head || !r.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.length);
        }
        finishHeaders(r);
        status = s;
        bytesSent = head ? 0 : content.length;
        lastWrite = ctx.writeAndFlush(r);
    }

    void send(HttpResponseStatus s, HttpHeaders h) {
        send(s, h, new byte[0]);
    }

    /** Sends {@code content} (JSON, or any text) with its Content-Type. */
    void sendJson(HttpResponseStatus s, HttpHeaders h, String contentType, byte[] content) {
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        send(s, h, content);
    }

    void sendError(RegistryException e) {
        HttpHeaders h = headers();
        if (e instanceof AuthException a && !a.challenge().isEmpty()) {
            h.set(HttpHeaderNames.WWW_AUTHENTICATE, a.challenge());
        }
        if (e instanceof TooManyRequestsException t) {
            // "A 429 Too Many Requests response ... SHOULD include a Retry-After header" (delay-seconds)
            h.set(HttpHeaderNames.RETRY_AFTER, t.retryAfterSeconds());
        }
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        send(ErrorResponses.status(e), h, ErrorResponses.body(e));
    }

    /** Sends {@code length} bytes of a file from {@code offset} with sendfile (Netty's FileRegion). */
    void sendFile(HttpResponseStatus s, HttpHeaders h, BlobContent.LocalFile file, long offset, long length) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, s);
        r.headers().set(h);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        finishHeaders(r);
        status = s;
        if (method().equals(HttpMethod.HEAD)) {
            lastWrite = ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.EMPTY_BUFFER,
                    r.headers(), new DefaultHttpHeaders()));
            return;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file.path(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("open blob " + file.path(), e);
        }
        ctx.write(r);
        if (!secure()) {
            ctx.write(new DefaultFileRegion(ch, offset, length)); // sendfile; the region closes the channel when sent
        } else {
            try {
                ctx.write(new ChunkedNioFile(ch, offset, length, 64 * 1024));
            } catch (IOException e) {
                throw new UncheckedIOException("read blob " + file.path(), e);
            }
        }
        bytesSent = length;
        lastWrite = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private void finishHeaders(HttpResponse r) {
        HttpUtil.setKeepAlive(r, keepAlive);
    }
}
