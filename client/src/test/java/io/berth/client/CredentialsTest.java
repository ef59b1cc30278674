package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.client.registry.Challenge;
import io.berth.client.registry.Credentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
    @TempDir
    Path tmp;

    @Test
    void authsFilesInOrder() throws Exception {
        Path a = tmp.resolve("a.json");
        Path b = tmp.resolve("b.json");
        Files.writeString(a, "{\"auths\":{}}");
        Files.writeString(b, "{\"auths\":{\"reg.example:5000\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("u:p:w".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        var c = Credentials.lookup("reg.example:5000", List.of(tmp.resolve("missing"), a, b), Map.of()).orElseThrow();
        assertThat(c.user()).isEqualTo("u");
        assertThat(c.password()).isEqualTo("p:w");
        assertThat(c.toString()).doesNotContain("p:w");
        assertThat(Credentials.lookup("other", List.of(a, b), Map.of())).isEmpty();
        assertThat(Credentials.files(Map.of("REGISTRY_AUTH_FILE", "/x/auth.json", "HOME", "/h")))
                .containsExactly(Path.of("/x/auth.json"), Path.of("/h/.docker/config.json"));
    }

    @Test
    void credentialHelpersAreAskedFirst() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path helper = bin.resolve("docker-credential-berthtest");
        Files.writeString(helper, """
                #!/bin/sh
                [ "$1" = get ] || exit 2
                read host
                if [ "$host" = "reg.example" ]; then
                  echo '{"ServerURL":"reg.example","Username":"helper-user","Secret":"helper-secret"}'
                else
                  echo "credentials not found in native keychain"; exit 1
                fi
                """);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"credHelpers\":{\"reg.example\":\"berthtest\"},\"credsStore\":\"berthtest\"}");
        Map<String, String> env = Map.of("PATH", bin.toString());
        var c = Credentials.lookup("reg.example", List.of(cfg), env).orElseThrow();
        assertThat(c.user()).isEqualTo("helper-user");
        assertThat(c.password()).isEqualTo("helper-secret");
        assertThat(Credentials.lookup("unknown.example", List.of(cfg), env)).isEmpty();
    }

    @Test
    void challengesParse() {
        var c = Challenge.parse("Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                + "scope=\"repository:a/b:pull,push\"").orElseThrow();
        assertThat(c.scheme()).isEqualTo("bearer");
        assertThat(c.param("realm")).contains("https://auth.example/token");
        assertThat(c.param("scope")).contains("repository:a/b:pull,push");
        assertThat(Challenge.parse("Basic realm=\"x\"").orElseThrow().scheme()).isEqualTo("basic");
        assertThat(Challenge.parse("")).isEmpty();
    }
}
