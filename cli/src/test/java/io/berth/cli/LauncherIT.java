package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built launcher, bin/berth, as a user runs it (after package: jar, lib/ and AOT cache). */
class LauncherIT {
    static final Path BERTH = Path.of(System.getProperty("user.dir")).getParent().resolve("bin/berth");

    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {}

    static Result berth(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BERTH.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        return new Result(p.waitFor(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheCommands() throws Exception {
        Result r = berth(Map.of(), "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("image create", "image unpack", "image inspect", "image ls", "image gc");
        assertThat(Path.of(BERTH.getParent().getParent() + "/cli/target/berth.aot")).exists();
    }

    @Test
    void sourceDateEpochMakesCreationReproducible() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/d"));
        Files.writeString(src.resolve("f.txt"), "same input\n");
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000");
        Result a = berth(env, "image", "create", "--from-dir", tmp.resolve("src").toString(), "--cmd", "/bin/true",
                "oci:" + tmp.resolve("a") + ":x");
        assertThat(a.err()).isEmpty();
        // Touch the inputs: access and modification times must not change the digest under SOURCE_DATE_EPOCH.
        Files.setLastModifiedTime(src.resolve("f.txt"), FileTime.from(Instant.now()));
        Files.readString(src.resolve("f.txt"));
        Result b = berth(env, "image", "create", "--from-dir", tmp.resolve("src").toString(), "--cmd", "/bin/true",
                "oci:" + tmp.resolve("b") + ":x");
        assertThat(a.status()).isZero();
        assertThat(b.status()).isZero();
        assertThat(b.out()).isEqualTo(a.out());
        assertThat(a.out().trim()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void failureIsOneLineOnStderrWithNonZeroStatus() throws Exception {
        Result r = berth(Map.of(), "image", "unpack", "oci:" + tmp.resolve("none") + ":x", tmp.resolve("b").toString());
        assertThat(r.status()).isNotZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("berth: ").contains(tmp.resolve("none").toString());
    }
}
