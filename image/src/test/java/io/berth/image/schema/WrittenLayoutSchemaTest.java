package io.berth.image.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.berth.image.create.ImageChanges;
import io.berth.image.create.ImageCreator;
import io.berth.image.layout.OciLayout;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.Index;
import io.berth.spec.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a layout holds after Berth wrote images into it (oci-layout, index.json, every manifest,
 * index and config blob) validate against the image-spec JSON schemas, which the spec module keeps as
 * test fixtures (../spec/src/test/resources/image-spec-schema, read in place, never from the network).
 */
class WrittenLayoutSchemaTest {
    static final Path SCHEMAS = Path.of("../spec/src/test/resources/image-spec-schema");
    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4,
            b -> b.schemas(WrittenLayoutSchemaTest::load));

    @TempDir
    Path tmp;

    static String load(String uri) {
        String name = uri.substring(uri.lastIndexOf('/') + 1).replaceAll("#.*", "");
        Path p = SCHEMAS.resolve(name);
        try {
            return Files.exists(p) ? Files.readString(p) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<?> errors(String schema, byte[] doc) {
        return REGISTRY.getSchema(load("x/" + schema), InputFormat.JSON)
                .validate(new String(doc, StandardCharsets.UTF_8), InputFormat.JSON);
    }

    @Test
    void everyDocumentBerthWroteValidates() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/app"));
        Files.writeString(src.resolve("x"), "x");
        OciLayout layout = OciLayout.openOrCreate(tmp.resolve("layout"));
        ImageChanges changes = new ImageChanges(Optional.of(List.of("/bin/sh")), Optional.of(List.of("-c", "x")),
                List.of("A=1"), Optional.of("/app"), Optional.of("0:0"), Map.of("k", "v"));
        Platform amd = Platform.parse("linux/amd64");
        Platform arm = Platform.parse("linux/arm64/v8");
        ImageCreator.Created a = ImageCreator.create(layout, "amd", new ImageCreator.Request(Optional.empty(),
                Optional.empty(), amd, Optional.of(new ImageCreator.LayerSource(tmp.resolve("src"), Optional.empty(),
                        Compression.GZIP)), changes, Optional.empty(), "test"));
        ImageCreator.Created b = ImageCreator.create(layout, "arm", new ImageCreator.Request(Optional.empty(),
                Optional.empty(), arm, Optional.of(new ImageCreator.LayerSource(tmp.resolve("src"), Optional.empty(),
                        Compression.ZSTD)), changes, Optional.empty(), "test"));
        Descriptor idx = layout.putIndex(Index.of(List.of(a.manifest().withPlatform(Optional.of(amd)),
                b.manifest().withPlatform(Optional.of(arm)))));
        layout.tag("multi", idx);

        assertThat(errors("image-layout-schema.json", Files.readAllBytes(tmp.resolve("layout/oci-layout")))).isEmpty();
        assertThat(errors("image-index-schema.json", Files.readAllBytes(tmp.resolve("layout/index.json")))).isEmpty();
        int checked = 0;
        for (Descriptor d : layout.index().manifests()) {
            if (d.mediaType().isIndex()) {
                assertThat(errors("image-index-schema.json", layout.blobs().read(d, 1 << 20))).isEmpty();
                for (Descriptor m : layout.imageIndex(d).manifests()) {
                    assertThat(errors("image-manifest-schema.json", layout.blobs().read(m, 1 << 20))).isEmpty();
                    checked++;
                }
            } else {
                assertThat(errors("image-manifest-schema.json", layout.blobs().read(d, 1 << 20))).isEmpty();
                Descriptor cfg = layout.manifest(d).config();
                assertThat(errors("config-schema.json", layout.blobs().read(cfg, 1 << 20))).isEmpty();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(4);
        // The validator is live here too: a broken index.json is rejected.
        assertThat(errors("image-index-schema.json", "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8)))
                .isNotEmpty();
    }
}
