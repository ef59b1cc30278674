package io.berth.registry;

import static io.berth.registry.ManifestsApiTest.OCI_MANIFEST;
import static io.berth.registry.TestRegistry.header;
import static io.berth.registry.TestRegistry.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.auth.Authenticator;
import io.berth.registry.storage.Storage;
import io.berth.spec.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest cache and the event loop's answer from it: the same responses as from storage, writes
 * through the server seen at once, changes by another process over the same root seen after the
 * revalidation period.
 */
class ManifestCacheTest {
    private static final List<String> HEADERS = List.of("Content-Type", "Docker-Content-Digest", "ETag",
            "Content-Length", "Docker-Distribution-API-Version");

    @TempDir
    Path dir;

    private TestRegistry server(Path root, long revalidateMillis) {
        return new TestRegistry(root, new Registry(Storage.filesystem(root), Limits.DEFAULT, 1 << 20, revalidateMillis),
                Authenticator.none());
    }

    @Test
    void aCachedAnswerIsTheSameAsOneFromStorage() {
        try (TestRegistry reg = server(dir, 60_000)) {
            byte[] m = reg.pushImage("app", "v1", "layer");
            Digest d = Digest.sha256(m);
            HttpResponse<byte[]> miss = reg.get("/v2/app/manifests/v1", "Accept", OCI_MANIFEST);
            assertThat(reg.registry.freshManifest("app", "v1")).as("cached after the first GET").isNotNull();
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> hit = reg.get("/v2/app/manifests/v1", "Accept", OCI_MANIFEST);
                assertThat(hit.statusCode()).isEqualTo(200);
                assertThat(hit.body()).isEqualTo(m).isEqualTo(miss.body());
                for (String h : HEADERS) {
                    assertThat(header(hit, h)).as(h).isEqualTo(header(miss, h)).isNotNull();
                }
            }
            assertThat(header(miss, "Docker-Content-Digest")).isEqualTo(d.toString());
            HttpResponse<byte[]> head = reg.head("/v2/app/manifests/v1");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString(m.length));
            // by digest, any Accept header; by tag, one that excludes the type is 404 even when cached
            reg.get("/v2/app/manifests/" + d);
            assertThat(reg.get("/v2/app/manifests/" + d, "Accept", "application/x-nothing").body()).isEqualTo(m);
            HttpResponse<byte[]> refused = reg.get("/v2/app/manifests/v1", "Accept", "application/x-nothing");
            assertThat(refused.statusCode()).isEqualTo(404);
            assertThat(text(refused)).contains("MANIFEST_UNKNOWN");
            assertThat(reg.get("/v2/app/manifests/v1", "Accept", "application/x-a, " + OCI_MANIFEST + ";q=0.5")
                    .statusCode()).isEqualTo(200);
            // names are matched as sent: another spelling is not served from the cache
            assertThat(reg.get("/v2/App/manifests/v1").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void writesThroughTheServerAreSeenAtOnce() {
        try (TestRegistry reg = server(dir, 60_000)) {
            for (int i = 0; i < 20; i++) {
                byte[] m = reg.pushImage("app", "v1", "layer " + i);
                assertThat(reg.get("/v2/app/manifests/v1").body()).as("push %d", i).isEqualTo(m);
                assertThat(reg.get("/v2/app/manifests/v1").body()).as("push %d, again", i).isEqualTo(m);
            }
            byte[] m = reg.get("/v2/app/manifests/v1").body();
            Digest d = Digest.sha256(m);
            reg.get("/v2/app/manifests/" + d);
            assertThat(reg.delete("/v2/app/manifests/v1").statusCode()).isEqualTo(202);
            assertThat(reg.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
            assertThat(reg.get("/v2/app/manifests/" + d).statusCode()).isEqualTo(200);
            assertThat(reg.delete("/v2/app/manifests/" + d).statusCode()).isEqualTo(202);
            assertThat(reg.get("/v2/app/manifests/" + d).statusCode()).isEqualTo(404);
            assertThat(reg.head("/v2/app/manifests/" + d).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void cachedEntriesAreServedWithoutReadingStorageUntilTheirCheckIsDue() throws IOException, InterruptedException {
        try (TestRegistry reg = server(dir, 300)) {
            byte[] m = reg.pushImage("app", "v1", "layer");
            assertThat(reg.get("/v2/app/manifests/v1").statusCode()).isEqualTo(200);
            // behind the server's back (as another process would), the tag goes away
            Files.delete(dir.resolve("repositories/app/_tags/v1"));
            long start = System.nanoTime();
            HttpResponse<byte[]> cached = reg.get("/v2/app/manifests/v1");
            if ((System.nanoTime() - start) / 1_000_000 < 250) {
                assertThat(cached.statusCode()).as("served from the cache within the period").isEqualTo(200);
                assertThat(cached.body()).isEqualTo(m);
            }
            Thread.sleep(350);
            assertThat(reg.get("/v2/app/manifests/v1").statusCode()).as("checked after the period").isEqualTo(404);
        }
    }

    @Test
    void twoServersOverOneRootSeeEachOthersTagMoves() throws InterruptedException {
        try (TestRegistry a = server(dir, 100); TestRegistry b = server(dir, 100)) {
            byte[] first = a.pushImage("app", "v1", "one");
            assertThat(b.get("/v2/app/manifests/v1").body()).isEqualTo(first);
            byte[] second = a.pushImage("app", "v1", "two");
            assertThat(a.get("/v2/app/manifests/v1").body()).isEqualTo(second);
            Thread.sleep(150);
            assertThat(b.get("/v2/app/manifests/v1").body()).as("b after the revalidation period").isEqualTo(second);
            assertThat(b.get("/v2/app/manifests/v1").body()).isEqualTo(second);
            assertThat(a.delete("/v2/app/manifests/v1").statusCode()).isEqualTo(202);
            Thread.sleep(150);
            assertThat(b.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void withoutRevalidationPeriodEveryRequestChecksStorage() throws IOException {
        try (TestRegistry reg = server(dir, 0)) {
            reg.pushImage("app", "v1", "layer");
            assertThat(reg.get("/v2/app/manifests/v1").statusCode()).isEqualTo(200);
            assertThat(reg.get("/v2/app/manifests/v1").statusCode()).isEqualTo(200);
            Files.delete(dir.resolve("repositories/app/_tags/v1"));
            assertThat(reg.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void keepAliveAndConnectionCloseOnCachedAnswers() throws IOException {
        try (TestRegistry reg = server(dir, 60_000)) {
            byte[] m = reg.pushImage("app", "v1", "layer");
            reg.get("/v2/app/manifests/v1");
            try (Socket s = new Socket("127.0.0.1", reg.server.address().getPort())) {
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                for (int i = 0; i < 3; i++) {
                    out.write("GET /v2/app/manifests/v1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(readResponse(in, m.length)).startsWith("HTTP/1.1 200 OK").endsWith(new String(m, StandardCharsets.UTF_8));
                }
                out.write("HEAD /v2/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String last = readResponse(in, 0);
                assertThat(last).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("connection: close");
                assertThat(in.read()).as("closed after Connection: close").isEqualTo(-1);
            }
        }
    }

    /** Reads a response head and {@code bodyLength} bytes of body. */
    private static String readResponse(InputStream in, int bodyLength) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed in the response head: " + b);
            }
            b.write(c);
        }
        b.write(in.readNBytes(bodyLength));
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theCacheStaysWithinItsBudgetAndDropsRacingReads() {
        AtomicLong clock = new AtomicLong();
        ManifestCache c = new ManifestCache(new ManifestCache.Settings(10_000, 100), clock::get);
        for (int i = 0; i < 100; i++) {
            byte[] bytes = new byte[1000];
            bytes[0] = (byte) i;
            Registry.StoredManifest sm = new Registry.StoredManifest(Digest.sha256(bytes), OCI_MANIFEST, bytes);
            c.put("app", "t" + i, new ManifestCache.Entry(sm, "tv", "mv", clock.get()), c.generation());
            assertThat(c.bytes()).isLessThanOrEqualTo(10_000);
        }
        assertThat(c.size()).isBetween(1, 10);

        byte[] bytes = {1, 2, 3};
        Registry.StoredManifest sm = new Registry.StoredManifest(Digest.sha256(bytes), OCI_MANIFEST, bytes);
        long before = c.generation();
        c.invalidate("other"); // a write while "x" was being read
        c.put("x", "t", new ManifestCache.Entry(sm, "tv", "mv", clock.get()), before);
        assertThat(c.get("x", "t")).as("a read that raced with a write is not kept").isNull();
        c.put("x", "t", new ManifestCache.Entry(sm, "tv", "mv", clock.get()), c.generation());
        assertThat(c.fresh("x", "t")).isSameAs(sm);
        clock.addAndGet(100_000_000L);
        assertThat(c.fresh("x", "t")).as("due for its check").isNull();
        assertThat(c.get("x", "t")).isNotNull();
        c.invalidate("x");
        assertThat(c.get("x", "t")).isNull();
        // a manifest bigger than a quarter of the budget is not cached
        byte[] big = new byte[3000];
        c.put("y", "t", new ManifestCache.Entry(new Registry.StoredManifest(Digest.sha256(big), OCI_MANIFEST, big), "tv", "mv", 0),
                c.generation());
        assertThat(c.get("y", "t")).isNull();
    }
}
