package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line the lead wires in as {@code berth registry ...}. */
class RegistryMainTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RegistryMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void gcReportsWhatItRemoved() {
        try (TestRegistry reg = new TestRegistry(dir)) {
            reg.pushImage("app", "v1", "kept");
            reg.pushBlob("app", "lone".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(run("gc", "--root", dir.toString(), "--grace", "0s", "--dry-run"))
                .isEqualTo("would remove 1 blobs (4 bytes), 0 manifests, 0 links, 0 uploads; kept 3 blobs\n");
        assertThat(run("gc", "--root", dir.toString(), "--grace", "0s"))
                .isEqualTo("removed 1 blobs (4 bytes), 0 manifests, 0 links, 0 uploads; kept 3 blobs\n");
        assertThat(run("gc", "--root", dir.toString(), "--grace", "0s")).startsWith("removed 0 blobs");
    }

    @Test
    void usageErrorsAreIllegalArgument() {
        assertThatThrownBy(() -> run()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> run("frobnicate")).hasMessageContaining("unknown registry command");
        assertThatThrownBy(() -> run("gc", "--root")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> run("gc", "--bogus")).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> run("gc", "--grace", "soon")).hasMessageContaining("duration");
        assertThatThrownBy(() -> run("serve", "--addr", "nocolon")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> run("serve", "--no-fsync", "--addr", "nocolon")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> run("serve", "--root", dir.toString(), "--auth", "token"))
                .hasMessageContaining("--htpasswd");
    }

    @Test
    void defaultRootFollowsXdg() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path expected = xdg != null && !xdg.isEmpty() ? Path.of(xdg, "berth", "registry")
                : Path.of(System.getProperty("user.home"), ".local", "share", "berth", "registry");
        assertThat(RegistryMain.defaultRoot()).isEqualTo(expected);
    }
}
