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

    /** state and list print what runc prints: the same members, list's table in runc's tabwriter layout. */
    @org.junit.jupiter.api.Test
    void stateAndListLookLikeRuncs() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        Path runcRoot = tmp.resolve("runc-root");
        Path berthRoot = tmp.resolve("berth-root");
        String id = "parity-" + ProcessHandle.current().pid();
        assertThat(Bundles.runc(runcRoot, "create", "--bundle", b.toString(), id).code()).isZero();
        try {
            Result br = Bundles.berth(berthRoot, "create", "--bundle", b.toString(), id);
            assertThat(br.code()).as(br.err()).isZero();
            var rs = io.berth.spec.json.JsonCodec.parseObject(Bundles.runc(runcRoot, "state", id).out().getBytes(), "runc");
            var bs = io.berth.spec.json.JsonCodec.parseObject(Bundles.berth(berthRoot, "state", id).out().getBytes(), "berth");
            assertThat(bs.json().members().keySet()).isEqualTo(rs.json().members().keySet());
            for (String k : List.of("id", "status", "bundle", "rootfs", "owner")) {
                assertThat(bs.string(k)).as(k).isEqualTo(rs.string(k));
            }
            assertThat(bs.string("created")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?Z");

            String runcJson = Bundles.runc(runcRoot, "list", "--format", "json").out();
            String berthJson = Bundles.berth(berthRoot, "list", "--format", "json").out();
            var rl = (io.berth.spec.json.Json.Arr) io.berth.spec.json.JsonCodec.parse(runcJson.getBytes(), "runc");
            var bl = (io.berth.spec.json.Json.Arr) io.berth.spec.json.JsonCodec.parse(berthJson.getBytes(), "berth");
            var r0 = io.berth.spec.json.Fields.of(rl.items().get(0), "runc");
            var b0 = io.berth.spec.json.Fields.of(bl.items().get(0), "berth");
            assertThat(b0.json().members().keySet()).isEqualTo(r0.json().members().keySet());
            assertThat(b0.string("owner")).isEqualTo(r0.string("owner")).isEqualTo("root");

            String[] rt = Bundles.runc(runcRoot, "list").out().split("\n");
            String[] bt = Bundles.berth(berthRoot, "list").out().split("\n");
            int created = rt[0].indexOf("CREATED");
            assertThat(bt[0].substring(0, created)).as("columns up to CREATED").isEqualTo(rt[0].substring(0, created));
            assertThat(bt[0].trim()).matches("ID +PID +STATUS +BUNDLE +CREATED +OWNER");
            String[] rc = rt[1].split(" +");
            String[] bc = bt[1].split(" +");
            assertThat(List.of(bc[0], bc[2], bc[3], bc[5])).isEqualTo(List.of(rc[0], rc[2], rc[3], rc[5]));
            assertThat(bt[1].indexOf(bc[2])).as("STATUS column").isEqualTo(rt[1].indexOf(rc[2]));
        } finally {
            Bundles.runc(runcRoot, "delete", "--force", id);
            Bundles.berth(berthRoot, "delete", "--force", id);
        }
    }
}
