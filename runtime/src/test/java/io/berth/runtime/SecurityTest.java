package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CVE classes the issue names, checked from inside a container. */
class SecurityTest {
    @TempDir
    Path tmp;

    private Result run(String script) throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", script));
        return Bundles.berth(tmp.resolve("root"), "run", "--bundle", b.toString(), "sec");
    }

    /** CVE-2024-21626 class: only 0, 1, 2 (and ls's own directory fd) are open; cwd is inside the rootfs. */
    @Test
    void noHostFdAndCwdInsideRootfs() throws Exception {
        Result r = run("for f in /proc/self/fd/*; do echo \"$f $(readlink $f)\"; done; pwd; ls /proc/self/cwd/bin/busybox");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).filteredOn(l -> l.startsWith("/proc/self/fd/"))
                .extracting(l -> l.split(" ")[0])
                .containsExactlyInAnyOrder("/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2", "/proc/self/fd/3");
        assertThat(lines).contains("/", "/proc/self/cwd/bin/busybox");
    }

    @Test
    void maskedAndReadonlyPaths() throws Exception {
        Result r = run("cat /proc/timer_list | wc -c; ls /sys/firmware | wc -l; touch /proc/sys/kernel/x 2>&1; "
                + "echo 1 > /proc/sys/kernel/ns_last_pid 2>&1 || echo ro-ok; touch /bin/x 2>&1 || echo rootro-ok");
        assertThat(r.out().lines().toList()).startsWith("0", "0");
        assertThat(r.out()).contains("ro-ok").contains("rootro-ok");
    }

    /** CVE-2019-5736 class: the init runs from a sealed memfd, so /proc/<pid>/exe is not the host binary. */
    @Test
    void initRunsFromASealedCopy() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "30"));
        Path root = tmp.resolve("root");
        Path pidFile = tmp.resolve("pid");
        assertThat(Bundles.berth(root, "create", "--bundle", b.toString(), "--pid-file", pidFile.toString(), "m")
                .code()).isZero();
        try {
            String pid = Files.readString(pidFile).trim();
            String exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
            assertThat(exe).startsWith("/memfd:berth-runtime-init");
            assertThat(Files.readString(Path.of("/proc/" + pid + "/status"))).contains("\nTracerPid:\t0");
        } finally {
            Bundles.berth(root, "delete", "--force", "m");
        }
    }

    /** CVE-2021-30465 class: a symlink in the rootfs pointing out of it is resolved inside the rootfs. */
    @Test
    void mountTargetSymlinksStayInsideTheRootfs() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("ls", "/escape"));
        Files.createSymbolicLink(b.resolve("rootfs/escape"), outside);
        Bundles.edit(b, "\"mounts\": [", "\"mounts\": [{\"destination\": \"/escape\", \"type\": \"tmpfs\", "
                + "\"source\": \"tmpfs\"},");
        Result r = Bundles.berth(tmp.resolve("root"), "run", "--bundle", b.toString(), "sym");
        assertThat(r.code()).as(r.err()).isZero();
        // the tmpfs went to <rootfs>/<outside path>, never onto the host directory
        assertThat(Files.exists(b.resolve("rootfs").resolve(outside.toString().substring(1)))).isTrue();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(" " + outside + " ");
    }
}
