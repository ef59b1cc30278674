package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.client.testing.DockerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** berth copy / inspect against a real docker-registry on loopback, in-process. */
class RemoteCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void copyToARegistryAndBackKeepsTheDigest() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/app"));
        Files.writeString(src.resolve("hello.sh"), "echo hi\n");
        try (DockerRegistry reg = DockerRegistry.start(tmp.resolve("reg"), Optional.empty())) {
            CliRun created = CliRun.of("image", "create", "--from-dir", tmp.resolve("src").toString(), "--cmd",
                    "/app/hello.sh", "oci:" + tmp.resolve("l") + ":v1");
            assertThat(created.status()).isZero();
            String digest = created.out().trim();
            String remote = "docker://" + reg.host() + "/cli/app:v1";
            CliRun push = CliRun.of("copy", "--progress=none", "oci:" + tmp.resolve("l") + ":v1", remote);
            assertThat(push.err()).isEmpty();
            assertThat(push.out().trim()).isEqualTo(digest);
            CliRun inspect = CliRun.of("inspect", remote);
            assertThat(inspect.status()).isZero();
            assertThat(inspect.out()).contains("\"Digest\": \"" + digest + "\"").contains("/app/hello.sh");
            CliRun tags = CliRun.of("inspect", "--tags", "docker://" + reg.host() + "/cli/app");
            assertThat(tags.out().trim()).isEqualTo("v1");
            CliRun pull = CliRun.of("copy", remote, "oci:" + tmp.resolve("back") + ":v1");
            // Not a terminal: plain progress lines and the summary on stderr, only the digest on stdout.
            assertThat(pull.err()).contains("copied ").contains("copied 2 blobs");
            CliRun json = CliRun.of("copy", "--progress=json", remote, "oci:" + tmp.resolve("json") + ":v1");
            assertThat(json.err().lines()).allMatch(l -> l.startsWith("{\"event\":"));
            assertThat(json.err()).contains("\"event\":\"done\"");
            assertThat(pull.out().trim()).isEqualTo(digest);
            CliRun unpack = CliRun.of("image", "unpack", "oci:" + tmp.resolve("back") + ":v1", tmp.resolve("b").toString());
            assertThat(unpack.status()).isZero();
            assertThat(tmp.resolve("b/rootfs/app/hello.sh")).hasContent("echo hi");
            CliRun missing = CliRun.of("copy", "docker://" + reg.host() + "/cli/none:x", "oci:" + tmp.resolve("n") + ":x");
            assertThat(missing.status()).isEqualTo(1);
            assertThat(missing.err()).contains("MANIFEST_UNKNOWN").contains("cli/none");
            CliRun bad = CliRun.of("copy", "docker://Bad/Name", "oci:x");
            assertThat(bad.status()).isEqualTo(2);
        }
    }
}
