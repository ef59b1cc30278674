package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same bundle under runc (Debian's runc 1.1.5) and under berth-runtime gives the same output and exit
 * code. Fails when runc is missing: apt-get install runc.
 */
class RuncParityTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {
        "echo hello; exit 3",
        "id; hostname; pwd",
        "cat /proc/self/status | grep -E '^(Cap|NoNewPrivs|Seccomp:)'",
        "ls /dev | sort",
        "cat /proc/1/cmdline | tr '\\\\0' ' '; echo; echo $$",
        "ulimit -n; umask",
        "mount | grep -E ' (/|/proc|/dev|/sys) ' | sed 's/(.*//' | sort",
        "sh -c 'kill -9 $$'; echo $?",
        "cat /proc/kcore | wc -c; ls /sys/firmware | wc -l",
    })
    void sameResultAsRunc(String script) throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", script));
        for (String applet : List.of("sort", "tr", "sed", "kill")) {
            java.nio.file.Files.createSymbolicLink(b.resolve("rootfs/bin/" + applet), Path.of("busybox"));
        }
        Result runc = Bundles.runc(tmp.resolve("runc-root"), "run", "--bundle", b.toString(), "parity");
        Result berth = Bundles.berth(tmp.resolve("berth-root"), "run", "--bundle", b.toString(), "parity");
        assertThat(runc.err()).as("runc must run this bundle").doesNotContainIgnoringCase("erro");
        assertThat(runc.out().isEmpty() && runc.code() == 0).as("runc produced nothing").isFalse();
        assertThat(berth.out()).as(berth.err()).isEqualTo(runc.out());
        assertThat(berth.code()).isEqualTo(runc.code());
    }
}
