package io.berth.image.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.spec.Descriptor;
import io.berth.spec.ImageConfig;
import io.berth.spec.Index;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import io.berth.spec.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {
    @TempDir
    Path tmp;

    /** A one-layer image for a platform; returns its manifest descriptor (with platform). */
    static Descriptor image(OciLayout l, String platform, String content) {
        byte[] layer = content.getBytes(StandardCharsets.UTF_8);
        l.blobs().put(layer);
        Platform p = Platform.parse(platform);
        ImageConfig c = ImageConfig.empty(p).withLayer(io.berth.spec.Digest.sha256(layer),
                new ImageConfig.History(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false));
        Descriptor cfg = l.putConfig(c);
        Descriptor m = l.putManifest(Manifest.oci(cfg, List.of(Descriptor.forContent(MediaType.Known.OCI_LAYER, layer)),
                Map.of()));
        return m.withPlatform(Optional.of(p));
    }

    @Test
    void createWritesTheLayoutFiles() throws Exception {
        OciLayout.openOrCreate(tmp.resolve("l"));
        assertThat(tmp.resolve("l/oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThat(Index.parse(Files.readAllBytes(tmp.resolve("l/index.json"))).manifests()).isEmpty();
        assertThat(tmp.resolve("l/blobs")).isDirectory();
        assertThatThrownBy(() -> OciLayout.open(tmp)).hasMessageContaining("not an OCI image layout");
    }

    @Test
    void refusesToTurnANonEmptyDirectoryIntoALayout() throws Exception {
        Files.createDirectories(tmp.resolve("d"));
        Files.writeString(tmp.resolve("d/precious"), "x");
        assertThatThrownBy(() -> OciLayout.openOrCreate(tmp.resolve("d"))).hasMessageContaining("not empty");
        assertThat(tmp.resolve("d/precious")).hasContent("x");
    }

    @Test
    void tagsReplaceAndResolve() {
        OciLayout l = OciLayout.openOrCreate(tmp.resolve("l"));
        Descriptor a = image(l, "linux/amd64", "a");
        Descriptor b = image(l, "linux/amd64", "b");
        l.tag("t", a);
        l.tag("t", b);
        l.tag("u", a);
        assertThat(l.index().manifests()).hasSize(2);
        assertThat(l.resolveTag("t").orElseThrow().digest()).isEqualTo(b.digest());
        assertThat(l.resolve("t", Platform.parse("linux/amd64")).manifestDescriptor().digest()).isEqualTo(b.digest());
        assertThat(l.resolve(a.digest().toString(), Platform.parse("linux/amd64")).manifestDescriptor().digest())
                .isEqualTo(a.digest());
        assertThatThrownBy(() -> l.resolve("nope", Platform.parse("linux/amd64"))).hasMessageContaining("nope")
                .hasMessageContaining("tags: t, u");
        assertThat(l.untag("u")).isTrue();
        assertThat(l.tags()).hasSize(1);
    }

    @Test
    void indexesPickThePlatform() {
        OciLayout l = OciLayout.openOrCreate(tmp.resolve("l"));
        Descriptor amd = image(l, "linux/amd64", "amd");
        Descriptor arm = image(l, "linux/arm64/v8", "arm");
        Descriptor idx = l.putIndex(Index.of(List.of(amd, arm)));
        l.tag("multi", idx);
        ResolvedImage r = l.resolve("multi", Platform.parse("linux/arm64"));
        assertThat(r.manifestDescriptor().digest()).isEqualTo(arm.digest());
        assertThat(r.indexDescriptor().orElseThrow().digest()).isEqualTo(idx.digest());
        assertThat(r.config().architecture()).isEqualTo("arm64");
        assertThat(l.resolve("multi", Platform.parse("linux/amd64")).manifestDescriptor().digest())
                .isEqualTo(amd.digest());
        assertThatThrownBy(() -> l.resolve("multi", Platform.parse("linux/s390x")))
                .hasMessageContaining("no manifest for platform linux/s390x")
                .hasMessageContaining("linux/amd64, linux/arm64/v8");
    }

    @Test
    void gcRemovesOnlyWhatNothingReaches() {
        OciLayout l = OciLayout.openOrCreate(tmp.resolve("l"));
        Descriptor amd = image(l, "linux/amd64", "amd");
        Descriptor arm = image(l, "linux/arm64", "arm");
        Descriptor idx = l.putIndex(Index.of(List.of(amd, arm)));
        l.tag("multi", idx);
        image(l, "linux/amd64", "orphan"); // layer, config, manifest: unreachable
        l.blobs().put("stray".getBytes(StandardCharsets.UTF_8));
        int before = l.blobs().list().size();
        GcResult r = l.gc();
        assertThat(r.removed()).hasSize(4);
        assertThat(l.blobs().list()).hasSize(before - 4);
        // Everything the tag reaches is still there and resolves.
        assertThat(l.resolve("multi", Platform.parse("linux/arm64")).config().architecture()).isEqualTo("arm64");
        assertThat(l.gc().removed()).isEmpty();
    }

    @Test
    void concurrentTaggersLoseNothing() throws Exception {
        OciLayout l = OciLayout.openOrCreate(tmp.resolve("l"));
        Descriptor a = image(l, "linux/amd64", "a");
        List<String> tags = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 20; i++) {
                String t = "t" + i;
                tags.add(t);
                // A fresh OciLayout per task, as separate processes would have.
                pool.submit(() -> OciLayout.open(tmp.resolve("l")).tag(t, a));
            }
        }
        assertThat(l.tags().stream().map(d -> d.refName().orElseThrow()).toList()).containsExactlyInAnyOrderElementsOf(tags);
    }
}
