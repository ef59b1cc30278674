package io.berth.registry;

import static io.berth.registry.TestRegistry.header;
import static io.berth.registry.TestRegistry.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifest endpoints (end-3, end-7, end-9) and referrers (end-12). */
class ManifestsApiTest {
    static final String OCI_MANIFEST = MediaType.Known.OCI_MANIFEST.value();
    static final String OCI_INDEX = MediaType.Known.OCI_INDEX.value();

    @TempDir
    Path dir;
    TestRegistry reg;

    @BeforeEach
    void start() {
        reg = new TestRegistry(dir, new Limits(64 * 1024, 1000));
    }

    @AfterEach
    void stop() {
        reg.close();
    }

    @Test
    void pushByTagThenPullByTagAndDigest() {
        byte[] m = reg.pushImage("app", "v1", "layer-a");
        Digest d = Digest.sha256(m);

        HttpResponse<byte[]> byTag = reg.get("/v2/app/manifests/v1", "Accept", OCI_MANIFEST);
        assertThat(byTag.statusCode()).isEqualTo(200);
        assertThat(byTag.body()).isEqualTo(m);
        assertThat(header(byTag, "Content-Type")).isEqualTo(OCI_MANIFEST);
        assertThat(header(byTag, "Docker-Content-Digest")).isEqualTo(d.toString());

        HttpResponse<byte[]> byDigest = reg.get("/v2/app/manifests/" + d);
        assertThat(byDigest.statusCode()).isEqualTo(200);
        assertThat(byDigest.body()).isEqualTo(m);

        HttpResponse<byte[]> head = reg.head("/v2/app/manifests/v1");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString(m.length));
        assertThat(header(head, "Docker-Content-Digest")).isEqualTo(d.toString());
    }

    @Test
    void putResponseHeaders() {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        reg.pushBlob("app", config);
        byte[] m = Manifest.oci(Descriptor.forContent(MediaType.Known.OCI_CONFIG, config), List.of(), Map.of()).toBytes();
        Digest d = Digest.sha256(m);
        HttpResponse<byte[]> r = reg.request("PUT", "/v2/app/manifests/" + d + "?tag=1.0&tag=latest", m,
                "Content-Type", OCI_MANIFEST);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(header(r, "Location")).isEqualTo("/v2/app/manifests/" + d);
        assertThat(header(r, "Docker-Content-Digest")).isEqualTo(d.toString());
        assertThat(header(r, "OCI-Tag")).isEqualTo("1.0, latest");
        assertThat(reg.get("/v2/app/manifests/latest").body()).isEqualTo(m);
        assertThat(reg.get("/v2/app/manifests/1.0").body()).isEqualTo(m);
    }

    @Test
    void exactBytesAreKept() {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest c = reg.pushBlob("app", config);
        String pretty = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + OCI_MANIFEST + "\",\n  \"config\": {\"mediaType\": \""
                + MediaType.Known.OCI_CONFIG.value() + "\", \"digest\": \"" + c + "\", \"size\": 2},\n  \"layers\": []\n}\n";
        byte[] m = pretty.getBytes(StandardCharsets.UTF_8);
        assertThat(reg.request("PUT", "/v2/app/manifests/x", m, "Content-Type", OCI_MANIFEST).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> r = reg.get("/v2/app/manifests/x");
        assertThat(r.body()).isEqualTo(m);
        assertThat(header(r, "Docker-Content-Digest")).isEqualTo(Digest.sha256(m).toString());
    }

    @Test
    void unknownManifestIs404() {
        reg.pushImage("app", "v1", "l");
        HttpResponse<byte[]> r = reg.get("/v2/app/manifests/v2");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(text(r)).contains("\"MANIFEST_UNKNOWN\"");
        assertThat(reg.get("/v2/app/manifests/" + Digest.sha256(new byte[1])).statusCode()).isEqualTo(404);
        assertThat(reg.get("/v2/nothere/manifests/latest").statusCode()).isEqualTo(404);
    }

    @Test
    void aNameOutsideTheTagGrammarIsNotFoundOnPullButInvalidOnPush() {
        // The distribution-spec conformance suite pulls ".INVALID_MANIFEST_NAME" and expects 404.
        byte[] m = reg.pushImage("app", "v1", "l");
        HttpResponse<byte[]> get = reg.get("/v2/app/manifests/.INVALID_MANIFEST_NAME");
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(text(get)).contains("\"MANIFEST_UNKNOWN\"");
        assertThat(reg.head("/v2/app/manifests/.INVALID_MANIFEST_NAME").statusCode()).isEqualTo(404);
        assertThat(reg.get("/v2/app/manifests/-x").statusCode()).isEqualTo(404);
        HttpResponse<byte[]> put = reg.request("PUT", "/v2/app/manifests/.INVALID_MANIFEST_NAME", m,
                "Content-Type", OCI_MANIFEST);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(text(put)).contains("\"MANIFEST_INVALID\"");
    }

    @Test
    void missingBlobsAreManifestBlobUnknown() throws IOException {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] m = Manifest.oci(Descriptor.forContent(MediaType.Known.OCI_CONFIG, config),
                List.of(Descriptor.forContent(MediaType.Known.OCI_LAYER, new byte[] {1})), Map.of()).toBytes();
        HttpResponse<byte[]> r = reg.request("PUT", "/v2/app/manifests/v1", m, "Content-Type", OCI_MANIFEST);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).contains("\"MANIFEST_BLOB_UNKNOWN\"");
        assertThat(reg.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        assertStoredNothing();
    }

    @Test
    void indexNeedsItsManifests() {
        Index ix = Index.of(List.of(Descriptor.of(MediaType.Known.OCI_MANIFEST, Digest.sha256(new byte[] {3}), 10)));
        HttpResponse<byte[]> r = reg.request("PUT", "/v2/app/manifests/multi", ix.toBytes(), "Content-Type", OCI_INDEX);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).contains("\"MANIFEST_BLOB_UNKNOWN\"");

        byte[] child = reg.pushImage("app", "amd64", "l1");
        Index ok = Index.of(List.of(Descriptor.forContent(MediaType.Known.OCI_MANIFEST, child)));
        HttpResponse<byte[]> put = reg.request("PUT", "/v2/app/manifests/multi", ok.toBytes(), "Content-Type", OCI_INDEX);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(reg.get("/v2/app/manifests/multi"), "Content-Type")).isEqualTo(OCI_INDEX);
    }

    @Test
    void malformedJsonIsManifestInvalid() throws IOException {
        for (String bad : List.of("{", "[]", "{\"schemaVersion\":1}", "{\"schemaVersion\":2,\"config\":5,\"layers\":[]}",
                "{\"schemaVersion\":2,\"schemaVersion\":2}")) {
            HttpResponse<byte[]> r = reg.request("PUT", "/v2/app/manifests/v1", bad.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", OCI_MANIFEST);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(text(r)).as(bad).contains("\"MANIFEST_INVALID\"");
        }
        assertStoredNothing();
    }

    @Test
    void contentTypeMustMatchMediaType() {
        byte[] m = reg.pushImage("app", "v1", "l");
        HttpResponse<byte[]> r = reg.request("PUT", "/v2/app/manifests/v2", m, "Content-Type", OCI_INDEX);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).contains("\"MANIFEST_INVALID\"");
    }

    @Test
    void oversizedManifestIs413AndStoresNothing() throws IOException {
        byte[] big = new byte[64 * 1024 + 1];
        Arrays.fill(big, (byte) ' ');
        HttpResponse<byte[]> r = reg.request("PUT", "/v2/app/manifests/v1", big, "Content-Type", OCI_MANIFEST);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(text(r)).contains("\"SIZE_INVALID\"");
        assertStoredNothing();
    }

    @Test
    void digestInUrlMustMatch() throws IOException {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        reg.pushBlob("app", config);
        byte[] m = Manifest.oci(Descriptor.forContent(MediaType.Known.OCI_CONFIG, config), List.of(), Map.of()).toBytes();
        HttpResponse<byte[]> r = reg.request("PUT", "/v2/app/manifests/" + Digest.sha256(new byte[] {7}), m,
                "Content-Type", OCI_MANIFEST);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).contains("\"DIGEST_INVALID\"");
        assertThat(reg.registry.storage().manifests().digests(RepositoryName.of("app"))).isEmpty();
    }

    @Test
    void acceptNegotiationByTagButNeverByDigest() {
        byte[] m = reg.pushImage("app", "v1", "l");
        String docker = MediaType.Known.DOCKER_MANIFEST.value();
        HttpResponse<byte[]> r = reg.get("/v2/app/manifests/v1", "Accept", docker);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(text(r)).contains("\"MANIFEST_UNKNOWN\"");
        assertThat(reg.get("/v2/app/manifests/v1", "Accept", docker + ", " + OCI_MANIFEST).statusCode()).isEqualTo(200);
        assertThat(reg.get("/v2/app/manifests/v1", "Accept", "*/*").statusCode()).isEqualTo(200);
        assertThat(reg.get("/v2/app/manifests/" + Digest.sha256(m), "Accept", docker).statusCode()).isEqualTo(200);
    }

    @Test
    void dockerSchema2IsAccepted() {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        reg.pushBlob("app", config);
        byte[] m = new Manifest(Optional.of(MediaType.Known.DOCKER_MANIFEST), Optional.empty(),
                Descriptor.forContent(MediaType.Known.DOCKER_CONFIG, config), List.of(), Optional.empty(), Map.of()).toBytes();
        String docker = MediaType.Known.DOCKER_MANIFEST.value();
        assertThat(reg.request("PUT", "/v2/app/manifests/d", m, "Content-Type", docker).statusCode()).isEqualTo(201);
        assertThat(header(reg.get("/v2/app/manifests/d", "Accept", docker), "Content-Type")).isEqualTo(docker);
    }

    @Test
    void deleteTagThenManifest() {
        byte[] m = reg.pushImage("app", "v1", "l");
        Digest d = Digest.sha256(m);
        reg.request("PUT", "/v2/app/manifests/v2", m, "Content-Type", OCI_MANIFEST);
        assertThat(reg.delete("/v2/app/manifests/v2").statusCode()).isEqualTo(202);
        assertThat(reg.get("/v2/app/manifests/v2").statusCode()).isEqualTo(404);
        assertThat(reg.get("/v2/app/manifests/v1").statusCode()).isEqualTo(200);

        assertThat(reg.delete("/v2/app/manifests/" + d).statusCode()).isEqualTo(202);
        // "Once deleted, a GET to /v2/<name>/manifests/<digest> and any tag pointing to that digest will return a 404."
        assertThat(reg.get("/v2/app/manifests/" + d).statusCode()).isEqualTo(404);
        assertThat(reg.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        assertThat(reg.delete("/v2/app/manifests/" + d).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> noRepo = reg.delete("/v2/nothere/manifests/" + d);
        assertThat(noRepo.statusCode()).isEqualTo(404);
        assertThat(text(noRepo)).contains("\"NAME_UNKNOWN\"");
    }

    @Test
    void referrersWithSubjectAndArtifactTypeFilter() {
        byte[] subject = reg.pushImage("app", "v1", "l");
        Digest s = Digest.sha256(subject);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        reg.pushBlob("app", empty);
        Descriptor emptyConfig = Descriptor.forContent(MediaType.Known.OCI_EMPTY, empty);
        Descriptor subj = Descriptor.of(MediaType.Known.OCI_MANIFEST, s, subject.length);
        byte[] sbom = new Manifest(Optional.of(MediaType.Known.OCI_MANIFEST), Optional.of("application/vnd.example.sbom"),
                emptyConfig, List.of(), Optional.of(subj), Map.of("k", "v")).toBytes();
        byte[] sig = new Manifest(Optional.of(MediaType.Known.OCI_MANIFEST), Optional.empty(),
                Descriptor.forContent(new MediaType.Other("application/vnd.example.sig"), empty), List.of(),
                Optional.of(subj), Map.of()).toBytes();
        reg.pushBlob("app", empty);

        // the referrers API is empty before anything refers to the subject, and never 404
        HttpResponse<byte[]> none = reg.get("/v2/app/referrers/" + s);
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(Index.parse(none.body()).manifests()).isEmpty();
        assertThat(reg.get("/v2/nothere/referrers/" + s).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> put = reg.request("PUT", "/v2/app/manifests/" + Digest.sha256(sbom), sbom,
                "Content-Type", OCI_MANIFEST);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "OCI-Subject")).isEqualTo(s.toString());
        // the empty config blob is linked from the sbom push; the sig uses an Other config media type on the same blob
        assertThat(reg.request("PUT", "/v2/app/manifests/" + Digest.sha256(sig), sig, "Content-Type", OCI_MANIFEST)
                .statusCode()).isEqualTo(201);

        HttpResponse<byte[]> all = reg.get("/v2/app/referrers/" + s);
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(header(all, "Content-Type")).isEqualTo(OCI_INDEX);
        Index ix = Index.parse(all.body());
        assertThat(ix.manifests()).hasSize(2);
        assertThat(ix.manifests()).extracting(x -> x.artifactType().orElseThrow())
                .containsExactlyInAnyOrder("application/vnd.example.sbom", "application/vnd.example.sig");
        Descriptor sb = ix.manifests().stream().filter(x -> x.digest().equals(Digest.sha256(sbom))).findFirst().orElseThrow();
        assertThat(sb.annotations()).containsEntry("k", "v");
        assertThat(sb.size()).isEqualTo(sbom.length);

        HttpResponse<byte[]> filtered = reg.get("/v2/app/referrers/" + s + "?artifactType=application/vnd.example.sig");
        assertThat(header(filtered, "OCI-Filters-Applied")).isEqualTo("artifactType");
        assertThat(Index.parse(filtered.body()).manifests()).singleElement()
                .satisfies(x -> assertThat(x.digest()).isEqualTo(Digest.sha256(sig)));

        assertThat(reg.get("/v2/app/referrers/sha256:nothex").statusCode()).isEqualTo(400);

        // deleting a referrer removes it from the list
        assertThat(reg.delete("/v2/app/manifests/" + Digest.sha256(sig)).statusCode()).isEqualTo(202);
        assertThat(Index.parse(reg.get("/v2/app/referrers/" + s).body()).manifests()).hasSize(1);
    }

    private void assertStoredNothing() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
            assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
        }
        assertThat(dir.resolve("repositories/app/_manifests")).doesNotExist();
        assertThat(dir.resolve("repositories/app/_tags")).doesNotExist();
    }
}
