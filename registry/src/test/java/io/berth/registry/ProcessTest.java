package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Digest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code RegistryMain serve} as its own process: SIGTERM stops it cleanly; kill -9 loses nothing stored. */
class ProcessTest {
    private static final Pattern LISTEN = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+) \\((\\w+)\\)");

    @TempDir
    Path dir;

    record Server(Process process, int port, String transport) {}

    private Server serve(String... jvmOptions) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.berth.registry.RegistryMain", "serve",
                "--addr", "127.0.0.1:0", "--root", dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = err.readLine()) != null) {
            Matcher m = LISTEN.matcher(line);
            if (m.find()) {
                Thread.ofVirtual().start(() -> drain(err));
                return new Server(p, Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        throw new AssertionError("server did not start, exit " + p.waitFor(5, TimeUnit.SECONDS));
    }

    private static void drain(BufferedReader err) {
        try {
            while (err.readLine() != null) {
                // the server's log is not under test here
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    @Test
    void sigtermStopsCleanly() throws Exception {
        Server s = serve();
        assertThat(s.transport()).isEqualTo("epoll");
        stopsOnSigterm(s);
    }

    @Test
    void nioWhenTheNativeTransportIsUnavailable() throws Exception {
        Server s = serve("-Dio.netty.transport.noNative=true");
        assertThat(s.transport()).isEqualTo("nio");
        stopsOnSigterm(s);
    }

    private static void stopsOnSigterm(Server s) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v2/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        s.process().destroy(); // SIGTERM
        assertThat(s.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(s.process().exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    }

    @Test
    void killDashNineMidUploadLeavesNothingHalfWrittenAndTheUploadResumes() throws Exception {
        byte[] blob = new byte[4 * 1024 * 1024];
        new Random(9).nextBytes(blob);
        Digest d = Digest.sha256(blob);
        Server s = serve();
        String loc;
        try (HttpClient http = HttpClient.newHttpClient()) {
            loc = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v2/app/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                    .headers().firstValue("Location").orElseThrow();
        }
        // a single PATCH of the whole blob, killed with half of it sent, and a monolithic POST likewise
        try (Socket patch = new Socket("127.0.0.1", s.port()); Socket post = new Socket("127.0.0.1", s.port())) {
            OutputStream o = patch.getOutputStream();
            o.write(("PATCH " + loc + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Range: 0-"
                    + (blob.length - 1) + "\r\nContent-Length: " + blob.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.write(blob, 0, blob.length / 2);
            o.flush();
            OutputStream o2 = post.getOutputStream();
            o2.write(("POST /v2/app/blobs/uploads/?digest=" + d + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + blob.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o2.write(blob, 0, blob.length / 2);
            o2.flush();
            Thread.sleep(500);
            s.process().destroyForcibly(); // SIGKILL
            assertThat(s.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        try (Stream<Path> files = Files.walk(dir.resolve("blobs"))) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }

        try (TestRegistry reg = new TestRegistry(dir)) {
            assertThat(reg.get("/v2/app/blobs/" + d).statusCode()).isEqualTo(404);
            // the session survived the crash at its last committed offset, and can be completed
            HttpResponse<byte[]> status = reg.get(loc);
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(TestRegistry.header(status, "Range")).isEqualTo("0-0");
            HttpResponse<byte[]> put = reg.request("PUT", loc + "?digest=" + d, blob, "Content-Range",
                    "0-" + (blob.length - 1));
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(reg.get("/v2/app/blobs/" + d).body()).isEqualTo(blob);
        }
    }
}
