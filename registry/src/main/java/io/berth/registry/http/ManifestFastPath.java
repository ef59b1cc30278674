package io.berth.registry.http;

import io.berth.registry.Registry;
import io.berth.registry.Registry.StoredManifest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * {@code GET}/{@code HEAD /v2/<name>/manifests/<reference>} answered on the event loop when the
 * registry's manifest cache has a freshly checked entry: no hand-off to a virtual thread, no storage
 * access, no regular expressions. Everything else (a miss, an entry due for its check, an Accept header
 * that refuses the type, a request with a body or a query) returns false and takes the normal path,
 * which gives the same answer and fills the cache. Used only when authentication is off and there is
 * no access log (neither may block an event loop).
 */
final class ManifestFastPath {
    private static final String PREFIX = "/v2/";
    private static final String MANIFESTS = "/manifests/";
    private static final AsciiString API_VERSION = AsciiString.cached("Docker-Distribution-API-Version");
    private static final AsciiString REGISTRY_2 = AsciiString.cached("registry/2.0");
    private static final AsciiString CONTENT_DIGEST = AsciiString.cached("Docker-Content-Digest");
    private static final DefaultHttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private final Registry registry;
    private final Metrics metrics;

    ManifestFastPath(Registry registry, Metrics metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    /**
     * Answers {@code req} if it can: the future of the write, or null when the normal path must answer.
     * The caller has charged the request to the client's rate limit already, and reads on or closes
     * ({@code Connection: close} is set on the response when the request asked for it).
     */
    ChannelFuture serve(ChannelHandlerContext ctx, HttpRequest req) {
        long start = System.nanoTime();
        HttpMethod method = req.method();
        boolean head = method.equals(HttpMethod.HEAD);
        if (!head && !method.equals(HttpMethod.GET)) {
            return null;
        }
        String uri = req.uri();
        if (!uri.startsWith(PREFIX) || uri.indexOf('?') >= 0 || uri.indexOf('%') >= 0 || uri.indexOf('#') >= 0) {
            return null;
        }
        int m = uri.lastIndexOf(MANIFESTS);
        if (m <= PREFIX.length()) {
            return null;
        }
        int refStart = m + MANIFESTS.length();
        if (refStart == uri.length() || uri.indexOf('/', refStart) >= 0) {
            return null;
        }
        HttpHeaders in = req.headers();
        if (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) != 0) {
            return null;
        }
        String reference = uri.substring(refStart);
        // names and references reach the cache only after the normal path validated them: a bad one misses
        StoredManifest sm = registry.freshManifest(uri.substring(PREFIX.length(), m), reference);
        if (sm == null || (reference.indexOf(':') < 0 && !Routes.accepts(in, sm.mediaType()))) {
            return null;
        }
        metrics.started();
        byte[] bytes = sm.bytes();
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes), HEADERS, HEADERS);
        String digest = sm.digest().toString();
        r.headers()
                .set(API_VERSION, REGISTRY_2)
                .set(HttpHeaderNames.CONTENT_TYPE, sm.mediaType())
                .set(CONTENT_DIGEST, digest)
                .set(HttpHeaderNames.ETAG, "\"" + digest + "\"")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        HttpUtil.setKeepAlive(r, HttpUtil.isKeepAlive(req));
        ChannelFuture f = ctx.writeAndFlush(r);
        metrics.finished(method.name(), 200, head ? 0 : bytes.length, System.nanoTime() - start);
        return f;
    }

}
