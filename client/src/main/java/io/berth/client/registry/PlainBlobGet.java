package io.berth.client.registry;

import io.berth.image.io.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A blob GET over plain HTTP/1.1 on one socket, for registries the client talks to without TLS. The JDK
 * HTTP client moves a response body through a chain of flow subscribers and buffer copies; for a 315 MB
 * pull from a loopback registry that plumbing cost ~0.6 s of a ~1.3 s copy (docs/benchmarks.md "Pull and
 * push"). Only the plain case is taken: exactly the expected status with a Content-Length and no transfer
 * coding; anything else (a challenge, a redirect, an error, chunked bodies) answers empty and the caller
 * asks again through the JDK client, which handles all of it.
 */
final class PlainBlobGet {
    private static final int MAX_HEADERS = 64 * 1024;
    private static final int BUFFER = 1 << 20;

    private PlainBlobGet() {}

    /**
     * The body of {@code GET uri} when the answer is {@code status} with a Content-Length; empty when it is
     * anything else or the connection fails (the caller falls back).
     */
    static Optional<InputStream> open(URI uri, Map<String, String> headers, int status, Duration timeout) {
        if (!"http".equals(uri.getScheme())) {
            return Optional.empty();
        }
        Socket ch = null;
        try {
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
            ch = new Socket();
            ch.connect(new InetSocketAddress(uri.getHost(), port), millis);
            ch.setSoTimeout(millis); // a stalled read fails like the JDK client's request timeout
            StringBuilder req = new StringBuilder("GET ").append(uri.getRawPath())
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(uri.getRawAuthority()).append("\r\n")
                    .append("Accept-Encoding: identity\r\nConnection: close\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            ch.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = ch.getInputStream();
            ByteBuffer buf = ByteBuffer.allocate(BUFFER);
            int end = -1;
            while (end < 0) {
                int r = buf.position() >= MAX_HEADERS ? -1
                        : in.read(buf.array(), buf.position(), buf.capacity() - buf.position());
                if (r < 0) {
                    ch.close();
                    return Optional.empty();
                }
                buf.position(buf.position() + r);
                end = headerEnd(buf.array(), buf.position());
            }
            String[] lines = new String(buf.array(), 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            long length = -1;
            boolean coded = false;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") || name.equals("content-encoding")) {
                    coded |= !value.equalsIgnoreCase("identity");
                }
            }
            if (statusLine.length < 2 || !statusLine[1].equals(Integer.toString(status)) || length < 0 || coded) {
                ch.close();
                return Optional.empty();
            }
            buf.flip();
            buf.position(end + 4);
            return Optional.of(new Body(ch, in, buf, length));
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the fallback reports what matters
                }
            }
            return Optional.empty();
        }
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

    /** Exactly Content-Length bytes from the socket; fewer before EOF is an I/O error (the caller resumes). */
    private static final class Body extends BulkInputStream {
        private final Socket socket;
        private final InputStream in;
        private final ByteBuffer buf;
        private long left;

        Body(Socket socket, InputStream in, ByteBuffer buf, long length) {
            this.socket = socket;
            this.in = in;
            this.buf = buf;
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (buf.hasRemaining()) { // what came with the headers
                int n = (int) Math.min(Math.min(len, buf.remaining()), left);
                buf.get(b, off, n);
                left -= n;
                return n;
            }
            int r = in.read(b, off, (int) Math.min(len, left));
            if (r < 0) {
                throw new IOException("connection closed with " + left + " bytes of the blob to come");
            }
            left -= r;
            return r;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
