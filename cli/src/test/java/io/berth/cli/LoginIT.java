package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.client.testing.DockerRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** berth login/logout as a user runs them, against docker-registry with htpasswd (bcrypt) auth. */
class LoginIT {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {}

    Result berth(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(LauncherIT.BERTH.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(Map.of("REGISTRY_AUTH_FILE", tmp.resolve("auth.json").toString(),
                "BERTH_REGISTRIES_CONF", tmp.resolve("none.conf").toString()));
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out, err);
    }

    @Test
    void loginStoresCheckedCredentialsAndLogoutRemovesThem() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/app"));
        Files.writeString(src.resolve("x"), "x");
        try (DockerRegistry reg = DockerRegistry.start(tmp.resolve("reg"), Optional.of(new String[] {"alice", "pw"}))) {
            Result bad = berth("wrong\n", "login", reg.host(), "-u", "alice", "--password-stdin");
            assertThat(bad.status()).isNotZero();
            assertThat(bad.err()).contains("unauthorized");
            assertThat(tmp.resolve("auth.json")).doesNotExist();

            Result ok = berth("pw\n", "login", reg.host(), "-u", "alice", "--password-stdin");
            assertThat(ok.err()).isEmpty();
            assertThat(ok.out()).contains("Login Succeeded");
            assertThat(Files.readString(tmp.resolve("auth.json"))).contains(reg.host());

            assertThat(berth("", "image", "create", "--from-dir", tmp.resolve("src").toString(),
                    "oci:" + tmp.resolve("l") + ":v1").status()).isZero();
            Result push = berth("", "copy", "--progress=none", "oci:" + tmp.resolve("l") + ":v1",
                    "docker://" + reg.host() + "/private/app:v1");
            assertThat(push.status()).as(push.err()).isZero();

            Result out = berth("", "logout", reg.host());
            assertThat(out.status()).isZero();
            assertThat(Files.readString(tmp.resolve("auth.json"))).doesNotContain(reg.host());
            Result denied = berth("", "copy", "--progress=none", "docker://" + reg.host() + "/private/app:v1",
                    "oci:" + tmp.resolve("p") + ":v1");
            assertThat(denied.status()).isNotZero();
            assertThat(denied.err()).contains("credentials");
        }
    }
}
