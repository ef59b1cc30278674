package io.berth.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.spec.json.Json;
import io.berth.spec.runtime.Resources;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The value syntaxes runc's events and update take: Go durations and docker/go-units sizes. */
class CliParsingTest {
    @Test
    void goDurations() {
        assertThat(EventsCommand.duration("5s")).isEqualTo(5_000_000_000L);
        assertThat(EventsCommand.duration("300ms")).isEqualTo(300_000_000L);
        assertThat(EventsCommand.duration("1m30s")).isEqualTo(90_000_000_000L);
        assertThat(EventsCommand.duration("1.5h")).isEqualTo(5_400_000_000_000L);
        assertThat(EventsCommand.duration("250us")).isEqualTo(250_000L);
        assertThat(EventsCommand.duration("0")).isZero();
        assertThat(EventsCommand.duration("-1s")).isNegative();
        assertThatThrownBy(() -> EventsCommand.duration("5")).hasMessageContaining("invalid duration");
        assertThatThrownBy(() -> EventsCommand.duration("5 s")).hasMessageContaining("invalid duration");
    }

    private static Optional<Long> size(String v) {
        return UpdateCommand.size(RuntimeMain.parse(List.of("--memory", v), UpdateCommand.VALUED, false), "memory");
    }

    @Test
    void ramSizes() {
        assertThat(size("64m")).contains(64L << 20);
        assertThat(size("1g")).contains(1L << 30);
        assertThat(size("512KiB")).contains(512L << 10);
        assertThat(size("1.5GB")).contains(3L << 29);
        assertThat(size("4096")).contains(4096L);
        assertThat(size("-1")).contains(-1L);
        assertThatThrownBy(() -> size("lots")).hasMessageContaining("invalid value for memory");
    }

    @Test
    void updateFlagsBecomeResources() {
        Resources r = UpdateCommand.fromFlags(RuntimeMain.parse(List.of("--memory", "32m", "--memory-swap", "-1",
                "--cpu-share", "256", "--cpu-quota", "-1", "--cpuset-cpus", "0", "--pids-limit", "7", "c"),
                UpdateCommand.VALUED, false));
        assertThat(r.memory().orElseThrow().limit()).contains(32L << 20);
        assertThat(r.memory().orElseThrow().swap()).contains(-1L);
        assertThat(r.memory().orElseThrow().reservation()).isEmpty();
        assertThat(r.cpu().orElseThrow().shares()).contains(256L);
        assertThat(r.cpu().orElseThrow().quota()).contains(-1L);
        assertThat(r.cpu().orElseThrow().cpus()).contains("0");
        assertThat(r.pidsLimit()).contains(7L);
        Resources w = UpdateCommand.fromFlags(RuntimeMain.parse(List.of("--blkio-weight", "500", "c"),
                UpdateCommand.VALUED, false));
        assertThat(w.blockIO().orElseThrow()).isEqualTo(new Json.Obj(java.util.Map.of("weight", Json.Num.of(500))));
        assertThat(UpdateCommand.fromFlags(RuntimeMain.parse(List.of("--blkio-weight", "0", "c"),
                UpdateCommand.VALUED, false)).blockIO()).as("0 leaves it unchanged").isEmpty();
    }
}
