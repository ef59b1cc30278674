package io.berth.client.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The plain-HTTP transport against a one-shot server on 127.0.0.1 that records the raw request: what we
 * send (request line, headers, Content-Length or chunked bodies) and how each response framing is read
 * (Content-Length, chunked with extensions and trailers, up to the close, HEAD); a short body is an I/O
 * error, for the caller to resume.
 */
class PlainHttpTest {

    /** Serves {@code response} to one connection; the raw request (head and body) lands in {@code request}. */
    private static HttpResponse<InputStream> exchange(HttpRequest.Builder req, String path, String response,
            AtomicReference<String> request) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = Thread.ofPlatform().start(() -> {
            try (server; Socket s = server.accept()) {
                s.setSoTimeout(300); // the request is complete when the client goes quiet
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                try {
                    for (int r; (r = s.getInputStream().read(buf)) > 0; ) {
                        got.write(buf, 0, r);
                    }
                } catch (java.net.SocketTimeoutException quiet) {
                    // all sent
                }
                request.set(got.toString(StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                s.shutdownOutput();
                Thread.sleep(200);
            } catch (Exception e) {
                // the test's assertions say what went wrong
            }
        });
        HttpResponse<InputStream> r = PlainHttp.send(req.uri(URI.create("http://127.0.0.1:" + server.getLocalPort()
                + path)).build(), Duration.ofSeconds(10));
        t.join(5000);
        return r;
    }

    private static String body(HttpResponse<InputStream> r) throws IOException {
        try (InputStream in = r.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * A keep-alive server on 127.0.0.1: each accepted connection answers requests one after another with
     * {@code respond.apply(connection number, request line)}; a response ending in "\0" is sent without it and
     * the connection is closed after it. Returns the server; {@code connections} counts accepts.
     */
    private static ServerSocket keepAliveServer(java.util.function.BiFunction<Integer, String, String> respond,
            java.util.concurrent.atomic.AtomicInteger connections) throws IOException {
        ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int conn = connections.incrementAndGet();
                    Thread.ofPlatform().daemon().start(() -> {
                        try (s) {
                            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                                    StandardCharsets.ISO_8859_1));
                            for (String line; (line = in.readLine()) != null; ) {
                                String requestLine = line;
                                while ((line = in.readLine()) != null && !line.isEmpty()) {
                                    // headers: GET and HEAD have no body
                                }
                                String r = respond.apply(conn, requestLine);
                                boolean close = r.endsWith("\0");
                                s.getOutputStream().write(r.replace("\0", "").getBytes(StandardCharsets.ISO_8859_1));
                                s.getOutputStream().flush();
                                if (close) {
                                    return;
                                }
                            }
                        } catch (IOException e) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
        return server;
    }

    private static HttpResponse<InputStream> get(ServerSocket server, String method, String path) throws IOException {
        return PlainHttp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getLocalPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), Duration.ofSeconds(10));
    }

    @Test
    void connectionsAreKeptAliveAndReusedByGetAndHead() throws Exception {
        var connections = new java.util.concurrent.atomic.AtomicInteger();
        try (ServerSocket server = keepAliveServer((conn, line) -> line.startsWith("HEAD")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nc" + conn + "-\r\n0\r\n\r\n", connections)) {
            assertThat(body(get(server, "GET", "/a"))).isEqualTo("c1-");
            assertThat(get(server, "HEAD", "/b").headers().firstValue("content-length")).hasValue("7");
            assertThat(body(get(server, "GET", "/c"))).as("read to its end and closed: back in the pool").isEqualTo("c1-");
            assertThat(connections.get()).isEqualTo(1);
            // a body left unread closes its connection instead
            get(server, "GET", "/d").body().close();
            assertThat(body(get(server, "GET", "/e"))).isEqualTo("c2-");
            assertThat(connections.get()).isEqualTo(2);
        } finally {
            PlainHttp.closeIdle();
        }
    }

    @Test
    void aPooledConnectionTheServerClosedIsReplacedAndCloseIsHonoured() throws Exception {
        var connections = new java.util.concurrent.atomic.AtomicInteger();
        // connection 1 answers once and closes without saying so; connection 2 says "Connection: close"
        try (ServerSocket server = keepAliveServer((conn, line) -> switch (conn) {
            case 1 -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nc1\0";
            case 2 -> "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nc2\0";
            default -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nc" + conn;
        }, connections)) {
            assertThat(body(get(server, "GET", "/a"))).isEqualTo("c1");
            Thread.sleep(100); // the server has closed connection 1 by now
            assertThat(body(get(server, "GET", "/b"))).as("stale connection: sent again on a new one").isEqualTo("c2");
            assertThat(body(get(server, "GET", "/c"))).as("Connection: close was not pooled").isEqualTo("c3");
            assertThat(connections.get()).isEqualTo(3);
            // a request with a body never takes a pooled connection (it could not be sent again)
            HttpResponse<InputStream> put = PlainHttp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.getLocalPort() + "/p")).PUT(HttpRequest.BodyPublishers.noBody()).build(), Duration.ofSeconds(10));
            assertThat(body(put)).isEqualTo("c4");
            assertThat(connections.get()).isEqualTo(4);
        } finally {
            PlainHttp.closeIdle();
        }
    }

    @Test
    void getWithHeadersAndAContentLengthBody() throws Exception {
        AtomicReference<String> req = new AtomicReference<>();
        HttpResponse<InputStream> r = exchange(HttpRequest.newBuilder().GET().header("Range", "bytes=5-"),
                "/v2/a/b/blobs/sha256:00?x=1", "HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\n"
                        + "Docker-Content-Digest: sha256:00\r\n\r\nhello and more", req);
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("docker-content-digest")).hasValue("sha256:00");
        assertThat(body(r)).isEqualTo("hello");
        assertThat(req.get()).startsWith("GET /v2/a/b/blobs/sha256:00?x=1 HTTP/1.1\r\n")
                .contains("\r\nHost: 127.0.0.1:", "\r\nRange: bytes=5-\r\n")
                .doesNotContain("Content-Length").doesNotContain("Connection:").endsWith("\r\n\r\n");
    }

    @Test
    void putWithAKnownLengthAndPatchWithAStreamOfUnknownLength() throws Exception {
        AtomicReference<String> req = new AtomicReference<>();
        HttpResponse<InputStream> r = exchange(HttpRequest.newBuilder()
                .PUT(HttpRequest.BodyPublishers.ofString("0123456789")), "/u?digest=sha256:11",
                "HTTP/1.1 201 Created\r\nLocation: /v2/x/blobs/sha256:11\r\nContent-Length: 0\r\n\r\n", req);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue("/v2/x/blobs/sha256:11");
        assertThat(body(r)).isEmpty();
        assertThat(req.get()).startsWith("PUT /u?digest=sha256:11 HTTP/1.1\r\n").contains("\r\nContent-Length: 10\r\n")
                .endsWith("\r\n\r\n0123456789");

        HttpResponse<InputStream> p = exchange(HttpRequest.newBuilder().method("PATCH", HttpRequest.BodyPublishers
                .ofInputStream(() -> new java.io.ByteArrayInputStream("streamed".getBytes(StandardCharsets.UTF_8)))),
                "/up", "HTTP/1.1 202 Accepted\r\nRange: 0-7\r\nContent-Length: 0\r\n\r\n", req);
        assertThat(p.statusCode()).isEqualTo(202);
        assertThat(req.get()).contains("\r\nTransfer-Encoding: chunked\r\n").doesNotContain("Content-Length")
                .endsWith("\r\n\r\n8\r\nstreamed\r\n0\r\n\r\n");
    }

    @Test
    void chunkedAndCloseDelimitedAndHeadResponses() throws Exception {
        AtomicReference<String> req = new AtomicReference<>();
        HttpResponse<InputStream> chunked = exchange(HttpRequest.newBuilder().GET(), "/c",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\n"
                        + "X-Trailer: t\r\n\r\n", req);
        assertThat(body(chunked)).isEqualTo("hello, world");
        HttpResponse<InputStream> toClose = exchange(HttpRequest.newBuilder().GET(), "/e",
                "HTTP/1.0 200 OK\r\n\r\nuntil the end", req);
        assertThat(body(toClose)).isEqualTo("until the end");
        HttpResponse<InputStream> head = exchange(HttpRequest.newBuilder().method("HEAD",
                HttpRequest.BodyPublishers.noBody()), "/h", "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", req);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(1234);
        assertThat(body(head)).isEmpty();
        assertThat(req.get()).startsWith("HEAD /h HTTP/1.1\r\n");
    }

    @Test
    void aShortBodyOrAGarbledResponseIsAnIoError() throws Exception {
        AtomicReference<String> req = new AtomicReference<>();
        HttpResponse<InputStream> r = exchange(HttpRequest.newBuilder().GET(), "/s",
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", req);
        assertThatThrownBy(() -> body(r)).isInstanceOf(IOException.class).hasMessageContaining("to come");
        HttpResponse<InputStream> cut = exchange(HttpRequest.newBuilder().GET(), "/t",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort", req);
        assertThatThrownBy(() -> body(cut)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> exchange(HttpRequest.newBuilder().GET(), "/g", "SSH-2.0-OpenSSH\r\n\r\n", req))
                .isInstanceOf(IOException.class).hasMessageContaining("not an HTTP/1.x response");
    }

    @Test
    void headerNamesMustBeTokens() {
        assertThat(PlainHttp.token("Docker-Content-Digest")).isTrue();
        assertThat(PlainHttp.token("")).isFalse();
        assertThat(PlainHttp.token("Bad Name")).isFalse();
        assertThat(PlainHttp.token("X:Y")).isFalse();
        assertThat(PlainHttp.token("X\r\nInjected")).isFalse();
        // values: the JDK's request builder already refuses CR and LF, so no request can carry them here
        assertThatThrownBy(() -> HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Authorization",
                "Bearer a\r\nX-Injected: 1")).isInstanceOf(IllegalArgumentException.class);
    }
}
