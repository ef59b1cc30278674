package io.berth.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.spec.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Manifest, Index, ImageConfig: parsing, round trips, errors naming the field. */
class DocumentsTest {
    static final String D = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final String MANIFEST = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":7},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":42,
                        "annotations":{"a":"b"}}],
             "futureField":{"x":[1,2,3]}}
            """.formatted(D, D);

    @Test
    void manifestParsesIgnoringUnknownFieldsAndRoundTrips() {
        Manifest m = Manifest.parse(b(MANIFEST));
        assertThat(m.layers()).hasSize(1);
        assertThat(m.layers().getFirst().size()).isEqualTo(42);
        assertThat(m.layers().getFirst().mediaType().layerCompression()).contains(Compression.GZIP);
        assertThat(m.layers().getFirst().annotations()).containsEntry("a", "b");
        assertThat(Manifest.parse(m.toBytes())).isEqualTo(m);
        // Deterministic: writing twice gives the same bytes.
        assertThat(m.toBytes()).isEqualTo(Manifest.parse(m.toBytes()).toBytes());
    }

    @Test
    void dockerSchema2IsAManifestToo() {
        Manifest m = Manifest.parse(b(MANIFEST.replace("application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.v2+json")));
        assertThat(m.effectiveMediaType()).isEqualTo(MediaType.Known.DOCKER_MANIFEST);
    }

    @Test
    void errorsNameTheFieldPath() {
        assertThatThrownBy(() -> Manifest.parse(b(MANIFEST.replace("\"size\":42", "\"size\":\"big\""))))
                .isInstanceOf(JsonException.class).hasMessageContaining("manifest.layers[0].size")
                .hasMessageContaining("number");
        assertThatThrownBy(() -> Manifest.parse(b(MANIFEST.replace("\"size\":42", "\"size\":-1"))))
                .hasMessageContaining("manifest.layers[0].size").hasMessageContaining("out of range");
        assertThatThrownBy(() -> Manifest.parse(b(MANIFEST.replace("\"schemaVersion\":2", "\"schemaVersion\":1"))))
                .hasMessageContaining("manifest.schemaVersion").hasMessageContaining("must be 2");
        assertThatThrownBy(() -> Manifest.parse(b(MANIFEST.replaceFirst(D, "sha256:xyz"))))
                .hasMessageContaining("manifest.config.digest").hasMessageContaining("sha256:xyz");
        assertThatThrownBy(() -> Manifest.parse(b("{\"schemaVersion\":2,\"layers\":[]}")))
                .hasMessageContaining("manifest.config").hasMessageContaining("missing");
        assertThatThrownBy(() -> Manifest.parse(b("[1]"))).hasMessageContaining("expected an object");
        assertThatThrownBy(() -> Manifest.parse(b("{\"schemaVersion\":2"))).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> Manifest.parse(b(MANIFEST + "{}"))).hasMessageContaining("trailing");
    }

    @Test
    void duplicateKeysAndDeepNestingAreRefused() {
        assertThatThrownBy(() -> Manifest.parse(b("{\"schemaVersion\":2,\"schemaVersion\":2}")))
                .hasMessageContaining("duplicate field \"schemaVersion\"");
        String deep = "[".repeat(1000) + "]".repeat(1000);
        assertThatThrownBy(() -> Index.parse(b(deep))).isInstanceOf(JsonException.class);
    }

    @Test
    void indexWithPlatformsAndUnknownMediaTypes() {
        String idx = """
                {"schemaVersion":2,"manifests":[
                  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,
                   "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
                  {"mediaType":"application/vnd.example.future+json","digest":"%s","size":2}]}
                """.formatted(D, D);
        Index i = Index.parse(b(idx));
        assertThat(i.manifests().get(0).platform().map(Platform::toString)).contains("linux/arm64/v8");
        // image-index.md: "An encountered mediaType that is unknown to the implementation MUST NOT generate an error."
        assertThat(i.manifests().get(1).mediaType()).isEqualTo(new MediaType.Other("application/vnd.example.future+json"));
        assertThat(Index.parse(i.toBytes())).isEqualTo(i);
        assertThatThrownBy(() -> Index.parse(b("{\"schemaVersion\":2}"))).hasMessageContaining("index.manifests");
    }

    @Test
    void configRoundTripsAndChecksRootfs() {
        ImageConfig c = ImageConfig.empty(Platform.parse("linux/amd64"))
                .withConfig(ImageConfig.Config.EMPTY.withEntrypoint(List.of("/bin/sh")).withCmd(List.of("-c", "x"))
                        .withEnv(List.of("A=1")).withUser(Optional.of("app")).withLabels(Map.of("z", "1", "a", "2")))
                .withLayer(Digest.parse(D), new ImageConfig.History(Optional.of("2024-01-01T00:00:00Z"),
                        Optional.of("berth"), Optional.empty(), Optional.empty(), false));
        ImageConfig back = ImageConfig.parse(c.toBytes());
        assertThat(back).isEqualTo(c);
        // Maps are written sorted, as Go's encoding/json does.
        assertThat(new String(c.toBytes(), StandardCharsets.UTF_8)).contains("\"Labels\":{\"a\":\"2\",\"z\":\"1\"}");
        assertThatThrownBy(() -> ImageConfig.parse(b("{\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"rootfs\":{\"type\":\"tar\",\"diff_ids\":[]}}"))).hasMessageContaining("config.rootfs.type");
        assertThatThrownBy(() -> ImageConfig.parse(b("{\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"md5:x\",\"bad\"]}}")))
                .hasMessageContaining("config.rootfs.diff_ids[1]");
    }

    @Test
    void layoutFile() {
        assertThat(new String(ImageLayout.current().toBytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThat(ImageLayout.parse(b("{\"imageLayoutVersion\":\"1.0.0\",\"x\":1}")).imageLayoutVersion())
                .isEqualTo("1.0.0");
    }
}
