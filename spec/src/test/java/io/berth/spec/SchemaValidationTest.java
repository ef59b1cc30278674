package io.berth.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every kind of document Berth writes validates against the image-spec's own JSON schemas
 * (src/test/resources/image-spec-schema, loaded locally: each schema's relative $ref is answered from
 * the classpath, never the network).
 */
class SchemaValidationTest {
    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4,
            b -> b.schemas(SchemaValidationTest::load));

    /** Answers https://opencontainers.org/schema/.../NAME.json from the copied schema files. */
    static String load(String uri) {
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        int hash = name.indexOf('#');
        if (hash >= 0) {
            name = name.substring(0, hash);
        }
        try (InputStream in = SchemaValidationTest.class.getResourceAsStream("/image-spec-schema/" + name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Error> validate(String schemaFile, byte[] doc) {
        Schema schema = REGISTRY.getSchema(load("x/" + schemaFile), InputFormat.JSON);
        return schema.validate(new String(doc, StandardCharsets.UTF_8), InputFormat.JSON);
    }

    static final Digest D1 = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
    static final Digest D2 = Digest.sha256("config".getBytes(StandardCharsets.UTF_8));

    static Manifest manifest() {
        Descriptor config = Descriptor.of(MediaType.Known.OCI_CONFIG, D2, 123);
        Descriptor layer = Descriptor.of(MediaType.Known.OCI_LAYER_GZIP, D1, 456)
                .withAnnotations(Map.of("org.opencontainers.image.title", "layer.tar.gz"));
        return Manifest.oci(config, List.of(layer), Map.of("org.opencontainers.image.created", "2024-01-01T00:00:00Z"));
    }

    @Test
    void manifestValidates() {
        assertThat(validate("image-manifest-schema.json", manifest().toBytes())).isEmpty();
    }

    @Test
    void manifestWithSubjectAndArtifactTypeValidates() {
        Manifest m = manifest();
        Manifest withSubject = new Manifest(m.mediaType(), Optional.of("application/vnd.example.sbom"), m.config(),
                m.layers(), Optional.of(Descriptor.of(MediaType.Known.OCI_MANIFEST, D1, 10)), m.annotations());
        assertThat(validate("image-manifest-schema.json", withSubject.toBytes())).isEmpty();
    }

    @Test
    void indexWithPlatformsValidates() {
        Descriptor amd = Descriptor.of(MediaType.Known.OCI_MANIFEST, D1, 10)
                .withPlatform(Optional.of(Platform.parse("linux/amd64")));
        Descriptor arm = Descriptor.of(MediaType.Known.OCI_MANIFEST, D2, 11)
                .withPlatform(Optional.of(Platform.parse("linux/arm64/v8")));
        assertThat(validate("image-index-schema.json", Index.of(List.of(amd, arm)).toBytes())).isEmpty();
        assertThat(validate("image-index-schema.json", Index.of(List.of()).toBytes())).isEmpty();
    }

    @Test
    void configValidates() {
        ImageConfig c = ImageConfig.empty(Platform.parse("linux/amd64"))
                .withConfig(ImageConfig.Config.EMPTY.withEntrypoint(List.of("/bin/sh")).withCmd(List.of("-c", "true"))
                        .withEnv(List.of("A=b")).withLabels(Map.of("k", "v")))
                .withLayer(D1, new ImageConfig.History(Optional.of("2024-01-01T00:00:00Z"), Optional.of("berth"),
                        Optional.empty(), Optional.empty(), false))
                .withCreated(Optional.of("2024-01-01T00:00:00Z"));
        assertThat(validate("config-schema.json", c.toBytes())).isEmpty();
        assertThat(validate("config-schema.json", ImageConfig.empty(Platform.parse("linux/arm64")).toBytes())).isEmpty();
    }

    @Test
    void layoutFileValidates() {
        assertThat(validate("image-layout-schema.json", ImageLayout.current().toBytes())).isEmpty();
    }

    @Test
    void theValidatorRejectsBrokenDocuments() {
        // The check can fail: a manifest without config and with a bad digest is refused.
        byte[] bad = "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"x/y\",\"digest\":\"sha256:zz\",\"size\":1}]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(validate("image-manifest-schema.json", bad)).isNotEmpty();
        // Only reachable through the $ref chain to defs-descriptor.json: proves the refs resolve.
        String badDigest = new String(manifest().toBytes(), StandardCharsets.UTF_8).replace(D2.toString(), "not a digest");
        assertThat(validate("image-manifest-schema.json", badDigest.getBytes(StandardCharsets.UTF_8))).isNotEmpty();
        byte[] badLayout = "{\"imageLayoutVersion\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(validate("image-layout-schema.json", badLayout)).isNotEmpty();
    }
}
