package io.berth.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PlatformTest {
    @Test
    void parsesOsArchVariant() {
        Platform p = Platform.parse("linux/arm64/v8");
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.architecture()).isEqualTo("arm64");
        assertThat(p.variant()).contains("v8");
        assertThat(p.toString()).isEqualTo("linux/arm64/v8");
        assertThat(Platform.parse("linux/x86_64").architecture()).isEqualTo("amd64");
    }

    @Test
    void rejectsMalformedPlatforms() {
        for (String s : new String[] {"linux", "linux/", "/amd64", "linux/amd64/", "a/b/c/d"}) {
            assertThatThrownBy(() -> Platform.parse(s)).hasMessageContaining(s);
        }
    }

    @Test
    void matchingRules() {
        Platform amd64 = Platform.parse("linux/amd64");
        assertThat(amd64.matches(Platform.parse("linux/amd64"))).isTrue();
        assertThat(amd64.matches(Platform.parse("linux/arm64"))).isFalse();
        assertThat(amd64.matches(Platform.parse("windows/amd64"))).isFalse();
        // arm64 without a variant is v8
        assertThat(Platform.parse("linux/arm64").matches(Platform.parse("linux/arm64/v8"))).isTrue();
        assertThat(Platform.parse("linux/arm/v6").matches(Platform.parse("linux/arm/v7"))).isFalse();
        assertThat(Platform.parse("linux/arm").matches(Platform.parse("linux/arm/v7"))).isTrue();
        assertThat(Platform.host().os()).isEqualTo("linux");
    }
}
