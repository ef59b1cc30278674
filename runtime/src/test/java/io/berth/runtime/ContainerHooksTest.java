package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config.md createContainer and startContainer hooks, and hook timeouts, under berth-runtime and runc 1.1.5
 * on bundles made the same way. Each hook writes what it sees (namespaces, hostname, cwd, /) and the state
 * it got on stdin to a file the test reads.
 */
class ContainerHooksTest {
    @TempDir
    Path tmp;

    /** Container ids (so cgroup paths) are host-wide: prefixed with this JVM's pid (see RuncCommandsTest). */
    private static final String P = "lh" + ProcessHandle.current().pid() + "-";

    @BeforeAll
    static void requirements() {
        Bundles.requireRootAndBusybox();
    }

    /** What one runtime's hook reported, and the container it ran for. */
    record Seen(String mntNs, String utsNs, String pidNs, String hostname, String cwd, String root, Fields state,
            long containerPid, Path bundle, List<String> containerNs, boolean processRan) {}

    private static String hooks(String phase, String script, int timeout) {
        return "\"hooks\": {\"" + phase + "\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \""
                + script.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]" + (timeout > 0 ? ", \"timeout\": " + timeout : "")
                + "}]}, \"linux\": {";
    }

    /**
     * The hook writes: mnt ns, uts ns, pid ns, hostname, cwd, the names in / (one line), then the state; into
     * OUT.tmp renamed to OUT when complete (runc's start returns before its startContainer hooks end).
     */
    private static String report(String out) {
        return "{ readlink /proc/self/ns/mnt; readlink /proc/self/ns/uts; readlink /proc/self/ns/pid; hostname; pwd; "
                + "echo $(ls /); cat; } > " + out + ".tmp && mv " + out + ".tmp " + out;
    }

    /** Waits up to 10 s (a loaded machine, and runc's start returns before its startContainer hooks end). */
    private static boolean await(Path file) throws InterruptedException {
        for (int i = 0; i < 1000 && !Files.exists(file); i++) {
            Thread.sleep(10);
        }
        return Files.exists(file);
    }

    /**
     * Creates and starts the container with the hook, reads what the hook wrote and, when processMark is
     * given, whether the process left that file in the rootfs (before the container is deleted).
     */
    private Seen run(boolean runc, String phase, List<String> args, String out, Path outFile, String processMark)
            throws Exception {
        String name = runc ? "runc" : "berth";
        Path b = Bundles.busybox(tmp.resolve("b-" + name), args);
        Bundles.edit(b, "\"path\": \"rootfs\", \"readonly\": true", "\"path\": \"rootfs\", \"readonly\": false");
        for (String applet : List.of("mv", "cp")) {
            Files.createSymbolicLink(b.resolve("rootfs/bin/" + applet), Path.of("busybox"));
        }
        Bundles.edit(b, "\"linux\": {", hooks(phase, report(out), 0));
        Path root = tmp.resolve(name + "-root");
        String id = P + name + "-" + phase;
        Result created = runc ? Bundles.runc(root, "create", "--bundle", b.toString(), id)
                : Bundles.berth(root, "create", "--bundle", b.toString(), id);
        assertThat(created.code()).as(created.err()).isZero();
        try {
            Result started = runc ? Bundles.runc(root, "start", id) : Bundles.berth(root, "start", id);
            assertThat(started.code()).as(started.err()).isZero();
            Result state = runc ? Bundles.runc(root, "state", id) : Bundles.berth(root, "state", id);
            long pid = JsonCodec.parseObject(state.out().getBytes(StandardCharsets.UTF_8), "state").optLong("pid")
                    .orElseThrow();
            Path file = outFile != null ? outFile : b.resolve("rootfs").resolve(out.substring(1));
            assertThat(await(file)).as(file + " written by the hook").isTrue();
            boolean processRan = processMark != null && await(b.resolve("rootfs").resolve(processMark.substring(1)));
            List<String> lines = Files.readAllLines(file);
            String json = String.join("\n", lines.subList(6, lines.size()));
            return new Seen(lines.get(0), lines.get(1), lines.get(2), lines.get(3), lines.get(4), lines.get(5),
                    JsonCodec.parseObject(json.getBytes(StandardCharsets.UTF_8), "hook stdin"), pid, b,
                    List.of(ns(pid, "mnt"), ns(pid, "uts"), ns(pid, "pid")), processRan);
        } finally {
            if (runc) {
                Bundles.runc(root, "delete", "--force", id);
            } else {
                Bundles.berth(root, "delete", "--force", id);
            }
        }
    }

    private static String ns(long pid, String kind) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + kind)).toString();
    }

    /**
     * createContainer: in the container's mount, uts and pid namespaces, before pivot_root (the host's / and
     * the host's hostname, set later, are still seen), cwd the rootfs, state "creating" - as under runc.
     */
    @Test
    void createContainerRunsInTheContainersNamespacesBeforePivotRoot() throws Exception {
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        String hostMnt = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        String hostRoot;
        try (var l = Files.list(Path.of("/"))) {
            hostRoot = String.join(" ", new java.util.TreeSet<>(l.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).toList()));
        }
        for (boolean runc : List.of(false, true)) {
            Path out = tmp.resolve((runc ? "runc" : "berth") + "-cc.out");
            Seen s = run(runc, "createContainer", List.of("sleep", "100"), out.toString(), out, null);
            String who = runc ? "runc" : "berth-runtime";
            assertThat(s.mntNs()).as(who).isEqualTo(s.containerNs().get(0)).isNotEqualTo(hostMnt);
            assertThat(s.utsNs()).as(who).isEqualTo(s.containerNs().get(1));
            assertThat(s.pidNs()).as(who).isEqualTo(s.containerNs().get(2));
            assertThat(s.hostname()).as(who + ": sethostname comes after the hook").isEqualTo(hostname);
            assertThat(s.cwd()).as(who).isEqualTo(s.bundle().resolve("rootfs").toRealPath().toString());
            assertThat(s.root()).as(who + ": / is still the host's").isEqualTo(hostRoot);
            assertThat(s.state().string("status")).as(who).isEqualTo("creating");
            assertThat(s.state().string("id")).as(who).isEqualTo(P + (runc ? "runc" : "berth") + "-createContainer");
            assertThat(s.state().string("bundle")).as(who).isEqualTo(s.bundle().toString());
            // runtime.md: the pid "as seen by the host"; runc 1.1.5 passes its init's own pid in the
            // container's pid namespace (1) instead
            assertThat(s.state().optLong("pid").orElseThrow()).as(who).isEqualTo(runc ? 1 : s.containerPid());
        }
    }

    /**
     * startContainer: inside the container (its / and hostname, cwd /), state "created", before the user
     * process: the process finds the file the hook wrote - as under runc.
     */
    @Test
    void startContainerRunsInsideTheContainerBeforeTheProcess() throws Exception {
        for (boolean runc : List.of(false, true)) {
            Seen s = run(runc, "startContainer", List.of("sh", "-c", "cp /tmp/sc.out /tmp/seen-by-process; sleep 100"),
                    "/tmp/sc.out", null, "/tmp/seen-by-process");
            String who = runc ? "runc" : "berth-runtime";
            assertThat(s.mntNs()).as(who).isEqualTo(s.containerNs().get(0));
            assertThat(s.utsNs()).as(who).isEqualTo(s.containerNs().get(1));
            assertThat(s.pidNs()).as(who).isEqualTo(s.containerNs().get(2));
            assertThat(s.hostname()).as(who).isEqualTo("berth");
            assertThat(s.cwd()).as(who).isEqualTo("/");
            assertThat(s.root()).as(who + ": after pivot_root").isEqualTo("bin dev proc sys tmp");
            assertThat(s.state().string("status")).as(who).isEqualTo("created");
            assertThat(s.state().optLong("pid").orElseThrow()).as(who).isEqualTo(runc ? 1 : s.containerPid());
            assertThat(s.processRan()).as(who + ": the process found the hook's file (the hook ran before it)")
                    .isTrue();
        }
    }

    /** A hook past its timeout is killed and fails the operation, naming the hook; nothing is left behind. */
    @Test
    void aHookPastItsTimeoutFailsCreateOrStart() throws Exception {
        Path root = tmp.resolve("root");
        for (String phase : List.of("createContainer", "createRuntime")) {
            Path b = Bundles.busybox(tmp.resolve("b-" + phase), List.of("true"));
            Bundles.edit(b, "\"linux\": {", hooks(phase, "echo about to hang; exec sleep 30", 1));
            long t0 = System.nanoTime();
            Result r = Bundles.berth(root, "create", "--bundle", b.toString(), P + "t-" + phase);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("killed at its timeout").isLessThan(15_000);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains(phase + " hook #0 /bin/sh: ran past its timeout of 1 s and was killed");
            assertThat(Files.exists(root.resolve(P + "t-" + phase))).as("a failed create leaves nothing").isFalse();
        }
        assertThat(Bundles.berth(root, "list", "-q").out()).isEmpty();

        // startContainer: start fails with the hook's error; the process never runs
        Path b = Bundles.busybox(tmp.resolve("b-start"), List.of("sh", "-c", "echo ran > /tmp/ran"));
        Bundles.edit(b, "\"path\": \"rootfs\", \"readonly\": true", "\"path\": \"rootfs\", \"readonly\": false");
        Bundles.edit(b, "\"linux\": {", hooks("startContainer", "exec sleep 30", 1));
        assertThat(Bundles.berth(root, "create", "--bundle", b.toString(), P + "t-start").code()).isZero();
        Result start = Bundles.berth(root, "start", P + "t-start");
        assertThat(start.code()).isEqualTo(1);
        assertThat(start.err()).contains("start " + P + "t-start: startContainer hook #0 /bin/sh: ran past its timeout of 1 s");
        Thread.sleep(100);
        assertThat(Files.exists(b.resolve("rootfs/tmp/ran"))).isFalse();
        Result state = Bundles.berth(root, "state", P + "t-start");
        assertThat(state.out()).contains("\"status\": \"stopped\"");
        assertThat(Bundles.berth(root, "delete", P + "t-start").code()).isZero();
    }

    @Test
    void aFailingContainerHookNamesItselfAndItsOutput() throws Exception {
        Path root = tmp.resolve("root");
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        Bundles.edit(b, "\"linux\": {", hooks("createContainer", "echo no GPU here >&2; exit 3", 0));
        Result r = Bundles.berth(root, "run", "--bundle", b.toString(), P + "f1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("createContainer hook #0 /bin/sh: exited with status 3; output: no GPU here");

        Path b2 = Bundles.busybox(tmp.resolve("b2"), List.of("true"));
        Bundles.edit(b2, "\"linux\": {", hooks("startContainer", "exit 4", 0));
        Result s = Bundles.berth(root, "run", "--bundle", b2.toString(), P + "f2");
        assertThat(s.code()).isEqualTo(1);
        assertThat(s.err()).contains("startContainer hook #0 /bin/sh: exited with status 4");
        assertThat(Bundles.berth(root, "list", "-q").out()).isEmpty();
    }
}
