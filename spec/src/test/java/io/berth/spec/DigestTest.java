package io.berth.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    static final String HEX64 = "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    @Test
    void parsesAndPrintsRegisteredAlgorithms() {
        Digest d = Digest.parse("sha256:" + HEX64);
        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.encoded()).isEqualTo(HEX64);
        assertThat(d.toString()).isEqualTo("sha256:" + HEX64);
        assertThat(Digest.parse("sha512:" + HEX64 + HEX64).isComputable()).isTrue();
    }

    @Test
    void computesKnownValues() {
        // sha256("") and sha512("abc") are standard test vectors.
        assertThat(Digest.sha256(new byte[0]).toString())
                .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Digest.of("sha512", "abc".getBytes(StandardCharsets.UTF_8)).encoded())
                .startsWith("ddaf35a193617aba");
        Digest d = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
        assertThat(d.matches(d.newHasher().digest("x".getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(d.matches(d.newHasher().digest("y".getBytes(StandardCharsets.UTF_8)))).isFalse();
    }

    @Test
    void unregisteredAlgorithmsPassTheGrammarButCannotBeComputed() {
        // descriptor.md: "Implementations SHOULD allow digests with unrecognized algorithms to pass validation".
        Digest d = Digest.parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8");
        assertThat(d.isComputable()).isFalse();
        assertThatThrownBy(d::newHasher).hasMessageContaining("unsupported digest algorithm");
        assertThat(Digest.parse("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564").algorithm())
                .isEqualTo("sha256+b64u");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256", "sha256:", ":abc", "SHA256:" + HEX64, "sha256:" + "6C3C624B58DBBCD3C0DD82B4C53F04194D1247C6EEDAAB7C610CF7D66709B3B",
        "sha256:abc", "sha512:" + HEX64, "sha256:" + HEX64 + "00", "sha-:abc", "a..b:abc", "sha256:ab/cd", "sha256:../x",
        "x:a b", "blake3:abc"})
    void rejectsInvalidDigests(String s) {
        assertThatThrownBy(() -> Digest.parse(s)).isInstanceOf(InvalidDigestException.class)
                .hasMessageContaining("digest");
    }
}
