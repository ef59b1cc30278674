package io.berth.client.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The plain-HTTP blob reader against a one-shot server on 127.0.0.1: the body of the expected status with
 * a Content-Length is read byte-exact from the socket (headers we send included); every other answer
 * (challenge, redirect, chunked, wrong status) is left to the JDK client (empty); a short body is an I/O
 * error, for the caller to resume.
 */
class PlainBlobGetTest {

    /** Serves one response; returns the request it received. */
    private static Optional<InputStream> exchange(String response, Map<String, String> headers, int status,
            AtomicReference<String> request) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = Thread.ofPlatform().start(() -> {
            try (server; Socket s = server.accept()) {
                byte[] buf = new byte[8192];
                int n = 0;
                while (PlainBlobGet.headerEnd(buf, n) < 0) {
                    int r = s.getInputStream().read(buf, n, buf.length - n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
                request.set(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                s.shutdownOutput();
                Thread.sleep(200);
            } catch (Exception e) {
                // the test's assertions say what went wrong
            }
        });
        Optional<InputStream> body = PlainBlobGet.open(URI.create("http://127.0.0.1:" + server.getLocalPort()
                + "/v2/a/b/blobs/sha256:00?x=1"), headers, status, java.time.Duration.ofSeconds(10));
        if (body.isEmpty()) {
            t.join();
        }
        return body;
    }

    @Test
    void readsTheBodyOfTheExpectedStatus() throws Exception {
        AtomicReference<String> req = new AtomicReference<>();
        byte[] blob = "0123456789abcdef".repeat(1000).getBytes(StandardCharsets.ISO_8859_1);
        Optional<InputStream> body = exchange("HTTP/1.1 206 Partial Content\r\nContent-Length: " + blob.length
                + "\r\nContent-Type: application/octet-stream\r\n\r\n" + new String(blob, StandardCharsets.ISO_8859_1),
                Map.of("Range", "bytes=10-", "Authorization", "Bearer tok"), 206, req);
        assertThat(body).isPresent();
        try (InputStream in = body.get()) {
            assertThat(in.readAllBytes()).isEqualTo(blob);
        }
        assertThat(req.get()).startsWith("GET /v2/a/b/blobs/sha256:00?x=1 HTTP/1.1\r\n")
                .contains("\r\nHost: 127.0.0.1:", "\r\nRange: bytes=10-\r\n", "\r\nAuthorization: Bearer tok\r\n",
                        "\r\nConnection: close\r\n");
    }

    @Test
    void everythingElseIsLeftToTheJdkClient() throws Exception {
        for (String response : new String[] {
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"x\"\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://elsewhere/\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\n\r\nno length",
            "HTTP/1.1 206 Partial Content\r\nContent-Length: 3\r\n\r\nabc",
        }) {
            assertThat(exchange(response, Map.of(), 200, new AtomicReference<>())).as(response).isEmpty();
        }
        assertThat(PlainBlobGet.open(URI.create("https://127.0.0.1:1/v2/"), Map.of(), 200, java.time.Duration.ofSeconds(1)))
                .as("TLS").isEmpty();
    }

    @Test
    void aShortBodyIsAnIoErrorForTheCallerToResume() throws Exception {
        Optional<InputStream> body = exchange("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", Map.of(), 200,
                new AtomicReference<>());
        assertThat(body).isPresent();
        try (InputStream in = body.get()) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("5 bytes of the blob to come");
        }
    }
}
