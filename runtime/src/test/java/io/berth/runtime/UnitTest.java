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

    @Test
    void cgroupFileSyntaxes() {
        assertThat(Events.ranges("0-2,5\n")).hasSize(4).last().isEqualTo(io.berth.spec.json.Json.num(5));
        assertThat(Events.ranges("")).isEmpty();
        assertThat(Events.keyValues("cache 8192\nrss 4\nbogus\n")).containsOnlyKeys("cache", "rss");
    }

    /** createContainer ops sit before pivot_root, startContainer ops just before exec; the pid is left out. */
    @Test
    void containerHooksInThePlan() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("plan");
        try {
            java.nio.file.Files.createDirectories(dir.resolve("rootfs"));
            String config = io.berth.runtime.cli.DefaultSpec.json(false, 0, 0)
                    .replace("\"terminal\": true", "\"terminal\": false")
                    .replace("\"linux\": {", "\"hooks\": {\"createContainer\": [{\"path\": \"/bin/cc\", \"timeout\": 3}], "
                            + "\"startContainer\": [{\"path\": \"/bin/sc\", \"args\": [\"sc\", \"-x\"], \"env\": [\"A=1\"]}]}, "
                            + "\"linux\": {");
            io.berth.spec.runtime.Spec spec = io.berth.spec.runtime.Spec.parse(config.getBytes());
            Plan p = PlanCompiler.compile(new PlanCompiler.Inputs(spec, dir, dir.resolve("c9"), java.util.List.of(),
                    false, 0, false, java.nio.file.Path.of("/proc/self/status"), "/berth/c9", Optional.empty()));
            java.util.List<String> names = p.ops().stream().map(o -> o.getFirst()).toList();
            java.util.List<java.util.List<String>> hooks = p.ops().stream().filter(o -> o.getFirst().equals("hook")).toList();
            assertThat(hooks).hasSize(2);
            assertThat(names.indexOf("hook")).isLessThan(names.indexOf("pivot"));
            assertThat(names.lastIndexOf("hook")).isEqualTo(names.indexOf("exec") - 1);
            java.util.List<String> cc = hooks.get(0);
            assertThat(cc.subList(1, 4)).containsExactly("createContainer", "/bin/cc", "3");
            assertThat(cc.get(4)).contains("\"id\": \"c9\"").contains("\"status\": \"creating\"").endsWith("\"pid\": ");
            assertThat(cc.get(5)).startsWith(",").contains("\"bundle\": \"" + dir + "\"");
            assertThat(hooks.get(1).subList(1, 4)).containsExactly("startContainer", "/bin/sc", "0");
            assertThat(hooks.get(1).get(4)).contains("\"status\": \"created\"");
            int sc = p.ops().indexOf(hooks.get(1));
            assertThat(p.ops().subList(sc - 3, sc)).containsExactly(java.util.List.of("hookarg", "sc"),
                    java.util.List.of("hookarg", "-x"), java.util.List.of("hookenv", "A=1"));
            // without env of its own a hook gets the process's environment; without args, argv is the path
            int ci = p.ops().indexOf(cc);
            assertThat(p.ops().get(ci - 1).getFirst()).isEqualTo("hookenv");
            assertThat(p.ops().get(ci - 1).get(1)).startsWith("TERM=");
            assertThat(p.ops().stream().filter(o -> o.equals(java.util.List.of("hookarg", "/bin/cc"))).count()).isEqualTo(1);
        } finally {
            try (var w = java.nio.file.Files.walk(dir)) {
                for (java.nio.file.Path x : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(x);
                }
            }
        }
    }
}
