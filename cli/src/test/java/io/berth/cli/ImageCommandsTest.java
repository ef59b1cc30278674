package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.spec.Index;
import io.berth.spec.runtime.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The berth image commands end to end, in-process: create, ls, inspect, add-layer, unpack, gc. */
class ImageCommandsTest {
    @TempDir
    Path tmp;
    Path src;
    String ref;

    @BeforeEach
    void sampleDir() throws Exception {
        src = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(src.resolve("app"));
        Files.createDirectories(src.resolve("etc"));
        Files.writeString(src.resolve("app/hello.sh"), "#!/bin/sh\necho hello\n");
        Files.setPosixFilePermissions(src.resolve("app/hello.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(src.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n");
        Files.writeString(src.resolve("etc/group"), "root:x:0:\napp:x:1000:\n");
        Files.createSymbolicLink(src.resolve("app/link"), Path.of("hello.sh"));
        ref = "oci:" + tmp.resolve("layout") + ":demo";
    }

    @Test
    void createListInspectUnpack() throws Exception {
        CliRun c = CliRun.of("image", "create", "--from-dir", src.toString(), "--entrypoint", "/bin/sh",
                "--cmd", "/app/hello.sh", "--env", "GREETING=hi", "--workdir", "/app", "--user", "app", ref);
        assertThat(c.err()).isEmpty();
        assertThat(c.status()).isZero();
        assertThat(c.out().trim()).matches("sha256:[0-9a-f]{64}");
        String digest = c.out().trim();

        CliRun ls = CliRun.of("image", "ls", "oci:" + tmp.resolve("layout"));
        assertThat(ls.status()).isZero();
        assertThat(ls.out()).contains("demo").contains(digest);

        CliRun inspect = CliRun.of("image", "inspect", ref);
        assertThat(inspect.status()).isZero();
        assertThat(inspect.out()).contains("\"Digest\": \"" + digest + "\"")
                .contains("\"Entrypoint\"").contains("/app/hello.sh").contains("\"diff_ids\"");

        Path bundle = tmp.resolve("bundle");
        CliRun unpack = CliRun.of("image", "unpack", ref, bundle.toString());
        assertThat(unpack.err()).isEmpty();
        assertThat(unpack.status()).isZero();
        assertThat(Files.readString(bundle.resolve("rootfs/app/hello.sh"))).isEqualTo("#!/bin/sh\necho hello\n");
        assertThat(Files.readSymbolicLink(bundle.resolve("rootfs/app/link"))).isEqualTo(Path.of("hello.sh"));
        Spec spec = Spec.parse(Files.readAllBytes(bundle.resolve("config.json")));
        assertThat(spec.process().orElseThrow().args()).containsExactly("/bin/sh", "/app/hello.sh");
        assertThat(spec.process().orElseThrow().cwd()).isEqualTo("/app");
        assertThat(spec.process().orElseThrow().env()).contains("GREETING=hi");
        assertThat(spec.process().orElseThrow().user().uid()).isEqualTo(1000L);
    }

    @Test
    void addLayerStacksOnTheImageAndGcKeepsEverythingReferenced() throws Exception {
        assertThat(CliRun.of("image", "create", "--from-dir", src.toString(), ref).status()).isZero();
        Path more = Files.createDirectories(tmp.resolve("more/data"));
        Files.writeString(more.resolve("x.txt"), "second layer\n");
        CliRun add = CliRun.of("image", "add-layer", "--from-dir", tmp.resolve("more").toString(),
                "--compression", "zstd", ref);
        assertThat(add.err()).isEmpty();
        assertThat(add.status()).isZero();

        CliRun gc = CliRun.of("image", "gc", "oci:" + tmp.resolve("layout"));
        assertThat(gc.status()).isZero();
        // The first image's manifest and config are no longer tagged: gc removes exactly those two.
        assertThat(gc.out()).startsWith("removed 2 blobs");

        Path bundle = tmp.resolve("bundle");
        assertThat(CliRun.of("image", "unpack", ref, bundle.toString()).status()).isZero();
        assertThat(Files.readString(bundle.resolve("rootfs/data/x.txt"))).isEqualTo("second layer\n");
        assertThat(bundle.resolve("rootfs/app/hello.sh")).exists();
        Index index = Index.parse(Files.readAllBytes(tmp.resolve("layout/index.json")));
        assertThat(index.manifests()).hasSize(1);
    }

    @Test
    void errorsAreOneLineAndNameTheObject() {
        CliRun missing = CliRun.of("image", "inspect", "oci:" + tmp.resolve("nope") + ":x");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains(tmp.resolve("nope").toString()).endsWith("\n");
        assertThat(missing.err().strip().lines()).hasSize(1);

        assertThat(CliRun.of("image", "create", "--from-dir", src.toString(), ref).status()).isZero();
        CliRun noTag = CliRun.of("image", "inspect", "oci:" + tmp.resolve("layout") + ":other");
        assertThat(noTag.status()).isEqualTo(1);
        assertThat(noTag.err()).contains("other");

        CliRun badOption = CliRun.of("image", "create", "--from-dir", src.toString(), "--compression", "lz4", ref);
        assertThat(badOption.status()).isEqualTo(2);
        assertThat(badOption.err()).contains("--compression").contains("lz4");

        CliRun badRef = CliRun.of("image", "ls", "docker://x");
        assertThat(badRef.status()).isEqualTo(2);
        assertThat(badRef.err()).contains("docker://x");

        CliRun unknown = CliRun.of("frobnicate");
        assertThat(unknown.status()).isEqualTo(2);

        CliRun help = CliRun.of("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("image create").contains("image unpack");
    }

    @Test
    void unpackRefusesToClobberAnExistingRootfs() throws Exception {
        assertThat(CliRun.of("image", "create", "--from-dir", src.toString(), ref).status()).isZero();
        Path bundle = tmp.resolve("bundle");
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("rootfs/keep"), "precious");
        CliRun again = CliRun.of("image", "unpack", ref, bundle.toString());
        assertThat(again.status()).isEqualTo(1);
        assertThat(Files.readString(bundle.resolve("rootfs/keep"))).isEqualTo("precious");
    }
}
