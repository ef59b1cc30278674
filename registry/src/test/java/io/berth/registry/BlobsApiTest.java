package io.berth.registry;

import static io.berth.registry.TestRegistry.header;
import static io.berth.registry.TestRegistry.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Digest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blob endpoints (end-2, end-4, end-5, end-6, end-10, end-11, end-13, end-14) as distribution-spec states them. */
class BlobsApiTest {
    @TempDir
    Path dir;
    TestRegistry reg;

    @BeforeEach
    void start() {
        reg = new TestRegistry(dir);
    }

    @AfterEach
    void stop() {
        reg.close();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private long storedBlobFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void apiVersionCheck() {
        // end-1: GET /v2/ -> 200
        HttpResponse<byte[]> r = reg.get("/v2/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
    }

    @Test
    void singlePostThenGetAndHead() {
        byte[] content = random(100_000);
        Digest d = Digest.sha256(content);
        HttpResponse<byte[]> post = reg.request("POST", "/v2/team/app/blobs/uploads/?digest=" + d, content,
                "Content-Type", "application/octet-stream");
        assertThat(post.statusCode()).isEqualTo(201);
        assertThat(header(post, "Location")).isEqualTo("/v2/team/app/blobs/" + d);
        assertThat(header(post, "Docker-Content-Digest")).isEqualTo(d.toString());

        HttpResponse<byte[]> get = reg.get("/v2/team/app/blobs/" + d);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);
        assertThat(header(get, "Docker-Content-Digest")).isEqualTo(d.toString());

        HttpResponse<byte[]> head = reg.head("/v2/team/app/blobs/" + d);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "Content-Length")).isEqualTo("100000");
        assertThat(header(head, "Docker-Content-Digest")).isEqualTo(d.toString());
        assertThat(head.body()).isEmpty();
    }

    @Test
    void rangeRequests() {
        byte[] content = "0123456789".getBytes(StandardCharsets.UTF_8);
        Digest d = reg.pushBlob("r", content);
        HttpResponse<byte[]> r = reg.get("/v2/r/blobs/" + d, "Range", "bytes=2-4");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(text(r)).isEqualTo("234");
        assertThat(header(r, "Content-Range")).isEqualTo("bytes 2-4/10");
        assertThat(text(reg.get("/v2/r/blobs/" + d, "Range", "bytes=7-"))).isEqualTo("789");
        assertThat(text(reg.get("/v2/r/blobs/" + d, "Range", "bytes=-2"))).isEqualTo("89");
        HttpResponse<byte[]> bad = reg.get("/v2/r/blobs/" + d, "Range", "bytes=10-20");
        assertThat(bad.statusCode()).isEqualTo(416);
        assertThat(header(bad, "Content-Range")).isEqualTo("bytes */10");
    }

    @Test
    void unknownBlobIs404() {
        Digest d = Digest.sha256(new byte[] {1});
        HttpResponse<byte[]> r = reg.get("/v2/r/blobs/" + d);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(text(r)).contains("\"BLOB_UNKNOWN\"");
        assertThat(reg.head("/v2/r/blobs/" + d).statusCode()).isEqualTo(404);
    }

    @Test
    void blobIsOnlyVisibleInRepositoriesItIsLinkedTo() {
        Digest d = reg.pushBlob("one", random(10));
        assertThat(reg.get("/v2/one/blobs/" + d).statusCode()).isEqualTo(200);
        assertThat(reg.get("/v2/two/blobs/" + d).statusCode()).isEqualTo(404);
    }

    @Test
    void postThenPut() {
        byte[] content = random(5000);
        Digest d = Digest.sha256(content);
        HttpResponse<byte[]> post = reg.request("POST", "/v2/r/blobs/uploads/", new byte[0]);
        assertThat(post.statusCode()).isEqualTo(202);
        String loc = header(post, "Location");
        assertThat(loc).matches("/v2/r/blobs/uploads/[0-9a-f-]{36}");
        HttpResponse<byte[]> put = reg.request("PUT", loc + "?digest=" + d, content,
                "Content-Type", "application/octet-stream");
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Location")).isEqualTo("/v2/r/blobs/" + d);
        assertThat(reg.get("/v2/r/blobs/" + d).body()).isEqualTo(content);
    }

    @Test
    void chunkedUploadWithStatusAndOutOfOrderChunk() {
        byte[] content = random(300_000);
        Digest d = Digest.sha256(content);
        String loc = header(reg.request("POST", "/v2/r/blobs/uploads/", new byte[0]), "Location");

        HttpResponse<byte[]> p1 = reg.request("PATCH", loc, Arrays.copyOfRange(content, 0, 100_000),
                "Content-Type", "application/octet-stream", "Content-Range", "0-99999");
        assertThat(p1.statusCode()).isEqualTo(202);
        assertThat(header(p1, "Range")).isEqualTo("0-99999");
        loc = header(p1, "Location");

        // "If a chunk is uploaded out of order, the registry MUST respond with a 416"
        HttpResponse<byte[]> wrong = reg.request("PATCH", loc, Arrays.copyOfRange(content, 150_000, 200_000),
                "Content-Range", "150000-199999");
        assertThat(wrong.statusCode()).isEqualTo(416);
        assertThat(text(wrong)).contains("BLOB_UPLOAD_INVALID");

        // end-13: GET <blob-push-location> -> 204 with Range
        HttpResponse<byte[]> status = reg.get(loc);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(header(status, "Range")).isEqualTo("0-99999");
        assertThat(header(status, "Location")).isEqualTo(loc);

        HttpResponse<byte[]> p2 = reg.request("PATCH", loc, Arrays.copyOfRange(content, 100_000, 200_000),
                "Content-Range", "100000-199999");
        assertThat(p2.statusCode()).isEqualTo(202);
        assertThat(header(p2, "Range")).isEqualTo("0-199999");

        // the final chunk in the closing PUT
        HttpResponse<byte[]> put = reg.request("PUT", loc + "?digest=" + d, Arrays.copyOfRange(content, 200_000, 300_000),
                "Content-Range", "200000-299999");
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(reg.get("/v2/r/blobs/" + d).body()).isEqualTo(content);
        assertThat(reg.get(loc).statusCode()).isEqualTo(404);
    }

    @Test
    void malformedContentRangeIs416() {
        String loc = header(reg.request("POST", "/v2/r/blobs/uploads/", new byte[0]), "Location");
        assertThat(reg.request("PATCH", loc, new byte[4], "Content-Range", "bytes 0-3").statusCode()).isEqualTo(416);
        assertThat(reg.request("PATCH", loc, new byte[4], "Content-Range", "0-9").statusCode()).isEqualTo(416);
        assertThat(header(reg.get(loc), "Range")).isEqualTo("0-0");
    }

    @Test
    void digestMismatchStoresNothing() throws IOException {
        byte[] content = random(1000);
        Digest other = Digest.sha256(new byte[] {42});
        HttpResponse<byte[]> r = reg.request("POST", "/v2/r/blobs/uploads/?digest=" + other, content);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).contains("\"DIGEST_INVALID\"");
        assertThat(storedBlobFiles()).isZero();
        assertThat(reg.get("/v2/r/blobs/" + other).statusCode()).isEqualTo(404);
        try (Stream<Path> s = Files.list(dir.resolve("uploads"))) {
            assertThat(s.count()).isZero();
        }

        String loc = header(reg.request("POST", "/v2/r/blobs/uploads/", new byte[0]), "Location");
        HttpResponse<byte[]> put = reg.request("PUT", loc + "?digest=" + other, content);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(text(put)).contains("\"DIGEST_INVALID\"");
        assertThat(storedBlobFiles()).isZero();
    }

    @Test
    void invalidDigestAndNameAre400() {
        HttpResponse<byte[]> r = reg.request("POST", "/v2/r/blobs/uploads/?digest=sha256:xyz", new byte[1]);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).contains("\"DIGEST_INVALID\"");
        HttpResponse<byte[]> n = reg.request("POST", "/v2/Upper/blobs/uploads/", new byte[0]);
        assertThat(n.statusCode()).isEqualTo(400);
        assertThat(text(n)).contains("\"NAME_INVALID\"");
        assertThat(reg.get("/v2/a--b__c/blobs/sha256:zz").statusCode()).isEqualTo(400);
        assertThat(text(reg.get("/v2/a___b/tags/list"))).contains("\"NAME_INVALID\"");
    }

    @Test
    void cancelUpload() {
        String loc = header(reg.request("POST", "/v2/r/blobs/uploads/", new byte[0]), "Location");
        assertThat(reg.delete(loc).statusCode()).isEqualTo(204);
        HttpResponse<byte[]> again = reg.get(loc);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(text(again)).contains("\"BLOB_UPLOAD_UNKNOWN\"");
        assertThat(reg.delete(loc).statusCode()).isEqualTo(404);
    }

    @Test
    void uploadOfAnotherRepositoryIsUnknown() {
        String loc = header(reg.request("POST", "/v2/r/blobs/uploads/", new byte[0]), "Location");
        String other = loc.replace("/v2/r/", "/v2/s/");
        assertThat(reg.get(other).statusCode()).isEqualTo(404);
    }

    @Test
    void crossRepositoryMount() {
        byte[] content = random(77);
        Digest d = reg.pushBlob("src", content);
        HttpResponse<byte[]> m = reg.request("POST", "/v2/dst/blobs/uploads/?mount=" + d + "&from=src", new byte[0]);
        assertThat(m.statusCode()).isEqualTo(201);
        assertThat(header(m, "Location")).isEqualTo("/v2/dst/blobs/" + d);
        assertThat(header(m, "Docker-Content-Digest")).isEqualTo(d.toString());
        assertThat(reg.get("/v2/dst/blobs/" + d).body()).isEqualTo(content);

        // "The registry MAY treat the from parameter as optional"
        assertThat(reg.request("POST", "/v2/third/blobs/uploads/?mount=" + d, new byte[0]).statusCode()).isEqualTo(201);

        // from a repository that does not hold it: an upload session begins instead (202)
        HttpResponse<byte[]> miss = reg.request("POST", "/v2/fourth/blobs/uploads/?mount=" + d + "&from=nothere",
                new byte[0]);
        assertThat(miss.statusCode()).isEqualTo(202);
        assertThat(header(miss, "Location")).startsWith("/v2/fourth/blobs/uploads/");
        // an unregistered algorithm is carried, never computed: it cannot be mounted and cannot fail the server
        assertThat(reg.request("POST", "/v2/fourth/blobs/uploads/?mount=foo:a", new byte[0]).statusCode()).isEqualTo(202);
        assertThat(reg.get("/v2/fourth/blobs/foo:a").statusCode()).isEqualTo(404);
        Digest unknown = Digest.sha256(new byte[] {9});
        assertThat(reg.request("POST", "/v2/fourth/blobs/uploads/?mount=" + unknown, new byte[0]).statusCode())
                .isEqualTo(202);
    }

    @Test
    void deleteBlob() {
        Digest d = reg.pushBlob("r", random(10));
        assertThat(reg.delete("/v2/r/blobs/" + d).statusCode()).isEqualTo(202);
        assertThat(reg.get("/v2/r/blobs/" + d).statusCode()).isEqualTo(404);
        assertThat(reg.delete("/v2/r/blobs/" + d).statusCode()).isEqualTo(404);
    }

    @Test
    void sha512Upload() {
        byte[] content = random(64);
        Digest d = Digest.of(Digest.SHA512, content);
        HttpResponse<byte[]> post = reg.request("POST", "/v2/r/blobs/uploads/?digest-algorithm=sha512", new byte[0]);
        assertThat(post.statusCode()).isEqualTo(202);
        HttpResponse<byte[]> put = reg.request("PUT", header(post, "Location") + "?digest=" + d, content);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(reg.get("/v2/r/blobs/" + d).body()).isEqualTo(content);
    }

    @Test
    void keepAliveAcrossManyRequests() {
        Digest d = reg.pushBlob("r", random(1000));
        for (int i = 0; i < 200; i++) {
            assertThat(reg.head("/v2/r/blobs/" + d).statusCode()).isEqualTo(200);
        }
    }
}
