package io.berth.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {
    static final String DIGEST = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    @Test
    void dockerHubDefaults() {
        Reference r = Reference.parse("busybox");
        assertThat(r.registry()).isEqualTo("docker.io");
        assertThat(r.repository()).isEqualTo("library/busybox");
        assertThat(r.tag()).contains("latest");
        assertThat(r.toString()).isEqualTo("docker.io/library/busybox:latest");
        assertThat(Reference.parse("user/app:1.0").repository()).isEqualTo("user/app");
    }

    @Test
    void registriesPortsTagsAndDigests() {
        Reference r = Reference.parse("localhost:5000/a/b:t@" + DIGEST);
        assertThat(r.registry()).isEqualTo("localhost:5000");
        assertThat(r.repository()).isEqualTo("a/b");
        assertThat(r.tag()).contains("t");
        assertThat(r.digest().map(Digest::toString)).contains(DIGEST);
        assertThat(r.manifestReference()).isEqualTo(DIGEST);

        Reference ip = Reference.parse("127.0.0.1:5000/x");
        assertThat(ip.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(ip.repository()).isEqualTo("x");
        assertThat(ip.tag()).contains("latest");

        assertThat(Reference.parse("localhost/x").registry()).isEqualTo("localhost");
        assertThat(Reference.parse("ghcr.io/o/r@" + DIGEST).tag()).isEmpty();
        assertThat(Reference.parse("a/b-c__d---e/f").repository()).isEqualTo("a/b-c__d---e/f");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "UPPER/case", "a//b", "a/", "-a", "a-", "a..b", "x:.tag", "x:-tag", "x@sha256:nope",
        "host:99999/x", "a/b:" + "t123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"})
    void rejectsInvalidReferences(String s) {
        assertThatThrownBy(() -> Reference.parse(s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid");
    }
}
