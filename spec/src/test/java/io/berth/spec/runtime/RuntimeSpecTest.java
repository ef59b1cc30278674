package io.berth.spec.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** config.json and state: a full runc-style document round-trips; bad input names the field. */
class RuntimeSpecTest {
    static byte[] fixture() throws IOException {
        try (InputStream in = RuntimeSpecTest.class.getResourceAsStream("/runtime/config-full.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void fullConfigRoundTrips() throws IOException {
        Spec s = Spec.parse(fixture());
        assertThat(s.process().orElseThrow().args()).containsExactly("sh");
        assertThat(s.process().orElseThrow().user().additionalGids()).containsExactly(10L, 20L);
        assertThat(s.process().orElseThrow().capabilities().orElseThrow().bounding()).contains("CAP_KILL");
        assertThat(s.process().orElseThrow().rlimits().getFirst().type()).isEqualTo("RLIMIT_NOFILE");
        Linux l = s.linux().orElseThrow();
        assertThat(l.namespace(Namespace.Type.NETWORK)).isPresent();
        assertThat(l.namespace(Namespace.Type.NETWORK).orElseThrow().path()).contains("/proc/1/ns/net");
        assertThat(l.resources().orElseThrow().memory().orElseThrow().limit()).contains(536870912L);
        assertThat(l.resources().orElseThrow().pidsLimit()).contains(100L);
        assertThat(l.seccomp().orElseThrow().syscalls().getFirst().args().getFirst().value()).isEqualTo(-1L);
        assertThat(s.hooks().prestart().getFirst().timeout()).contains(5);
        assertThat(l.personality()).isPresent();
        Spec back = Spec.parse(s.toBytes());
        assertThat(back).isEqualTo(s);
        assertThat(back.toBytes()).isEqualTo(s.toBytes());
        // uint64 values survive as unsigned numbers
        assertThat(new String(s.toBytes(), StandardCharsets.UTF_8)).contains("18446744073709551615");
    }

    /** seccomp argument values: the whole uint64 range, nothing outside it. */
    @Test
    void seccompUint64Values() {
        java.util.function.Function<String, Long> value = v -> Spec.parse(("{\"ociVersion\": \"1.0.2\", \"linux\": "
                + "{\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"], "
                + "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": " + v
                + ", \"op\": \"SCMP_CMP_EQ\"}]}]}}}").getBytes(StandardCharsets.UTF_8)).linux().orElseThrow().seccomp()
                .orElseThrow().syscalls().getFirst().args().getFirst().value();
        assertThat(value.apply("0")).isZero();
        assertThat(value.apply("4294967296")).isEqualTo(1L << 32);
        assertThat(value.apply("18446744073709551615")).isEqualTo(-1L);
        assertThat(value.apply("1e3")).isEqualTo(1000L);
        assertThatThrownBy(() -> value.apply("18446744073709551616")).hasMessageContaining("args[0].value")
                .hasMessageContaining("not a uint64");
        assertThatThrownBy(() -> value.apply("-1")).hasMessageContaining("not a uint64");
        assertThatThrownBy(() -> value.apply("1.5")).hasMessageContaining("expected an integer");
    }

    @Test
    void errorsNameTheField() throws IOException {
        String base = new String(fixture(), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Spec.parse(base.replace("\"type\": \"ipc\"", "\"type\": \"foo\"")
                .getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("config.json.linux.namespaces[").hasMessageContaining("unknown namespace type \"foo\"");
        assertThatThrownBy(() -> Spec.parse(base.replace("\"cwd\": \"/\"", "\"cwd\": \"rel\"")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("process.cwd");
        assertThatThrownBy(() -> Spec.parse("{}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("config.json.ociVersion");
        assertThatThrownBy(() -> Spec.parse(base.replace("SCMP_ACT_ERRNO", "SCMP_ACT_BOGUS")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("seccomp");
    }

    @Test
    void stateRoundTrips() {
        State st = new State("1.0.2", "c1", State.Status.CREATED, java.util.Optional.of(42L), "/b",
                java.util.Map.of("k", "v"));
        assertThat(State.parse(st.toBytes())).isEqualTo(st);
        assertThat(new String(st.toBytes(), StandardCharsets.UTF_8)).contains("\"status\": \"created\"");
    }
}
