package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * conmon 2.1.6 (Debian) drives berth-runtime as podman would: {@code conmon -r <runtime>} calls
 * {@code <runtime> create --bundle B --pid-file P [--console-socket S] ID}, the test calls {@code start}
 * (podman's part), and conmon logs the container's output to its k8s-file log and writes the exit code to
 * {@code <exit-dir>/<id>}. Each case runs first under runc 1.1.5 (the expected behaviour), then under
 * berth-runtime: same log lines (timestamps aside) and exit code. Fails when conmon is missing.
 */
class ConmonTest {
    @TempDir
    Path tmp;

    static final Path CONMON = Path.of("/usr/bin/conmon");

    @BeforeAll
    static void requirements() {
        assertThat(CONMON).as("apt-get install conmon").isExecutable();
        assertThat(System.getProperty("user.name")).as("these tests create namespaces: run as root").isEqualTo("root");
    }

    /** What conmon saw: its runtime calls, the log lines without timestamps, the exit file. */
    record Outcome(List<String> calls, List<String> log, String exit) {}

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void conmonRunsABusyboxContainer(boolean terminal) throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c",
                "echo out-line; echo err-line >&2; tty; test -t 0 && echo stdin-tty; exit 3"));
        Files.createSymbolicLink(b.resolve("rootfs/bin/tty"), Path.of("busybox"));
        if (terminal) {
            Bundles.edit(b, "\"terminal\": false", "\"terminal\": true");
        }
        Outcome runc = drive("runc", List.of("runc", "--root", tmp.resolve("runc-root").toString()), b, terminal);
        Outcome berth = drive("berth", Bundles.berthCommand(tmp.resolve("berth-root")), b, terminal);

        List<String> expectedLog = terminal
                ? List.of("stdout F out-line", "stdout F err-line", "stdout F /dev/pts/0", "stdout F stdin-tty")
                : List.of("stdout F out-line", "stderr F err-line", "stdout F not a tty");
        assertThat(runc.log()).as("runc under conmon").containsExactlyInAnyOrderElementsOf(expectedLog);
        assertThat(runc.exit()).isEqualTo("3");
        assertThat(berth.calls()).as("conmon calls the runtime like runc").isEqualTo(runc.calls());
        if (terminal) {
            assertThat(berth.log()).isEqualTo(runc.log()); // one pty: a single ordered stream
        } else {
            assertThat(berth.log()).containsExactlyInAnyOrderElementsOf(runc.log());
        }
        assertThat(berth.exit()).isEqualTo(runc.exit());
    }

    /** conmon with a wrapper that records each call (with the container id and paths made generic). */
    private Outcome drive(String name, List<String> runtime, Path bundle, boolean terminal) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path calls = dir.resolve("calls");
        Path wrapper = dir.resolve("runtime");
        Files.writeString(wrapper, "#!/bin/sh\necho \"$@\" >> " + calls + "\nexec " + Bundles.shell(runtime)
                + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path exitDir = Files.createDirectories(dir.resolve("exit"));
        Path pidFile = dir.resolve("pid");
        Path conmonPid = dir.resolve("conmon.pid");
        Path log = dir.resolve("ctr.log");
        String id = "cm1";
        List<String> cmd = new ArrayList<>(List.of(CONMON.toString(), "--api-version", "1", "-r", wrapper.toString(),
                "-b", bundle.toString(), "-c", id, "-u", id + "-uuid", "-n", id + "-name", "--exit-dir",
                exitDir.toString(), "--socket-dir-path", Files.createDirectories(dir.resolve("sock")).toString(),
                "-p", pidFile.toString(), "-P", conmonPid.toString(), "-l", "k8s-file:" + log));
        if (terminal) {
            cmd.add("-t");
        }
        try {
            Result c = Bundles.exec(cmd); // returns once conmon has daemonized; the create goes on
            assertThat(c.code()).as(name + ": conmon " + c.err()).isZero();
            waitFor(pidFile, name + ": the runtime's create writes the pid file");
            Result start = exec(runtime, "start", id);
            assertThat(start.code()).as(name + ": start " + start.err()).isZero();
            Path exitFile = exitDir.resolve(id);
            waitFor(exitFile, name + ": conmon writes the exit code");
            waitForLog(log);
            List<String> lines = Files.readAllLines(log).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
            String generic = Files.readString(calls).replace(dir.toString(), "DIR").replace(bundle.toString(), "BUNDLE")
                    .replaceAll("/tmp/conmon-term\\.\\w+", "SOCKET");
            return new Outcome(List.of(generic.split("\n")), lines, Files.readString(exitFile).trim());
        } finally {
            exec(runtime, "delete", "--force", id);
            if (Files.exists(conmonPid)) {
                long pid = Long.parseLong(Files.readString(conmonPid).trim());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // only if still running
            }
        }
    }

    private static Result exec(List<String> runtime, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(runtime);
        cmd.addAll(List.of(args));
        return Bundles.exec(cmd);
    }

    private static void waitFor(Path file, String what) throws InterruptedException {
        for (int i = 0; i < 3000 && !Files.exists(file); i++) {
            Thread.sleep(10);
        }
        assertThat(file).as(what).exists();
    }

    /** conmon writes the exit file after draining the output; give the last log write a moment anyway. */
    private static void waitForLog(Path log) throws Exception {
        long size = -1;
        for (int i = 0; i < 50 && Files.size(log) != size; i++) {
            size = Files.size(log);
            Thread.sleep(20);
        }
    }
}
