package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * podman (Debian's 4.3, through conmon) drives berth-runtime with {@code --runtime}: run, exit codes, exec,
 * top, stop, rm, on an image Berth wrote as an OCI layout, side by side with runc, with podman's default
 * seccomp profile (compiled by berth-runtime) and capabilities. podman keeps its
 * storage and run state in this test's directory (vfs driver), uses no network (--network none) and
 * cgroupfs. Fails when podman is missing: apt-get install podman.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanTest {
    private Path dir;
    private Path runtime;
    private String image;
    private List<Path> cgroupsBefore;

    // This machine's bounding set lacks CAP_SYS_RESOURCE, so podman's default RLIMIT_NOFILE of 1048576
    // fails under runc and Berth alike ("setrlimit 7: Operation not permitted"): ask for what we have.
    private static final List<String> LIMITS = List.of("--ulimit", "nofile=20000:20000", "--ulimit", "nproc=1000:1000");

    @BeforeAll
    void setUp() throws Exception {
        cgroupsBefore = Bundles.cgroups("libpod_parent");
        dir = Files.createTempDirectory("berth-podman");
        runtime = Bundles.wrapper(dir.resolve("berth-runtime"));
        Path layout = Bundles.busyboxImage(dir.resolve("layout"), List.of("sh", "-c", "echo hello from $(cat /proc/1/comm)"));
        Result pulled = podman("pull", "-q", "oci:" + layout + ":latest");
        assertThat(pulled.code()).as(pulled.err()).isZero();
        image = pulled.out().trim();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (dir != null) {
            podman("rm", "--all", "--force");
            Bundles.exec(List.of("rm", "-rf", dir.toString()));
            Bundles.removeNewCgroups("libpod_parent", cgroupsBefore);
        }
    }

    private Result podman(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", dir.resolve("storage").toString(), "--runroot",
                dir.resolve("run").toString(), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
                "--events-backend", "none", "--tmpdir", dir.resolve("tmp").toString()));
        cmd.addAll(List.of(args));
        return Bundles.exec(cmd);
    }

    private Result run(String rt, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--runtime", rt));
        cmd.addAll(LIMITS);
        cmd.addAll(List.of(args));
        return podman(cmd.toArray(String[]::new));
    }

    @Test
    void runGivesRuncsOutputAndExitCode() throws Exception {
        for (String[] args : List.of(new String[] {image}, new String[] {"--entrypoint", "/bin/sh", image, "-c",
            "id; echo $PATH; cat /proc/self/status | grep -E '^Cap(Prm|Eff)'; exit 4"})) {
            Result runc = run("runc", args);
            Result berth = run(runtime.toString(), args);
            assertThat(runc.err()).as("runc must run it").doesNotContain("Error");
            assertThat(berth.out()).as(berth.err()).isEqualTo(runc.out()).isNotEmpty();
            assertThat(berth.code()).isEqualTo(runc.code());
        }
    }

    /** podman's own default seccomp profile (containers-common's, as podman converts it), compiled by berth. */
    @Test
    void defaultSeccompProfileLikeRunc() throws Exception {
        String script = "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; mount -t tmpfs none /tmp 2>&1; echo $?; "
                + "ls / | wc -l; id";
        Result[] results = new Result[2];
        int i = 0;
        for (String rt : List.of("runc", runtime.toString())) {
            List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--runtime", rt));
            cmd.addAll(LIMITS);
            cmd.addAll(List.of("--entrypoint", "/bin/sh", image, "-c", script));
            results[i++] = podman(cmd.toArray(String[]::new));
        }
        assertThat(results[0].err()).as("runc must run it").doesNotContain("Error");
        assertThat(results[1].out()).as(results[1].err()).isEqualTo(results[0].out())
                .startsWith("NoNewPrivs:\t0\nSeccomp:\t2\n"); // no_new_privs off: CAP_SYS_ADMIN held until installed
        assertThat(results[1].code()).isEqualTo(results[0].code()).isZero();
    }

    @Test
    void detachedExecTopStopRm() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--network", "none", "--runtime", runtime.toString()));
        cmd.addAll(LIMITS);
        cmd.addAll(List.of("--entrypoint", "/bin/sleep", image, "300"));
        Result started = podman(cmd.toArray(String[]::new));
        assertThat(started.code()).as(started.err()).isZero();
        String id = started.out().trim();
        try {
            assertThat(podman("ps", "--format", "{{.ID}} {{.Status}}").out()).contains(id.substring(0, 12) + " Up");
            Result exec = podman("exec", id, "sh", "-c", "echo exec-ok; exit 5");
            assertThat(exec.out()).isEqualTo("exec-ok\n");
            assertThat(exec.code()).isEqualTo(5);
            assertThat(podman("top", id).out()).contains("/bin/sleep 300");
            Result stop = podman("stop", "-t", "1", id);
            assertThat(stop.code()).as(stop.err()).isZero();
            assertThat(podman("ps", "-a", "--format", "{{.ID}} {{.Status}}").out()).contains(id.substring(0, 12) + " Exited");
            assertThat(podman("rm", id).code()).isZero();
        } finally {
            podman("rm", "--force", id);
        }
        assertThat(podman("ps", "-a", "-q").out()).doesNotContain(id.substring(0, 12));
    }
}
