package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference server as a peer: skopeo copies a multi-platform index from docker-registry (CNCF
 * distribution, Debian package {@code docker-registry}) to Berth and back; digests never change.
 */
class DistributionInteropTest {
    @TempDir
    Path tmp;

    @Test
    void copyBetweenDistributionAndBerthKeepsDigests() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = tmp.resolve("dist.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n"
                + "  filesystem:\n    rootdirectory: " + tmp.resolve("dist") + "\n  delete:\n    enabled: true\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n");
        Process dist = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("dist.log").toFile()).start();
        try (TestRegistry berth = new TestRegistry(tmp.resolve("berth"))) {
            awaitUp("http://127.0.0.1:" + port + "/v2/");
            Path src = Files.createDirectories(tmp.resolve("src"));
            Digest index = OciLayoutFixture.multiPlatform(src, "multi");
            String d = "docker://127.0.0.1:" + port + "/peer/multi:latest";
            String b = "docker://127.0.0.1:" + berth.server.address().getPort() + "/peer/multi:latest";
            String d2 = "docker://127.0.0.1:" + port + "/back/multi:latest";
            copy("oci:" + src + ":multi", d);
            copy(d, b);
            assertThat(TestRegistry.header(berth.head("/v2/peer/multi/manifests/latest"), "Docker-Content-Digest"))
                    .isEqualTo(index.toString());
            copy(b, d2);
            String raw = Peers.run(List.of("skopeo", "--insecure-policy", "inspect", "--raw", "--tls-verify=false", d2));
            assertThat(Digest.sha256(raw.getBytes(StandardCharsets.UTF_8))).isEqualTo(index);
        } finally {
            dist.destroy();
            assertThat(dist.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void copy(String from, String to) {
        Peers.run(List.of("skopeo", "--insecure-policy", "copy", "--all", "--src-tls-verify=false",
                "--dest-tls-verify=false", from, to));
    }

    private static void awaitUp(String url) throws InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < 100; i++) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("docker-registry did not start at " + url);
    }
}
