package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * containerd 1.6 (Debian's) drives berth-runtime in runc's place: {@code ctr run --runc-binary}, exec, kill,
 * delete, on an image Berth wrote as an OCI layout and containerd imported. containerd runs in a mount
 * namespace of its own with a private /run, so neither its snapshots nor the shim's runtime root touch the
 * host's mounts. Fails when containerd is missing: apt-get install containerd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerdTest {
    private static final String IMAGE = "docker.io/berth/ctrd-test:latest";

    private Path dir;
    private Path socket;
    private Path runtime;
    private Process containerd;
    private List<Path> cgroupsBefore;

    @BeforeAll
    void startContainerd() throws Exception {
        cgroupsBefore = Bundles.cgroups("default"); // containerd's namespace "default" is its parent cgroup
        dir = Files.createTempDirectory("berth-ctrd");
        socket = dir.resolve("c.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "%2$s"
                """.formatted(dir, socket));
        containerd = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o mode=755 berth-test-run /run && exec containerd --config \"$0\"", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        for (int i = 0; i < 100 && !Files.exists(socket); i++) {
            assertThat(containerd.isAlive()).as("containerd exited: %s", log()).isTrue();
            Thread.sleep(100);
        }
        assertThat(socket).as("containerd socket; log: %s", log()).exists();

        runtime = Bundles.wrapper(dir.resolve("berth-runtime"));

        Path layoutDir = Bundles.busyboxImage(dir.resolve("layout"), List.of("sh"));
        Path tar = dir.resolve("image.tar");
        ok(Bundles.exec(List.of("tar", "-C", layoutDir.toString(), "-cf", tar.toString(), ".")));
        Result imported = ctr("image", "import", "--snapshotter", "native", "--base-name", "docker.io/berth/ctrd-test",
                tar.toString());
        ok(imported);
        assertThat(ctr("image", "ls", "-q").out()).contains(IMAGE);
    }

    @AfterAll
    void stopContainerd() throws Exception {
        if (containerd != null) {
            // shims outlive a failed test; each wrote its pid next to its task's bundle
            Path tasks = dir.resolve("state/io.containerd.runtime.v2.task/default");
            if (Files.isDirectory(tasks)) {
                try (Stream<Path> s = Files.list(tasks)) {
                    for (Path task : s.toList()) {
                        Path pid = task.resolve("shim.pid");
                        if (Files.exists(pid)) {
                            ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                }
            }
            containerd.destroy();
            if (!containerd.waitFor(10, TimeUnit.SECONDS)) {
                containerd.destroyForcibly();
            }
        }
        if (dir != null) {
            Bundles.exec(List.of("rm", "-rf", dir.toString()));
            Bundles.removeNewCgroups("default", cgroupsBefore);
        }
    }

    @Test
    void runPrintsOutputAndExitCodeLikeRunc() throws Exception {
        String script = "echo hello; id -u; cat /proc/self/cgroup | grep -c /default/parity-; readlink /proc/1/exe; exit 7";
        Result runc = ctr("run", "--snapshotter", "native", "--rm", IMAGE, "parity-runc", "sh", "-c", script);
        Result berth = ctr("run", "--snapshotter", "native", "--rm", "--runc-binary", runtime.toString(), IMAGE,
                "parity-berth", "sh", "-c", script);
        assertThat(runc.code()).as("runc: %s", runc.err()).isEqualTo(7);
        assertThat(berth.err()).doesNotContain("ctr:");
        assertThat(berth.code()).as(berth.err()).isEqualTo(7);
        assertThat(berth.out()).isEqualTo(runc.out()).startsWith("hello\n0\n").endsWith("/bin/busybox\n");
    }

    /**
     * {@code ctr run --seccomp}: containerd's own default profile (Docker's, as containerd's Go code generates
     * it for this host: three x86 architectures, hundreds of names, argument rules), compiled by berth.
     */
    @Test
    void containerdsDefaultSeccompProfile() throws Exception {
        String script = "grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/self/status; mount -t tmpfs none /tmp 2>&1; "
                + "echo $?; ls / | wc -l; echo hi | cat; id";
        // a wrapper keeps the config.json containerd wrote, for the comparison with libseccomp below
        Path captured = dir.resolve("captured-config.json");
        Path capturing = dir.resolve("capturing-runtime");
        Files.writeString(capturing, "#!/bin/sh\nprev=\nfor a in \"$@\"; do [ \"$prev\" = --bundle ] && cp \"$a/config.json\" '"
                + captured + "'; prev=$a; done\nexec '" + runtime + "' \"$@\"\n");
        Files.setPosixFilePermissions(capturing, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result runc = ctr("run", "--snapshotter", "native", "--rm", "--seccomp", IMAGE, "sc-runc", "sh", "-c", script);
        Result berth = ctr("run", "--snapshotter", "native", "--rm", "--seccomp", "--runc-binary", capturing.toString(),
                IMAGE, "sc-berth", "sh", "-c", script);
        assertThat(runc.code()).as("runc: %s", runc.err()).isZero();
        assertThat(berth.code()).as(berth.err()).isZero();
        assertThat(berth.out()).isEqualTo(runc.out()).startsWith("CapEff:").contains("Seccomp:\t2\n")
                .contains("hi\nuid=0");

        // the same profile through libseccomp 2.5.4 and through our compiler, run in the test interpreter
        io.berth.spec.runtime.Seccomp profile = io.berth.spec.runtime.Spec.parse(Files.readAllBytes(captured)).linux()
                .orElseThrow().seccomp().orElseThrow();
        assertThat(profile.syscalls().size()).as("containerd's profile").isGreaterThan(5);
        io.berth.runtime.seccomp.Differential.assertSameAsLibseccomp(profile, 20000);
    }

    @Test
    void detachedTaskExecKillDelete() throws Exception {
        String id = "detached";
        ok(ctr("run", "-d", "--snapshotter", "native", "--runc-binary", runtime.toString(), IMAGE, id,
                "sleep", "300"));
        try {
            assertThat(ctr("task", "ls").out()).containsPattern(id + "\\s+\\d+\\s+RUNNING");

            Result exec = ctr("task", "exec", "--exec-id", "e1", id, "sh", "-c", "echo exec-ok; ps -o pid,args; exit 3");
            assertThat(exec.code()).as(exec.err()).isEqualTo(3);
            assertThat(exec.out()).startsWith("exec-ok\n").containsPattern("\\n\\s*1 sleep 300\\n");

            ok(ctr("task", "kill", "-s", "SIGKILL", id));
            Result ls = null;
            for (int i = 0; i < 50; i++) {
                ls = ctr("task", "ls");
                if (ls.out().contains("STOPPED")) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(ls.out()).containsPattern(id + "\\s+\\d+\\s+STOPPED");
            Result rm = ctr("task", "rm", id);
            ok(rm);
            assertThat(rm.err()).doesNotContain("failed");
        } finally {
            ctr("task", "rm", "-f", id);
            ok(ctr("container", "rm", id));
        }
        assertThat(ctr("task", "ls").out()).doesNotContain(id);
        assertThat(ctr("container", "ls", "-q").out()).doesNotContain(id);
    }

    /**
     * {@code ctr run -t} (under script(1), which gives ctr the terminal it requires): containerd's shim passes
     * berth-runtime a --console-socket and copies the master it receives; same output and exit code as runc.
     */
    @Test
    void ttyRunLikeRunc() throws Exception {
        String script = "readlink /proc/self/fd/0; test -t 0 && echo stdin-tty; test -t 1 && echo stdout-tty; exit 4";
        List<String> outputs = new ArrayList<>();
        for (String rt : List.of("runc", "berth")) {
            List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "run",
                    "--fifo-dir=" + dir.resolve("fifo"), "-t", "--snapshotter", "native", "--rm"));
            if (rt.equals("berth")) {
                cmd.addAll(List.of("--runc-binary", runtime.toString()));
            }
            cmd.addAll(List.of(IMAGE, "tty-" + rt, "sh", "-c", script));
            Result r = Bundles.exec(List.of("script", "-qec", Bundles.shell(cmd), "/dev/null"));
            assertThat(r.code()).as(rt + ": " + r.out() + r.err()).isEqualTo(4);
            outputs.add(r.out().replace("^@", "").replace("\r", "")); // two ptys: "\r\r\n"
        }
        assertThat(outputs.get(0)).as("runc").isEqualTo("/dev/pts/0\nstdin-tty\nstdout-tty\n");
        assertThat(outputs.get(1)).isEqualTo(outputs.get(0));
    }

    /** ctr, with its stdio FIFOs in our directory (the host's /run is not containerd's). */
    private Result ctr(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString()));
        cmd.addAll(List.of(args));
        if (args[0].equals("run") || args[1].equals("exec")) {
            cmd.add(args[0].equals("run") ? 4 : 5, "--fifo-dir=" + dir.resolve("fifo"));
        }
        return Bundles.exec(cmd);
    }

    private static void ok(Result r) {
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isZero();
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("containerd.log"));
    }
}
