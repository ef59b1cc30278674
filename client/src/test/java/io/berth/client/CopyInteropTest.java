package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.client.testing.DockerRegistry;
import io.berth.client.transport.ImageName;
import io.berth.image.create.ImageChanges;
import io.berth.image.create.ImageCreator;
import io.berth.image.layout.OciLayout;
import io.berth.spec.Compression;
import io.berth.spec.Descriptor;
import io.berth.spec.Index;
import io.berth.spec.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull, push and copy against the real peers: CNCF distribution (docker-registry) as the registry
 * and skopeo as the other client. Whatever one side writes, the other reads with the same digests.
 */
class CopyInteropTest {
    static final Platform AMD64 = Platform.parse("linux/amd64");
    static final Platform ARM64 = Platform.parse("linux/arm64/v8");

    @TempDir
    static Path shared;
    static DockerRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = DockerRegistry.start(shared.resolve("registry"), Optional.empty());
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    static Copier.Options opts() {
        return Copier.Options.defaults().withAuthFiles(List.of());
    }

    /** A small two-layer image for a platform, made by Berth, tagged {@code tag}. */
    static Descriptor image(Path layoutDir, String tag, Platform p, String content) throws Exception {
        Path src = Files.createDirectories(layoutDir.resolveSibling("src-" + tag + "-" + p.architecture()));
        Files.writeString(src.resolve("hello.txt"), content);
        byte[] random = new byte[3 << 20];
        new java.util.Random(content.hashCode()).nextBytes(random);
        Files.write(src.resolve("random.bin"), random);
        OciLayout layout = OciLayout.openOrCreate(layoutDir);
        return ImageCreator.create(layout, tag, new ImageCreator.Request(Optional.empty(), Optional.empty(), p,
                Optional.of(new ImageCreator.LayerSource(src, Optional.empty(), Compression.GZIP)),
                new ImageChanges(Optional.empty(), Optional.of(List.of("/hello")), List.of(), Optional.empty(),
                        Optional.empty(), Map.of()), Optional.empty(), "test")).manifest();
    }

    static String skopeo(String... args) {
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("skopeo"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as("skopeo " + String.join(" ", args) + "\n" + out).isZero();
            return out;
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError("run skopeo (installed by scripts/env.sh): " + e, e);
        }
    }

    @Test
    void berthPushesSkopeoPullsBerthPullsBack() throws Exception {
        Descriptor m = image(tmp.resolve("layout"), "v1", AMD64, "pushed by berth");
        String remote = "docker://" + registry.host() + "/berth/push:v1";
        Copier.Result pushed = Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                ImageName.parse(remote), opts());
        assertThat(pushed.top().digest()).isEqualTo(m.digest());
        assertThat(pushed.blobsCopied()).isEqualTo(2); // config + layer

        // skopeo reads what Berth pushed: same manifest digest.
        skopeo("copy", "--src-tls-verify=false", remote, "oci:" + tmp.resolve("sk") + ":v1");
        assertThat(OciLayout.open(tmp.resolve("sk")).resolveTag("v1").orElseThrow().digest()).isEqualTo(m.digest());

        // Berth pulls it back into a fresh layout: same digest, same blobs.
        Copier.Result pulled = Copier.copy(ImageName.parse(remote), ImageName.parse("oci:" + tmp.resolve("back") + ":v1"),
                opts());
        assertThat(pulled.top().digest()).isEqualTo(m.digest());
        OciLayout back = OciLayout.open(tmp.resolve("back"));
        var img = back.resolve("v1", AMD64);
        for (Descriptor l : img.manifest().layers()) {
            assertThat(back.blobs().has(l.digest())).isTrue();
        }
        // A second push skips every blob the registry has.
        Copier.Result again = Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                ImageName.parse(remote), opts());
        assertThat(again.blobsCopied()).isZero();
        assertThat(again.blobsSkipped()).isEqualTo(2);
    }

    @Test
    void skopeoPushesBerthPulls() throws Exception {
        Descriptor m = image(tmp.resolve("layout"), "t", AMD64, "pushed by skopeo");
        String remote = "docker://" + registry.host() + "/skopeo/push:t";
        skopeo("copy", "--dest-tls-verify=false", "oci:" + tmp.resolve("layout") + ":t", remote);
        Copier.Result r = Copier.copy(ImageName.parse(remote), ImageName.parse("oci:" + tmp.resolve("pulled") + ":t"),
                opts());
        assertThat(r.top().digest()).isEqualTo(m.digest());
        assertThat(OciLayout.open(tmp.resolve("pulled")).resolve("t", AMD64).config().config().cmd())
                .containsExactly("/hello");
    }

    @Test
    void multiPlatformIndexWithAllAndOnePlatformWithout() throws Exception {
        Path l = tmp.resolve("multi");
        Descriptor amd = image(l, "amd", AMD64, "amd");
        Descriptor arm = image(l, "arm", ARM64, "arm");
        OciLayout layout = OciLayout.open(l);
        Descriptor idx = layout.putIndex(Index.of(List.of(amd.withPlatform(Optional.of(AMD64)),
                arm.withPlatform(Optional.of(ARM64)))));
        layout.tag("multi", idx);
        String remote = "docker://" + registry.host() + "/berth/multi:m";
        Copier.Result up = Copier.copy(ImageName.parse("oci:" + l + ":multi"), ImageName.parse(remote),
                opts().withAll(true));
        assertThat(up.top().digest()).isEqualTo(idx.digest());
        // skopeo --all reads the same index back
        skopeo("copy", "--all", "--src-tls-verify=false", remote, "oci:" + tmp.resolve("sk") + ":m");
        assertThat(OciLayout.open(tmp.resolve("sk")).resolveTag("m").orElseThrow().digest()).isEqualTo(idx.digest());
        // Berth --all round trip keeps the index digest.
        Copier.Result down = Copier.copy(ImageName.parse(remote), ImageName.parse("oci:" + tmp.resolve("all") + ":m"),
                opts().withAll(true));
        assertThat(down.top().digest()).isEqualTo(idx.digest());
        // Without --all: the manifest for the asked platform only.
        Copier.Result one = Copier.copy(ImageName.parse(remote), ImageName.parse("oci:" + tmp.resolve("one") + ":m"),
                opts().withPlatform(ARM64));
        assertThat(one.top().digest()).isEqualTo(arm.digest());
        assertThatThrownBy(() -> Copier.copy(ImageName.parse(remote), ImageName.parse("oci:" + tmp.resolve("x") + ":m"),
                opts().withPlatform(Platform.parse("linux/s390x")))).hasMessageContaining("no manifest for platform")
                .hasMessageContaining("--all");
    }

    @Test
    void copyWithinARegistryMountsBlobs() throws Exception {
        image(tmp.resolve("layout"), "v1", AMD64, "mount me");
        String a = "docker://" + registry.host() + "/mount/a:v1";
        Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"), ImageName.parse(a), opts());
        Copier.Result r = Copier.copy(ImageName.parse(a), ImageName.parse("docker://" + registry.host() + "/mount/b:v1"),
                opts());
        assertThat(r.blobsCopied()).as("mounted, not uploaded").isZero();
        assertThat(r.blobsSkipped()).isEqualTo(2);
        skopeo("inspect", "--tls-verify=false", "docker://" + registry.host() + "/mount/b:v1");
    }

    @Test
    void missingImagesAndBadNamesFailClearly() {
        assertThatThrownBy(() -> Copier.copy(ImageName.parse("docker://" + registry.host() + "/no/such:tag"),
                ImageName.parse("oci:" + tmp.resolve("x") + ":t"), opts())).hasMessageContaining("no/such")
                .hasMessageContaining("MANIFEST_UNKNOWN");
        assertThatThrownBy(() -> ImageName.parse("docker://UPPER/case")).hasMessageContaining("invalid");
        assertThatThrownBy(() -> ImageName.parse("ftp://x")).hasMessageContaining("expected docker://");
    }

    @Test
    void basicAuthAgainstHtpasswd() throws Exception {
        try (DockerRegistry secured = DockerRegistry.start(tmp.resolve("secured"), Optional.of(new String[] {"alice",
            "s3cret"}))) {
            image(tmp.resolve("layout"), "v1", AMD64, "secret image");
            String remote = "docker://" + secured.host() + "/private/img:v1";
            assertThatThrownBy(() -> Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                    ImageName.parse(remote), opts())).hasMessageContaining("credentials");
            Path auth = tmp.resolve("auth.json");
            Files.writeString(auth, "{\"auths\":{\"" + secured.host() + "\":{\"auth\":\""
                    + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
            Copier.Result r = Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                    ImageName.parse(remote), opts().withAuthFiles(List.of(auth)));
            assertThat(r.blobsCopied()).isEqualTo(2);
            skopeo("inspect", "--tls-verify=false", "--creds", "alice:s3cret", remote);
            Path wrong = tmp.resolve("wrong.json");
            Files.writeString(wrong, "{\"auths\":{\"" + secured.host() + "\":{\"auth\":\""
                    + Base64.getEncoder().encodeToString("alice:nope".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
            assertThatThrownBy(() -> Copier.copy(ImageName.parse(remote), ImageName.parse("oci:" + tmp.resolve("p") + ":v1"),
                    opts().withAuthFiles(List.of(wrong)))).hasMessageContaining("unauthorized");
        }
    }
}
