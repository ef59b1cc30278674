package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 pipelining (RFC 9112 9.3.2: "A server ... MUST send the corresponding responses in the same
 * order that the requests were received"), across requests answered on virtual threads and on the
 * event loop (cached manifests, 429s).
 */
class PipeliningTest {
    @TempDir
    Path dir;

    /** Status line and body of the next response. */
    private static String[] readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed in a response head: " + head);
            }
            head.write(c);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String[] {h.substring(0, h.indexOf("\r\n")), new String(in.readNBytes(length), StandardCharsets.UTF_8)};
    }

    @Test
    void pipelinedResponsesComeInRequestOrder() throws IOException {
        try (TestRegistry reg = new TestRegistry(dir)) {
            byte[] m = reg.pushImage("app", "v1", "layer");
            String manifest = new String(m, StandardCharsets.UTF_8);
            String tags = "{\"name\":\"app\",\"tags\":[\"v1\"]}";
            reg.get("/v2/app/manifests/v1"); // cached: answered on the event loop when the connection is idle
            try (Socket s = new Socket("127.0.0.1", reg.server.address().getPort())) {
                s.setSoTimeout(10_000);
                StringBuilder all = new StringBuilder();
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    switch (i % 3) {
                        case 0 -> {
                            all.append("GET /v2/app/tags/list HTTP/1.1\r\nHost: x\r\n\r\n");
                            expected.add(tags);
                        }
                        case 1 -> {
                            all.append("GET /v2/app/manifests/v1 HTTP/1.1\r\nHost: x\r\n\r\n");
                            expected.add(manifest);
                        }
                        default -> {
                            all.append("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n");
                            expected.add("{}");
                        }
                    }
                }
                OutputStream out = s.getOutputStream();
                out.write(all.toString().getBytes(StandardCharsets.US_ASCII)); // one write: the requests arrive together
                out.flush();
                InputStream in = s.getInputStream();
                for (int i = 0; i < expected.size(); i++) {
                    String[] r = readResponse(in);
                    assertThat(r[0]).as("response %d", i).isEqualTo("HTTP/1.1 200 OK");
                    assertThat(r[1]).as("response %d", i).isEqualTo(expected.get(i));
                }
                // and the connection still works afterwards
                out.write("GET /v2/app/manifests/v1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readResponse(in)[1]).isEqualTo(manifest);
            }
        }
    }

    @Test
    void aPipelinedConnectionCloseEndsTheConnectionAfterItsResponse() throws IOException {
        try (TestRegistry reg = new TestRegistry(dir, Limits.DEFAULT.withRateLimit(RateLimit.of(0.1, 3)))) {
            byte[] m = reg.pushImage("app", "v1", "layer"); // 3 requests: the bucket is empty now
            try (Socket s = new Socket("127.0.0.1", reg.server.address().getPort())) {
                s.setSoTimeout(10_000);
                String req = "GET /v2/app/tags/list HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        + "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n";
                s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                for (int i = 0; i < 3; i++) {
                    assertThat(readResponse(in)[0]).as("response %d", i).isEqualTo("HTTP/1.1 429 Too Many Requests");
                }
                assertThat(in.read()).as("closed after the Connection: close response").isEqualTo(-1);
            }
            assertThat(m).isNotEmpty();
        }
    }
}
