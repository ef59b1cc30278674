package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

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
}
