package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients (Debian packages {@code buildah}, {@code podman}, {@code skopeo}): buildah builds and pushes
 * an image, podman pulls it and pushes it to another repository, skopeo reads it back; the manifest
 * digest never changes. Each tool gets its own storage under the test's directory (vfs driver).
 */
class PodmanBuildahInteropTest {
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

    private String run(String tool, String... args) {
        List<String> cmd = new ArrayList<>(List.of(tool));
        if (!tool.equals("skopeo")) {
            // each tool its own storage, so podman really pulls what buildah pushed
            cmd.addAll(List.of("--root", tmp.resolve(tool + "-storage").toString(), "--runroot",
                    tmp.resolve(tool + "-run").toString(),
                    "--storage-driver", "vfs"));
        } else {
            cmd.add("--insecure-policy");
        }
        cmd.addAll(List.of(args));
        return Peers.run(cmd).strip();
    }

    private String host() {
        return "127.0.0.1:" + reg.server.address().getPort();
    }

    private String digestOf(String repoAndTag) {
        String[] rt = repoAndTag.split(":");
        return TestRegistry.header(reg.head("/v2/" + rt[0] + "/manifests/" + rt[1]), "Docker-Content-Digest");
    }

    @Test
    void buildahPushPodmanPullAndPushSkopeoCopy() throws Exception {
        Path file = Files.writeString(tmp.resolve("hello.txt"), "hello from buildah\n");
        String ctr = run("buildah", "from", "scratch");
        run("buildah", "copy", ctr, file.toString(), "/hello.txt");
        run("buildah", "commit", "--rm", ctr, "localhost/berth-interop:v1");

        run("buildah", "push", "--tls-verify=false", "localhost/berth-interop:v1", host() + "/tools/buildah:v1");
        String pushed = digestOf("tools/buildah:v1");
        assertThat(pushed).startsWith("sha256:");

        run("podman", "pull", "--tls-verify=false", host() + "/tools/buildah:v1");
        assertThat(run("podman", "image", "inspect", "--format", "{{.Digest}}", host() + "/tools/buildah:v1"))
                .isEqualTo(pushed);

        // podman may recompress layers it stored uncompressed, so its push can have a new digest: the
        // digest it reports must be the one the registry serves and skopeo pulls
        Path digestFile = tmp.resolve("podman.digest");
        run("podman", "push", "--tls-verify=false", "--digestfile", digestFile.toString(), host() + "/tools/buildah:v1",
                host() + "/tools/podman:v2");
        String podmanPushed = Files.readString(digestFile).strip();
        assertThat(digestOf("tools/podman:v2")).isEqualTo(podmanPushed);

        Path layout = tmp.resolve("layout");
        run("skopeo", "copy", "--src-tls-verify=false", "docker://" + host() + "/tools/podman:v2", "oci:" + layout + ":v2");
        assertThat(Files.readString(layout.resolve("index.json"))).contains(podmanPushed);
        run("skopeo", "copy", "--src-tls-verify=false", "docker://" + host() + "/tools/buildah:v1", "oci:" + layout + ":v1");
        assertThat(Files.readString(layout.resolve("index.json"))).contains(pushed);
    }
}
