package io.berth.client.registry;

import io.berth.image.io.BulkInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Deque;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLSession;

/**
 * HTTP/1.1 over plain TCP for registries the client speaks to without TLS: the request's body written
 * from its publisher as it comes, the response's body (Content-Length, chunked, or up to the close) read
 * straight from the socket by the caller.
 *
 * <p>Connections are kept alive and pooled per host and port (a few idle ones each): a response body read
 * to its end and closed gives its connection back. Only GET and HEAD take a pooled connection, because a
 * pooled connection may have been closed by the server meanwhile, and only a request without a body can
 * simply be sent again on a fresh one when that shows (no response at all).
 *
 * <p>Why not the JDK client here: building one costs ~30 ms of a short command even with the AOT cache
 * (core reflection spins method handles for its filters), its first request ~25 ms more, and a body moves
 * through a chain of flow subscribers and buffer copies (~0.6 s of a 1.3 s pull of 315 MB before blob
 * GETs came here). TLS registries and token realms on https still use the JDK client.
 */
final class PlainHttp {
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_IDLE_PER_HOST = 8;
    /** Idle kept-alive connections by "host:port". */
    private static final Map<String, Deque<Socket>> IDLE = new ConcurrentHashMap<>();

    private PlainHttp() {}

    /** The connection ended before any byte of a response: on a reused connection, send again. */
    private static final class NoResponse extends IOException {
        NoResponse(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Sends {@code req} and returns the response with its body unread; an I/O error as the JDK client would. */
    static HttpResponse<InputStream> send(HttpRequest req, Duration timeout) throws IOException {
        URI uri = req.uri();
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("not a plain-HTTP URI: " + uri);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, req.timeout().orElse(timeout).toMillis()));
        String key = uri.getHost() + ":" + port;
        if (req.method().equals("GET") || req.method().equals("HEAD")) {
            for (Socket idle; (idle = take(key)) != null; ) {
                try {
                    return exchange(req, idle, key, millis, true);
                } catch (NoResponse stale) {
                    // closed by the server while idle: try the next one, then a fresh connection
                }
            }
        }
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(uri.getHost(), port), millis);
            s.setTcpNoDelay(true);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return exchange(req, s, key, millis, false);
    }

    private static Socket take(String key) {
        Deque<Socket> q = IDLE.get(key);
        for (Socket s; q != null && (s = q.pollFirst()) != null; ) {
            if (!s.isClosed()) {
                return s;
            }
        }
        return null;
    }

    /** Gives a connection whose response was read to its end back to the pool (or closes it). */
    private static void release(String key, Socket s) {
        Deque<Socket> q = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        if (q.size() < MAX_IDLE_PER_HOST) {
            q.addFirst(s);
        } else {
            closeQuietly(s);
        }
    }

    /** Closes the pooled idle connections (before a command exits). */
    static void closeIdle() {
        for (Deque<Socket> q : IDLE.values()) {
            for (Socket s; (s = q.pollFirst()) != null; ) {
                closeQuietly(s);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do: it is gone either way
        }
    }

    /**
     * One request and the head of its response on {@code s}. On a reused connection, a failure to send or
     * an end before any response byte is {@link NoResponse} (the connection is closed; the caller retries).
     */
    private static HttpResponse<InputStream> exchange(HttpRequest req, Socket s, String key, int millis, boolean reused)
            throws IOException {
        URI uri = req.uri();
        boolean handedOver = false;
        try {
            s.setSoTimeout(millis); // a stalled read fails like the JDK client's request timeout
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 256 * 1024);
            HttpRequest.BodyPublisher body = req.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody());
            long length = body.contentLength();
            StringBuilder head = new StringBuilder(req.method()).append(' ').append(uri.getRawPath() == null
                    || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(uri.getRawAuthority()).append("\r\n")
                    .append("Accept-Encoding: identity\r\nUser-Agent: berth\r\n");
            for (Map.Entry<String, List<String>> h : req.headers().map().entrySet()) {
                for (String v : h.getValue()) {
                    // what the JDK client refuses too: a CR or LF would start a header (or a request) of the
                    // peer's choosing, e.g. from a token a token server handed us
                    if (!token(h.getKey()) || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\0') >= 0) {
                        throw new IllegalArgumentException("invalid HTTP header " + h.getKey() + " for " + uri);
                    }
                    head.append(h.getKey()).append(": ").append(v).append("\r\n");
                }
            }
            boolean chunked = length < 0;
            if (chunked) {
                head.append("Transfer-Encoding: chunked\r\n");
            } else if (length > 0 || !req.method().equals("GET") && !req.method().equals("HEAD")) {
                head.append("Content-Length: ").append(length).append("\r\n");
            }
            try {
                out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                if (length != 0) {
                    writeBody(body, out, chunked);
                }
                out.flush();
            } catch (IOException e) {
                throw reused ? new NoResponse(req.method() + " " + uri + ": reused connection closed", e) : e;
            }
            HttpResponse<InputStream> r = readResponse(req, s, key, reused);
            handedOver = true;
            return r;
        } finally {
            if (!handedOver) {
                s.close();
            }
        }
    }

    /** An RFC 9110 token (a header name): visible ASCII but separators. */
    static boolean token(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Writes the publisher's buffers in order (chunk-coded when the length is unknown). */
    private static void writeBody(HttpRequest.BodyPublisher body, OutputStream out, boolean chunked) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        body.subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer b) {
                if (done.isDone()) {
                    return;
                }
                try {
                    int n = b.remaining();
                    if (chunked && n > 0) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    }
                    if (b.hasArray()) {
                        out.write(b.array(), b.arrayOffset() + b.position(), n);
                        b.position(b.limit());
                    } else {
                        byte[] a = new byte[n];
                        b.get(a);
                        out.write(a);
                    }
                    if (chunked && n > 0) {
                        out.write('\r');
                        out.write('\n');
                    }
                } catch (IOException e) {
                    done.completeExceptionally(e);
                    subscription.cancel();
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted sending the request body", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("request body: " + e.getCause(), e.getCause());
        }
        if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static HttpResponse<InputStream> readResponse(HttpRequest req, Socket s, String key, boolean reused)
            throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[Math.max(MAX_HEAD, 256 * 1024)];
        int n = 0;
        int end;
        while (true) {
            end = headerEnd(buf, n);
            if (end >= 0) {
                break;
            }
            if (n >= MAX_HEAD) {
                throw new IOException(req.method() + " " + req.uri() + ": response headers over " + MAX_HEAD + " bytes");
            }
            int r;
            try {
                r = in.read(buf, n, buf.length - n);
            } catch (java.net.SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (reused && n == 0) {
                    throw new NoResponse(req.method() + " " + req.uri() + ": reused connection reset", e);
                }
                throw e;
            }
            if (r < 0) {
                String msg = req.method() + " " + req.uri() + ": connection closed before a response";
                throw reused && n == 0 ? new NoResponse(msg, null) : new IOException(msg);
            }
            n += r;
        }
        String[] lines = new String(buf, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        int code;
        try {
            code = status.length >= 2 && status[0].startsWith("HTTP/1.") ? Integer.parseInt(status[1]) : -1;
        } catch (NumberFormatException e) {
            code = -1;
        }
        if (code < 100 || code > 999) {
            throw new IOException(req.method() + " " + req.uri() + ": not an HTTP/1.x response: " + lines[0]);
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
        }
        Leftover rest = new Leftover(buf, end + 4, n);
        String te = first(headers, "Transfer-Encoding").orElse("identity").toLowerCase(Locale.ROOT);
        // kept alive: HTTP/1.1 without "Connection: close", a framed body (up-to-the-close ones never are)
        String keyIfKept = status[0].equals("HTTP/1.1") && headers.getOrDefault("Connection", List.of()).stream()
                .noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("close")) ? key : null;
        boolean noBody = req.method().equals("HEAD") || code == 204 || code == 304 || code < 200
                || first(headers, "Content-Length").filter("0"::equals).isPresent() && !te.contains("chunked");
        if (noBody && keyIfKept != null && rest.pos == rest.end) {
            // nothing to read: the connection goes back now, whether or not the caller closes the body
            release(keyIfKept, s);
            return new Response(req, code, HttpHeaders.of(headers, (a, b) -> true), InputStream.nullInputStream());
        }
        InputStream body;
        if (noBody) {
            body = new Framed(s, in, rest, 0, false, keyIfKept);
        } else if (te.contains("chunked")) {
            body = new Framed(s, in, rest, -1, true, keyIfKept);
        } else if (first(headers, "Content-Length").isPresent()) {
            long length;
            try {
                length = Long.parseLong(first(headers, "Content-Length").get());
            } catch (NumberFormatException e) {
                throw new IOException(req.method() + " " + req.uri() + ": bad Content-Length");
            }
            body = new Framed(s, in, rest, length, false, keyIfKept);
        } else {
            body = new Framed(s, in, rest, Long.MAX_VALUE, false, null); // up to the close
        }
        return new Response(req, code, HttpHeaders.of(headers, (a, b) -> true), body);
    }

    private static Optional<String> first(Map<String, List<String>> h, String name) {
        List<String> v = h.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    /** Index of the "\r\n\r\n" that ends the headers within the first {@code n} bytes, or -1. */
    static int headerEnd(byte[] b, int n) {
        for (int i = 3; i < n; i++) {
            if (b[i - 3] == '\r' && b[i - 2] == '\n' && b[i - 1] == '\r' && b[i] == '\n') {
                return i - 3;
            }
        }
        return -1;
    }

    /** Bytes read with the headers that belong to the body. */
    private static final class Leftover {
        final byte[] b;
        int pos;
        final int end;

        Leftover(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }
    }

    /**
     * A response body: exactly Content-Length bytes, chunk-decoded, or up to the close; fewer bytes than
     * framed before EOF is an I/O error (the caller resumes). Closing gives a kept-alive connection back to
     * the pool when the body was read to its end and nothing more came; otherwise it closes the socket.
     */
    private static final class Framed extends BulkInputStream {
        private final Socket socket;
        private final InputStream in;
        private final Leftover rest;
        private final boolean chunked;
        private final String poolKey; // null: not kept alive
        private long left; // of the body (Content-Length) or of the current chunk; MAX_VALUE: to EOF
        private boolean eof;
        private boolean closed;

        Framed(Socket socket, InputStream in, Leftover rest, long length, boolean chunked, String poolKey) {
            this.socket = socket;
            this.in = in;
            this.rest = rest;
            this.chunked = chunked;
            this.poolKey = poolKey;
            this.left = chunked ? 0 : length;
            this.eof = !chunked && length == 0;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (chunked && left == 0 && !eof) {
                nextChunk();
            }
            if (eof || left == 0) {
                return -1;
            }
            int want = (int) Math.min(len, left);
            int r = raw(b, off, want);
            if (r < 0) {
                if (left == Long.MAX_VALUE) {
                    eof = true;
                    return -1;
                }
                throw new IOException("connection closed with " + (chunked ? "a chunk" : left + " bytes") + " to come");
            }
            if (left != Long.MAX_VALUE) {
                left -= r;
            }
            return r;
        }

        private int raw(byte[] b, int off, int len) throws IOException {
            if (rest.pos < rest.end) {
                int n = Math.min(len, rest.end - rest.pos);
                System.arraycopy(rest.b, rest.pos, b, off, n);
                rest.pos += n;
                return n;
            }
            return in.read(b, off, len);
        }

        private int rawByte() throws IOException {
            if (rest.pos < rest.end) {
                return rest.b[rest.pos++] & 0xff;
            }
            return in.read();
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = rawByte()) >= 0 && c != '\n') {
                if (sb.length() > 4096) {
                    throw new IOException("chunk header too long");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            if (c < 0) {
                throw new IOException("connection closed inside a chunk header");
            }
            return sb.toString();
        }

        /** Reads the next chunk's size line (after the previous chunk's CRLF); size 0 ends the body. */
        private void nextChunk() throws IOException {
            String size = line();
            if (size.isEmpty()) {
                size = line(); // the CRLF that ended the previous chunk's data
            }
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size \"" + size + "\"");
            }
            if (n < 0) {
                throw new IOException("bad chunk size \"" + size + "\"");
            }
            if (n == 0) {
                while (!line().isEmpty()) {
                    // trailers: ignored
                }
                eof = true;
            }
            left = n;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            boolean whole = chunked ? eof : left == 0;
            if (poolKey != null && whole && rest.pos == rest.end && !socket.isClosed()) {
                release(poolKey, socket);
            } else {
                socket.close();
            }
        }
    }

    /** The JDK's response interface over what came from the socket. */
    private record Response(HttpRequest request, int statusCode, HttpHeaders headers, InputStream body)
            implements HttpResponse<InputStream> {
        @Override
        public Optional<HttpResponse<InputStream>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
