package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.runtime.cli.DefaultSpec;
import io.berth.spec.runtime.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnitTest {
    @Test
    void signalsByNameAndNumber() {
        assertThat(LinuxConstants.signal("KILL")).contains(9);
        assertThat(LinuxConstants.signal("SIGTERM")).contains(15);
        assertThat(LinuxConstants.signal("sigusr1")).contains(10);
        assertThat(LinuxConstants.signal("2")).contains(2);
        assertThat(LinuxConstants.signal("RTMIN+1")).contains(35);
        assertThat(LinuxConstants.signal("NOPE")).isEmpty();
        assertThat(LinuxConstants.signal("65")).isEmpty();
    }

    @Test
    void planFraming() {
        byte[] b = new Plan().op("arg", "sh").op("exec").encode();
        assertThat(b[0]).isEqualTo((byte) 12);
        assertThat(new String(b, 4, b.length - 4)).isEqualTo("arg\0sh\0exec\0");
        assertThatThrownBy(() -> new Plan().op("arg", "a\0b")).hasMessageContaining("NUL");
    }

    @Test
    void createdIsGoRfc3339Nano() {
        assertThat(ContainerRuntime.created(java.time.Instant.parse("2026-11-24T11:43:44.732349820Z")))
                .isEqualTo("2026-11-24T11:43:44.73234982Z");
        assertThat(ContainerRuntime.created(java.time.Instant.parse("2026-11-24T11:43:44.500Z")))
                .isEqualTo("2026-11-24T11:43:44.5Z");
        assertThat(ContainerRuntime.created(java.time.Instant.parse("2026-11-24T11:43:44Z")))
                .isEqualTo("2026-11-24T11:43:44Z");
    }

    @Test
    void ids() {
        StateStore.checkId("abc-1_2+3.x");
        assertThatThrownBy(() -> StateStore.checkId("../x")).hasMessageContaining("invalid container id");
        assertThatThrownBy(() -> StateStore.checkId(".x")).hasMessageContaining("invalid container id");
    }

    @Test
    void cgroupPaths() {
        assertThat(Cgroups.containerPath(Optional.empty(), "c1", false)).isEqualTo("/berth/c1");
        assertThat(Cgroups.containerPath(Optional.of("/a/b"), "c1", false)).isEqualTo("/a/b");
        assertThat(Cgroups.containerPath(Optional.of("x"), "c1", false)).isEqualTo("/berth/x");
        assertThatThrownBy(() -> Cgroups.containerPath(Optional.empty(), "c1", true)).hasMessageContaining("systemd");
    }

    @Test
    void initErrorMessages() {
        assertThat(InitProcess.initError("error\tmount\t/proc\t1\tOperation not permitted").getMessage())
                .isEqualTo("container init: mount /proc: Operation not permitted (errno 1)");
    }

    private static Plan compile(Path bundle, String config, boolean foreground, Optional<Path> socket) {
        Spec spec = Spec.parse(config.getBytes(StandardCharsets.UTF_8));
        return PlanCompiler.compile(new PlanCompiler.Inputs(spec, bundle, bundle.resolve("state"), List.of(), false, 0,
                foreground, Path.of("/proc/self/status"), "/berth/u", socket));
    }

    /** The console ops: the socket connected first (a host path), the pty after pivot_root, before identity. */
    @Test
    void consolePlan(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("rootfs"));
        String config = DefaultSpec.json(false, 0, 0).replace("\"terminal\": true",
                "\"terminal\": true, \"consoleSize\": {\"height\": 25, \"width\": 80}");
        Plan p = compile(tmp, config, false, Optional.of(Path.of("/run/c.sock")));
        List<String> names = p.ops().stream().map(List::getFirst).toList();
        assertThat(p.ops().getFirst()).containsExactly("consock", "/run/c.sock");
        assertThat(names.indexOf("console")).isGreaterThan(names.indexOf("pivot"))
                .isLessThan(names.indexOf("identity"));
        assertThat(p.ops().get(names.indexOf("console"))).containsExactly("console", "25", "80", "0", "1");
        assertThat(names).doesNotContain("ttyproxy");

        Plan fg = compile(tmp, config, true, Optional.empty());
        assertThat(fg.ops().stream().map(List::getFirst).toList()).contains("ttyproxy", "wait", "console")
                .doesNotContain("consock");
        assertThatThrownBy(() -> compile(tmp, config, false, Optional.empty()))
                .hasMessageContaining("needs --console-socket");
        assertThatThrownBy(() -> compile(tmp, config, true, Optional.of(Path.of("/run/c.sock"))))
                .hasMessageContaining("only with --detach");
        assertThatThrownBy(() -> compile(tmp, config.replace("\"terminal\": true", "\"terminal\": false"), false,
                Optional.of(Path.of("/run/c.sock")))).hasMessageContaining("process.terminal is false");
        String noPts = config.replace("\"destination\": \"/dev/pts\"", "\"destination\": \"/dev/pts2\"");
        assertThat(noPts).isNotEqualTo(config);
        assertThatThrownBy(() -> compile(tmp, noPts, false, Optional.of(Path.of("/run/c.sock"))))
                .hasMessageContaining("/dev/pts");
        // config.md: consoleSize is ignored without a terminal
        Plan none = compile(tmp, config.replace("\"terminal\": true", "\"terminal\": false"), false, Optional.empty());
        assertThat(none.ops().stream().map(List::getFirst).toList()).doesNotContain("console", "consock", "ttyproxy");
    }
}
