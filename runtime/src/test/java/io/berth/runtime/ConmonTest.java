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
        try {
            return conmon(name, runtime, bundle, terminal ? List.of("-t") : List.of(), true);
        } finally {
            exec(runtime, "delete", "--force", "cm1");
        }
    }

    /**
     * conmon's exec mode ({@code -e --exec-process-spec}): a process.json run in a running container, with and
     * without a terminal; its output in the log, its exit code in the exit dir.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void conmonExecsIntoARunningContainer(boolean terminal) throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        for (String applet : List.of("tty", "stty")) {
            Files.createSymbolicLink(b.resolve("rootfs/bin/" + applet), Path.of("busybox"));
        }
        Path spec = tmp.resolve("process.json");
        Files.writeString(spec, "{\"terminal\": " + terminal + ", \"consoleSize\": {\"height\": 40, \"width\": 120},"
                + " \"user\": {\"uid\": 0, \"gid\": 0}, \"cwd\": \"/\", \"env\": [\"PATH=/bin\"],"
                + " \"args\": [\"sh\", \"-c\", \"echo exec-out; tty; stty size 2>/dev/null || echo no-size; exit 6\"]}");
        List<Outcome> outcomes = new ArrayList<>();
        for (String name : List.of("runc", "berth")) {
            List<String> runtime = name.equals("runc")
                    ? List.of("runc", "--root", tmp.resolve("runc-root").toString())
                    : Bundles.berthCommand(tmp.resolve("berth-root"));
            Result run = exec(runtime, "run", "--detach", "--bundle", b.toString(), "cm1");
            assertThat(run.code()).as(name + ": " + run.err()).isZero();
            try {
                List<String> args = new ArrayList<>(List.of("-e", "--exec-process-spec", spec.toString()));
                if (terminal) {
                    args.add("-t");
                }
                outcomes.add(conmon(name, runtime, b, args, false));
            } finally {
                exec(runtime, "delete", "--force", "cm1");
            }
        }
        Outcome runc = outcomes.get(0);
        Outcome berth = outcomes.get(1);
        assertThat(runc.log()).as("runc under conmon").containsExactlyInAnyOrderElementsOf(terminal
                ? List.of("stdout F exec-out", "stdout F /dev/pts/0", "stdout F 40 120")
                : List.of("stdout F exec-out", "stdout F not a tty", "stdout F no-size"));
        assertThat(runc.exit()).isEqualTo("6");
        assertThat(berth.calls()).as("conmon calls the runtime like runc").isEqualTo(runc.calls());
        assertThat(berth.log()).isEqualTo(runc.log());
        assertThat(berth.exit()).isEqualTo(runc.exit());
    }

    private Outcome conmon(String name, List<String> runtime, Path bundle, List<String> extra, boolean start)
            throws Exception {
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
        cmd.addAll(extra);
        try {
            Result c = Bundles.exec(cmd); // returns once conmon has daemonized; the create goes on
            assertThat(c.code()).as(name + ": conmon " + c.err()).isZero();
            waitFor(pidFile, name + ": the runtime writes the pid file");
            if (start) {
                Result st = exec(runtime, "start", id);
                assertThat(st.code()).as(name + ": start " + st.err()).isZero();
            }
            Path exitFile = exitDir.resolve(id);
            waitFor(exitFile, name + ": conmon writes the exit code");
            waitForLog(log);
            List<String> lines = Files.readAllLines(log).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
            String generic = Files.readString(calls).replace(dir.toString(), "DIR").replace(bundle.toString(), "BUNDLE")
                    .replaceAll("/tmp/conmon-term\\.\\w+", "SOCKET");
            return new Outcome(List.of(generic.split("\n")), lines, Files.readString(exitFile).trim());
        } finally {
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
