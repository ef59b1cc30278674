package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Digest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "If process A and B upload the same layer at the same time, both operations will proceed". */
class ConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void concurrentPushesOfOneLayerAllSucceedAndStoreOneBlob() throws Exception {
        byte[] layer = new byte[2 * 1024 * 1024];
        new Random(1).nextBytes(layer);
        Digest d = Digest.sha256(layer);
        int clients = 16;
        try (TestRegistry reg = new TestRegistry(dir); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String repo = "repo" + (i % 4);
                boolean chunked = i % 2 == 0;
                results.add(pool.submit(() -> chunked ? chunked(reg, repo, layer, d) : reg.request("POST",
                        "/v2/" + repo + "/blobs/uploads/?digest=" + d, layer).statusCode()));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(201);
            }
            for (int i = 0; i < 4; i++) {
                assertThat(reg.get("/v2/repo" + i + "/blobs/" + d).body()).isEqualTo(layer);
            }
        }
        try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
            assertThat(s.filter(Files::isRegularFile).toList()).hasSize(1);
        }
        try (Stream<Path> s = Files.list(dir.resolve("uploads"))) {
            assertThat(s.toList()).isEmpty();
        }
        try (Stream<Path> s = Files.list(dir.resolve("tmp"))) {
            assertThat(s.toList()).isEmpty();
        }
    }

    private static int chunked(TestRegistry reg, String repo, byte[] layer, Digest d) throws IOException {
        String loc = TestRegistry.header(reg.request("POST", "/v2/" + repo + "/blobs/uploads/", new byte[0]), "Location");
        int half = layer.length / 2;
        HttpResponse<byte[]> p = reg.request("PATCH", loc, java.util.Arrays.copyOfRange(layer, 0, half),
                "Content-Range", "0-" + (half - 1));
        if (p.statusCode() != 202) {
            return p.statusCode();
        }
        return reg.request("PUT", TestRegistry.header(p, "Location") + "?digest=" + d,
                java.util.Arrays.copyOfRange(layer, half, layer.length), "Content-Range", half + "-" + (layer.length - 1))
                .statusCode();
    }
}
