package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.Index;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real client: skopeo (Debian package {@code skopeo}) pushes OCI layouts to Berth's registry and pulls
 * them back; digests must not change.
 */
class SkopeoInteropTest {
    @TempDir
    Path tmp;
    TestRegistry reg;

    @BeforeEach
    void start() {
        reg = new TestRegistry(tmp.resolve("registry"));
    }

    @AfterEach
    void stop() {
        reg.close();
    }

    private static String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
        cmd.addAll(List.of(args));
        return Peers.run(cmd);
    }

    private String ref(String repoAndTag) {
        return "docker://127.0.0.1:" + reg.server.address().getPort() + "/" + repoAndTag;
    }

    private static Descriptor top(Path layout) throws IOException {
        return Index.parse(Files.readAllBytes(layout.resolve("index.json"))).manifests().getFirst();
    }

    @Test
    void pushAndPullSingleImageKeepsDigests() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Digest manifest = OciLayoutFixture.image(src, "v1", "hello from berth\n");

        run("copy", "--dest-tls-verify=false", "oci:" + src + ":v1", ref("interop/app:v1"));
        assertThat(reg.get("/v2/interop/app/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(TestRegistry.header(reg.head("/v2/interop/app/manifests/v1"), "Docker-Content-Digest"))
                .isEqualTo(manifest.toString());

        String inspect = run("inspect", "--tls-verify=false", "--raw", ref("interop/app:v1"));
        assertThat(Digest.sha256(inspect.getBytes(StandardCharsets.UTF_8))).isEqualTo(manifest);

        Path back = tmp.resolve("back");
        run("copy", "--src-tls-verify=false", ref("interop/app:v1"), "oci:" + back + ":v1");
        assertThat(top(back).digest()).isEqualTo(manifest);

        // a second push of the same image only re-links existing blobs
        run("copy", "--dest-tls-verify=false", "oci:" + src + ":v1", ref("interop/other:v1"));
        assertThat(TestRegistry.header(reg.head("/v2/interop/other/manifests/v1"), "Docker-Content-Digest"))
                .isEqualTo(manifest.toString());
        assertThat(reg.get("/v2/interop/other/tags/list").statusCode()).isEqualTo(200);
    }

    @Test
    void pushAndPullMultiPlatformIndexWithAll() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Digest index = OciLayoutFixture.multiPlatform(src, "multi");

        run("copy", "--all", "--dest-tls-verify=false", "oci:" + src + ":multi", ref("interop/multi:latest"));
        assertThat(TestRegistry.header(reg.head("/v2/interop/multi/manifests/latest"), "Docker-Content-Digest"))
                .isEqualTo(index.toString());

        Path back = tmp.resolve("back");
        run("copy", "--all", "--src-tls-verify=false", ref("interop/multi:latest"), "oci:" + back + ":multi");
        assertThat(top(back).digest()).isEqualTo(index);
        Index pulled = Index.parse(Files.readAllBytes(back.resolve("blobs/sha256/" + index.encoded())));
        assertThat(pulled.manifests()).hasSize(2);
        for (Descriptor child : pulled.manifests()) {
            assertThat(back.resolve("blobs/sha256/" + child.digest().encoded())).exists();
        }
    }
}
