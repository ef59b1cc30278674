package io.berth.image.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.spec.ImageConfig;
import io.berth.spec.Platform;
import io.berth.spec.runtime.Process;
import io.berth.spec.runtime.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** image-spec conversion.md, field by field. */
class BundleConfigTest {
    @TempDir
    Path tmp;
    Path rootfs;

    @BeforeEach
    void rootfs() throws Exception {
        rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
        rootfs = tmp.resolve("rootfs");
        Files.writeString(rootfs.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                app:x:1000:1001:app:/app:/bin/sh
                """);
        Files.writeString(rootfs.resolve("etc/group"), """
                root:x:0:
                app:x:1001:
                audio:x:29:app,other
                video:x:44:app
                staff:x:50:other
                """);
    }

    static ImageConfig image(ImageConfig.Config c) {
        return ImageConfig.empty(Platform.parse("linux/amd64")).withConfig(c);
    }

    Process process(ImageConfig.Config c) {
        return BundleConfig.convert(image(c), rootfs).process().orElseThrow();
    }

    @Test
    void entrypointAndCmdAreAppended() {
        ImageConfig.Config c = ImageConfig.Config.EMPTY.withEntrypoint(List.of("/bin/sh", "-c")).withCmd(List.of("echo hi"));
        assertThat(process(c).args()).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(process(ImageConfig.Config.EMPTY.withCmd(List.of("ls"))).args()).containsExactly("ls");
        assertThat(process(ImageConfig.Config.EMPTY.withEntrypoint(List.of("ep"))).args()).containsExactly("ep");
    }

    @Test
    void envIsVerbatimAndPathOnlyAddedWhenMissing() {
        assertThat(process(ImageConfig.Config.EMPTY.withCmd(List.of("x")).withEnv(List.of("PATH=/opt", "A=1"))).env())
                .containsExactly("PATH=/opt", "A=1");
        assertThat(process(ImageConfig.Config.EMPTY.withCmd(List.of("x")).withEnv(List.of("A=1"))).env())
                .containsExactly(BundleConfig.DEFAULT_PATH, "A=1");
    }

    @Test
    void workingDirDefaultsToRoot() {
        assertThat(process(ImageConfig.Config.EMPTY.withCmd(List.of("x"))).cwd()).isEqualTo("/");
        assertThat(process(ImageConfig.Config.EMPTY.withCmd(List.of("x")).withWorkingDir(Optional.of("/app"))).cwd())
                .isEqualTo("/app");
    }

    Process.User user(String u) {
        return process(ImageConfig.Config.EMPTY.withCmd(List.of("x")).withUser(Optional.of(u))).user();
    }

    @Test
    void usersResolveAgainstTheRootfs() {
        Process.User app = user("app");
        assertThat(app.uid()).isEqualTo(1000);
        assertThat(app.gid()).isEqualTo(1001);
        assertThat(app.additionalGids()).containsExactly(29L, 44L);
        Process.User numeric = user("1234");
        assertThat(numeric.uid()).isEqualTo(1234);
        assertThat(numeric.additionalGids()).isEmpty();
        Process.User both = user("1234:5678");
        assertThat(both.uid()).isEqualTo(1234);
        assertThat(both.gid()).isEqualTo(5678);
        Process.User named = user("app:staff");
        assertThat(named.gid()).isEqualTo(50);
        assertThat(named.additionalGids()).as("a group given: additionalGids untouched").isEmpty();
        assertThatThrownBy(() -> user("nobody")).hasMessageContaining("user \"nobody\" not found");
        assertThatThrownBy(() -> user("app:nogroup")).hasMessageContaining("group \"nogroup\" not found");
    }

    @Test
    void passwdSymlinkResolvesInsideTheRootfsNotOnTheHost() throws Exception {
        // /etc/passwd -> /srv/passwd (absolute): must be read as rootfs/srv/passwd.
        Files.createDirectories(rootfs.resolve("srv"));
        Files.writeString(rootfs.resolve("srv/passwd"), "inside:x:4242:4242::/:/bin/sh\n");
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/srv/passwd"));
        assertThat(user("inside").uid()).isEqualTo(4242);
        // A link to the host's /etc/passwd finds nothing: root is not resolved from the host.
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/etc/../../../etc/shadow-nothing"));
        assertThatThrownBy(() -> user("root")).hasMessageContaining("not found");
    }

    @Test
    void annotationsWithLabelsTakingPrecedence() {
        ImageConfig img = ImageConfig.empty(Platform.parse("linux/arm64/v8"))
                .withConfig(ImageConfig.Config.EMPTY.withCmd(List.of("x")).withLabels(
                        Map.of("org.opencontainers.image.os", "label-wins", "team", "berth")))
                .withCreated(Optional.of("2024-01-01T00:00:00Z"));
        Spec s = BundleConfig.convert(img, rootfs);
        assertThat(s.annotations()).containsEntry("org.opencontainers.image.os", "label-wins")
                .containsEntry("org.opencontainers.image.architecture", "arm64")
                .containsEntry("org.opencontainers.image.variant", "v8")
                .containsEntry("org.opencontainers.image.created", "2024-01-01T00:00:00Z")
                .containsEntry("team", "berth");
    }

    @Test
    void defaultsAreThoseOfAUsualContainer() throws Exception {
        Spec s = BundleConfig.convert(image(ImageConfig.Config.EMPTY.withCmd(List.of("x"))), rootfs);
        assertThat(s.root().orElseThrow().path()).isEqualTo("rootfs");
        assertThat(s.mounts()).extracting(m -> m.destination()).contains("/proc", "/dev", "/dev/pts", "/sys");
        assertThat(s.linux().orElseThrow().namespaces()).hasSize(6);
        assertThat(s.linux().orElseThrow().maskedPaths()).contains("/proc/kcore");
        assertThat(s.process().orElseThrow().noNewPrivileges()).isTrue();
        // What is written parses back to the same spec.
        Path bundle = tmp;
        assertThat(BundleConfig.write(image(ImageConfig.Config.EMPTY.withCmd(List.of("x"))), bundle)).isEqualTo(s);
        assertThat(Spec.parse(Files.readAllBytes(bundle.resolve("config.json")))).isEqualTo(s);
    }
}
