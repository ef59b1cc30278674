package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runc's pause/resume, ps, events and update through the berth-runtime command, checked against the host's
 * view (/proc, the cgroup files) and against runc 1.1.5 on the same bundle. Needs root, busybox-static and
 * runc (fails, never skips, without them).
 */
class RuncCommandsTest {
    @TempDir
    Path tmp;

    /**
     * Container ids (and so cgroup paths, /berth/ID for berth-runtime, /ID for runc) are shared by every
     * test run on this host: prefixed with this JVM's pid so that parallel runs never meet in one cgroup.
     */
    private static final String P = "lc" + ProcessHandle.current().pid() + "-";

    @BeforeAll
    static void requirements() {
        Bundles.requireRootAndBusybox();
    }

    private Path root() {
        return tmp.resolve("root");
    }

    private Path runcRoot() {
        return tmp.resolve("runc-root");
    }

    private static String status(Result state) {
        assertThat(state.code()).as(state.err()).isZero();
        return JsonCodec.parseObject(state.out().getBytes(StandardCharsets.UTF_8), "state").string("status");
    }

    private String status(String id) throws Exception {
        return status(Bundles.berth(root(), "state", id));
    }

    private long pid(Result state) {
        return JsonCodec.parseObject(state.out().getBytes(StandardCharsets.UTF_8), "state").optLong("pid").orElseThrow();
    }

    private void waitStopped(String id) throws Exception {
        for (int i = 0; i < 500 && !status(id).equals("stopped"); i++) {
            Thread.sleep(10);
        }
        assertThat(status(id)).isEqualTo("stopped");
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    private static long cpuTicks(long pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    private static String procState(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("State:"))
                .findFirst().orElseThrow();
    }

    /** A busy loop is frozen by pause (its CPU time stops, the kernel shows it in D), runs again after resume. */
    @Test
    void pauseFreezesTheContainerAndResumeThawsIt() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "while :; do :; done"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "p1").code()).isZero();
        try {
            long pid = pid(Bundles.berth(root(), "state", P + "p1"));
            Result pause = Bundles.berth(root(), "pause", P + "p1");
            assertThat(pause.code()).as(pause.err()).isZero();
            assertThat(status(P + "p1")).isEqualTo("paused");
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/freezer/berth/" + P + "p1/freezer.state")).trim())
                    .isEqualTo("FROZEN");
            assertThat(procState(pid)).contains("D");
            long t0 = cpuTicks(pid);
            Thread.sleep(300);
            assertThat(cpuTicks(pid)).as("no CPU time while frozen").isEqualTo(t0);
            Result refused = Bundles.berth(root(), "exec", P + "p1", "true");
            assertThat(refused.code()).isNotZero();
            assertThat(refused.err()).contains("paused", "--ignore-paused");
            assertThat(Bundles.berth(root(), "pause", P + "p1").err()).contains("it is paused");
            // --ignore-paused: the exec joins the frozen cgroup, so its process runs only once resumed
            Process late = new ProcessBuilder(Bundles.berthCommand(root(), "exec", "--ignore-paused", P + "p1",
                    "echo", "after-resume")).redirectErrorStream(true).start();
            Thread.sleep(700);
            assertThat(late.isAlive()).as("the exec waits, frozen").isTrue();

            Result resume = Bundles.berth(root(), "resume", P + "p1");
            assertThat(resume.code()).as(resume.err()).isZero();
            assertThat(late.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(new String(late.getInputStream().readAllBytes())).contains("after-resume");
            assertThat(late.exitValue()).isZero();
            assertThat(status(P + "p1")).isEqualTo("running");
            long t1 = cpuTicks(pid);
            Thread.sleep(500);
            assertThat(cpuTicks(pid)).as("CPU time advances again").isGreaterThan(t1);
            assertThat(Bundles.berth(root(), "resume", P + "p1").err()).contains("running, not paused");
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "p1");
        }
    }

    /**
     * The cgroup2 way (cgroup.freeze, completion in cgroup.events), exercised on this hybrid host through a
     * view of its unified hierarchy only; the same for the cgroup2 reading of the cpu statistics.
     */
    @Test
    void cgroup2FreezerAndStats() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "while :; do :; done"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "p5").code()).isZero();
        try {
            long pid = pid(Bundles.berth(root(), "state", P + "p5"));
            Cgroups v2 = new Cgroups(Cgroups.detect().hierarchies().stream().filter(Cgroups.Hierarchy::v2).toList());
            assertThat(v2.hierarchies()).as("a cgroup2 hierarchy is mounted").isNotEmpty();
            Freezer f = Freezer.of(v2, "/berth/" + P + "p5").orElseThrow();
            assertThat(f.dir().resolve("cgroup.freeze")).exists();
            f.freeze();
            assertThat(Files.readString(f.dir().resolve("cgroup.events"))).contains("frozen 1");
            assertThat(f.frozen()).isTrue();
            long t0 = cpuTicks(pid);
            Thread.sleep(300);
            assertThat(cpuTicks(pid)).isEqualTo(t0);
            f.thaw();
            assertThat(f.frozen()).isFalse();
            long t1 = cpuTicks(pid);
            Thread.sleep(500);
            assertThat(cpuTicks(pid)).isGreaterThan(t1);
            Json.Obj stats = Events.stats(v2, "/berth/" + P + "p5");
            assertThat(number(obj(stats, "cpu", "usage"), "total")).isPositive();
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "p5");
        }
    }

    /**
     * A container whose processes are not in the freezer hierarchy (here: moved out to its root) is made to
     * join it by pause, so it is frozen all the same.
     */
    @Test
    void pauseJoinsTheFreezerHierarchyFirst() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "while :; do :; done"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "p6").code()).isZero();
        try {
            long pid = pid(Bundles.berth(root(), "state", P + "p6"));
            Path cg = Path.of("/sys/fs/cgroup/freezer/berth/" + P + "p6");
            Files.writeString(Path.of("/sys/fs/cgroup/freezer/cgroup.procs"), Long.toString(pid));
            assertThat(Files.readString(cg.resolve("cgroup.procs"))).isEmpty();
            Result pause = Bundles.berth(root(), "pause", P + "p6");
            assertThat(pause.code()).as(pause.err()).isZero();
            assertThat(Files.readString(cg.resolve("cgroup.procs")).trim()).isEqualTo(Long.toString(pid));
            assertThat(status(P + "p6")).isEqualTo("paused");
            long t0 = cpuTicks(pid);
            Thread.sleep(300);
            assertThat(cpuTicks(pid)).isEqualTo(t0);
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "p6");
        }
    }

    /**
     * A paused container's frozen cgroup is not joined by a new container with the same cgroupsPath: create
     * fails as runc's does ("container's cgroup unexpectedly frozen") instead of hanging frozen, and leaves
     * the paused one alone; once resumed, a second container may share it (with runc's warning).
     */
    @Test
    void createRefusesAFrozenCgroupLikeRunc() throws Exception {
        String shared = "/" + P + "shared";
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        Bundles.edit(b, "\"namespaces\"", "\"cgroupsPath\": \"" + shared + "\", \"namespaces\"");
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "f1").code()).isZero();
        try {
            assertThat(Bundles.berth(root(), "pause", P + "f1").code()).isZero();
            Result second = Bundles.berth(root(), "create", "--bundle", b.toString(), P + "f2");
            assertThat(second.code()).isEqualTo(1);
            assertThat(second.err()).contains("container's cgroup unexpectedly frozen")
                    .contains("/sys/fs/cgroup/freezer" + shared);
            assertThat(Files.exists(root().resolve(P + "f2"))).isFalse();
            Result runc = Bundles.runc(runcRoot(), "create", "--bundle", b.toString(), P + "rf2");
            assertThat(runc.code()).isEqualTo(1);
            assertThat(runc.err()).contains("container's cgroup unexpectedly frozen");
            assertThat(status(P + "f1")).isEqualTo("paused");

            assertThat(Bundles.berth(root(), "resume", P + "f1").code()).isZero();
            Result shares = Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "f2");
            assertThat(shares.code()).as(shares.err()).isZero();
            assertThat(shares.err()).contains("container's cgroup " + shared + " is not empty: 1 process(es) found");
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "f2");
            Bundles.berth(root(), "delete", "--force", P + "f1");
            Bundles.runc(runcRoot(), "delete", "--force", P + "rf2");
        }
    }

    /** runc reports "paused" for the same sequence on the same bundle, and "running" after resume. */
    @Test
    void pausedStatusAsRuncReportsIt() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        List<String> runc = new ArrayList<>();
        List<String> berth = new ArrayList<>();
        assertThat(Bundles.runc(runcRoot(), "run", "--detach", "--bundle", b.toString(), P + "rp1").code()).isZero();
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "bp1").code()).isZero();
        try {
            for (String step : List.of("pause", "resume")) {
                assertThat(Bundles.runc(runcRoot(), step, P + "rp1").code()).isZero();
                assertThat(Bundles.berth(root(), step, P + "bp1").code()).isZero();
                runc.add(status(Bundles.runc(runcRoot(), "state", P + "rp1")));
                berth.add(status(Bundles.berth(root(), "state", P + "bp1")));
            }
            assertThat(berth).isEqualTo(runc).containsExactly("paused", "running");
        } finally {
            Bundles.runc(runcRoot(), "delete", "--force", P + "rp1");
            Bundles.berth(root(), "delete", "--force", P + "bp1");
        }
    }

    @Test
    void pauseOfAStoppedContainerFailsClearly() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "p2").code()).isZero();
        waitStopped(P + "p2");
        Result r = Bundles.berth(root(), "pause", P + "p2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot pause container \"" + P + "p2\": it is stopped");
        assertThat(Bundles.berth(root(), "resume", P + "p2").err()).contains("stopped, not paused");
        assertThat(Bundles.berth(root(), "pause", P + "nope").err()).contains("does not exist");
        assertThat(Bundles.berth(root(), "delete", P + "p2").code()).isZero();
    }

    /** As runc: SIGKILL reaches a paused container (it is thawed for it); delete --force works too. */
    @Test
    void killAndForcedDeleteOfAPausedContainer() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "sleep 100 & sleep 100"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "p3").code()).isZero();
        assertThat(Bundles.berth(root(), "pause", P + "p3").code()).isZero();
        assertThat(Bundles.berth(root(), "kill", P + "p3", "TERM").code()).isZero();
        Thread.sleep(200);
        assertThat(status(P + "p3")).as("TERM stays pending while frozen").isEqualTo("paused");
        assertThat(Bundles.berth(root(), "kill", P + "p3", "KILL").code()).isZero();
        waitStopped(P + "p3");
        assertThat(Bundles.berth(root(), "delete", P + "p3").code()).isZero();

        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "p4").code()).isZero();
        assertThat(Bundles.berth(root(), "pause", P + "p4").code()).isZero();
        Result d = Bundles.berth(root(), "delete", "--force", P + "p4");
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(Files.exists(Path.of("/sys/fs/cgroup/freezer/berth/" + P + "p4"))).isFalse();
    }

    /** ps: the container's processes, not the containers (that is list); json is runc's array of pids. */
    @Test
    void psListsTheContainersProcessesLikeRunc() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "sleep 100 & sleep 100"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "ps1").code()).isZero();
        assertThat(Bundles.runc(runcRoot(), "run", "--detach", "--bundle", b.toString(), P + "rps1").code()).isZero();
        try {
            // let sh fork its background sleep, in both containers
            awaitTwoProcesses(pid(Bundles.berth(root(), "state", P + "ps1")));
            awaitTwoProcesses(pid(Bundles.runc(runcRoot(), "state", P + "rps1")));
            Result json = Bundles.berth(root(), "ps", "--format", "json", P + "ps1");
            assertThat(json.code()).as(json.err()).isZero();
            assertThat(json.out()).matches("\\[\\d+,\\d+\\]\n");
            List<Long> pids = new ArrayList<>();
            for (Json j : ((Json.Arr) JsonCodec.parse(json.out().getBytes(), "ps")).items()) {
                pids.add(((Json.Num) j).value().longValueExact());
            }
            for (long p : pids) {
                assertThat(Files.readString(Path.of("/proc/" + p + "/cmdline"))).startsWith("sleep\u0000100");
            }
            Result runcJson = Bundles.runc(runcRoot(), "ps", "--format", "json", P + "rps1");
            assertThat(runcJson.out()).matches("\\[\\d+,\\d+\\]\n");

            Result table = Bundles.berth(root(), "ps", P + "ps1");
            Result runcTable = Bundles.runc(runcRoot(), "ps", P + "rps1");
            assertThat(table.code()).as(table.err()).isZero();
            List<String> lines = table.out().lines().toList();
            List<String> runcLines = runcTable.out().lines().toList();
            assertThat(lines.getFirst()).isEqualTo(runcLines.getFirst()).contains("PID").contains("CMD");
            assertThat(lines).hasSize(3).hasSameSizeAs(runcLines);
            for (long p : pids) {
                assertThat(table.out()).containsPattern("(?m)^\\S+\\s+" + p + "\\s.*sleep 100$");
            }

            Result custom = Bundles.berth(root(), "ps", P + "ps1", "-o", "pid,comm");
            assertThat(custom.out().lines().toList()).hasSize(3).first().asString().contains("PID");
            assertThat(custom.out()).contains(pids.getFirst() + " sleep");
            Result noPid = Bundles.berth(root(), "ps", P + "ps1", "-o", "comm");
            assertThat(noPid.code()).isEqualTo(1);
            assertThat(noPid.err()).contains("couldn't find PID field");

            Result list = Bundles.berth(root(), "list");
            assertThat(list.out()).startsWith("ID").contains(P + "ps1").doesNotContain("sleep");
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "ps1");
            Bundles.runc(runcRoot(), "delete", "--force", P + "rps1");
        }
    }

    private static Json.Obj obj(Json j, String... path) {
        Json cur = j;
        for (String p : path) {
            cur = ((Json.Obj) cur).get(p).orElseThrow(() -> new AssertionError("no member " + p));
        }
        return (Json.Obj) cur;
    }

    private static long number(Json.Obj o, String name) {
        return ((Json.Num) o.get(name).orElseThrow(() -> new AssertionError("no member " + name))).value().longValue();
    }

    /** events --stats: runc's event JSON; usage > 0, pids.current = the processes ps sees; runc's members. */
    @Test
    void eventsStatsLikeRunc() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "sleep 100 & sleep 100"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "ev1").code()).isZero();
        assertThat(Bundles.runc(runcRoot(), "run", "--detach", "--bundle", b.toString(), P + "rev1").code()).isZero();
        try {
            awaitTwoProcesses(pid(Bundles.berth(root(), "state", P + "ev1")));
            awaitTwoProcesses(pid(Bundles.runc(runcRoot(), "state", P + "rev1")));
            Result r = Bundles.berth(root(), "events", "--stats", P + "ev1");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("{\"type\":\"stats\",\"id\":\"" + P + "ev1\",\"data\":{\"cpu\":").endsWith("}\n");
            Json.Obj e = (Json.Obj) JsonCodec.parse(r.out().getBytes(), "event");
            assertThat(number(obj(e, "data", "memory", "usage"), "usage")).isPositive();
            assertThat(number(obj(e, "data", "memory", "usage"), "limit")).isEqualTo(Long.parseLong(
                    Files.readString(Path.of("/sys/fs/cgroup/memory/berth/" + P + "ev1/memory.limit_in_bytes")).trim()));
            Result ps = Bundles.berth(root(), "ps", "--format", "json", P + "ev1");
            assertThat(number(obj(e, "data", "pids"), "current")).as(ps.out())
                    .isEqualTo(((Json.Arr) JsonCodec.parse(ps.out().getBytes(), "ps")).items().size()).isEqualTo(2);
            assertThat(number(obj(e, "data", "cpu", "usage"), "total")).isPositive();

            Result rr = Bundles.runc(runcRoot(), "events", "--stats", P + "rev1");
            assertThat(rr.code()).as(rr.err()).isZero();
            Json.Obj re = (Json.Obj) JsonCodec.parse(rr.out().getBytes(), "runc event");
            assertThat(obj(e).members().keySet()).containsExactlyElementsOf(obj(re).members().keySet());
            assertThat(obj(e, "data").members().keySet()).containsExactlyElementsOf(obj(re, "data").members().keySet());
            for (String part : List.of("cpuset", "pids")) {
                assertThat(obj(e, "data", part).members().keySet()).as(part)
                        .containsExactlyElementsOf(obj(re, "data", part).members().keySet());
            }
            for (String part : List.of("usage", "swap", "kernel")) {
                assertThat(obj(e, "data", "memory", part).members().keySet()).as(part)
                        .containsExactlyElementsOf(obj(re, "data", "memory", part).members().keySet());
            }
            assertThat(new TreeSet<>(obj(e, "data", "memory", "raw").members().keySet()))
                    .isEqualTo(new TreeSet<>(obj(re, "data", "memory", "raw").members().keySet()));
            assertThat(r.out()).contains("\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}");
            assertThat(rr.out()).contains("\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}");
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "ev1");
            Bundles.runc(runcRoot(), "delete", "--force", P + "rev1");
        }
        Result stopped = Bundles.berth(root(), "events", "--stats", P + "ev1");
        assertThat(stopped.code()).isEqualTo(1);
        assertThat(stopped.err()).contains("does not exist");
    }

    /** A berth-runtime command left running in the background (events streams until the container goes). */
    private Process background(Path out, String... args) throws Exception {
        return new ProcessBuilder(Bundles.berthCommand(root(), args)).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /**
     * events without --stats: a stats event every --interval, an "oom" event when the kernel OOM-kills in the
     * container, and the stream ends by itself once the container is deleted.
     */
    @Test
    void eventsStreamsStatsAndOomUntilDelete() throws Exception {
        // tail keeps the whole newline-free stream in memory: far past the 16 MiB limit (swap included)
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c",
                "sleep 2; head -c 268435456 /dev/zero | tail >/dev/null; sleep 100"));
        Files.createSymbolicLink(b.resolve("rootfs/bin/tail"), Path.of("busybox"));
        Bundles.edit(b, "\"resources\": {", "\"resources\": {\"memory\": {\"limit\": 16777216, \"swap\": 16777216},");
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "ev2").code()).isZero();
        Path out = tmp.resolve("events.out");
        Process p = background(out, "events", "--interval", "300ms", P + "ev2");
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline && !Files.readString(out).contains("\"type\":\"oom\"")) {
                Thread.sleep(100);
            }
            String events = Files.readString(out);
            assertThat(events).contains("{\"type\":\"oom\",\"id\":\"" + P + "ev2\"}\n");
            long stats = events.lines().filter(l -> l.startsWith("{\"type\":\"stats\",\"id\":\"" + P + "ev2\",\"data\":")).count();
            assertThat(stats).as(events).isGreaterThanOrEqualTo(3);
            assertThat(p.isAlive()).isTrue();
            assertThat(Bundles.berth(root(), "delete", "--force", P + "ev2").code()).isZero();
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("events ends when the container is deleted").isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
            Bundles.berth(root(), "delete", "--force", P + "ev2");
        }
        assertThat(Bundles.berth(root(), "events", "--interval", "0s", P + "x").err()).contains("greater than 0");
    }

    /** Waits (up to 10 s on a loaded machine) until the pids cgroup of a container's process holds two. */
    private static void awaitTwoProcesses(long pid) throws Exception {
        String line = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
                .filter(l -> l.matches("\\d+:pids:.*")).findFirst().orElseThrow();
        Path procs = Path.of("/sys/fs/cgroup/pids" + line.substring(line.indexOf(":pids:") + ":pids:".length()),
                "cgroup.procs");
        for (int i = 0; i < 1000 && Files.readAllLines(procs).size() < 2; i++) {
            Thread.sleep(10);
        }
        assertThat(Files.readAllLines(procs)).hasSize(2);
    }

    /** The v1 memory cgroup directory of a process, from /proc/PID/cgroup (runc's is not under /berth). */
    private static Path memoryCgroup(long pid) throws Exception {
        String line = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
                .filter(l -> l.matches("\\d+:memory:.*")).findFirst().orElseThrow();
        return Path.of("/sys/fs/cgroup/memory" + line.substring(line.indexOf(":memory:") + ":memory:".length()));
    }

    /** update --memory: the v1 file reads it back, the container sees it, and runc's update gives the same. */
    @Test
    void updateMemoryLikeRunc() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "u1").code()).isZero();
        assertThat(Bundles.runc(runcRoot(), "run", "--detach", "--bundle", b.toString(), P + "ru1").code()).isZero();
        try {
            Result u = Bundles.berth(root(), "update", "--memory", "48m", "--memory-reservation", "32m", P + "u1");
            assertThat(u.code()).as(u.err()).isZero();
            assertThat(Bundles.runc(runcRoot(), "update", "--memory", "48m", "--memory-reservation", "32m", P + "ru1")
                    .code()).isZero();
            String ours = Files.readString(Path.of("/sys/fs/cgroup/memory/berth/" + P + "u1/memory.limit_in_bytes")).trim();
            String theirs = Files.readString(memoryCgroup(pid(Bundles.runc(runcRoot(), "state", P + "ru1")))
                    .resolve("memory.limit_in_bytes")).trim();
            assertThat(ours).isEqualTo(theirs).isEqualTo(Long.toString(48L << 20));
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory/berth/" + P + "u1/memory.soft_limit_in_bytes")).trim())
                    .isEqualTo(Long.toString(32L << 20));
            Result inside = Bundles.berth(root(), "exec", P + "u1", "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes");
            assertThat(inside.out()).as(inside.err()).isEqualTo((48L << 20) + "\n");

            // memory and swap together, from a LinuxResources file: swap first when the limit grows
            Path res = tmp.resolve("res.json");
            Files.writeString(res, "{\"memory\": {\"limit\": 134217728, \"swap\": 268435456}, \"pids\": {\"limit\": 50},"
                    + " \"cpu\": {\"shares\": 512, \"quota\": 20000, \"period\": 100000}}");
            Result ur = Bundles.berth(root(), "update", "-r", res.toString(), P + "u1");
            assertThat(ur.code()).as(ur.err()).isZero();
            Path m = Path.of("/sys/fs/cgroup/memory/berth/" + P + "u1");
            assertThat(Files.readString(m.resolve("memory.limit_in_bytes")).trim()).isEqualTo("134217728");
            assertThat(Files.readString(m.resolve("memory.memsw.limit_in_bytes")).trim()).isEqualTo("268435456");
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/berth/" + P + "u1/pids.max")).trim()).isEqualTo("50");
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/cpu/berth/" + P + "u1/cpu.shares")).trim()).isEqualTo("512");
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/cpu/berth/" + P + "u1/cpu.cfs_quota_us")).trim())
                    .isEqualTo("20000");

            // blockIO from the file (a throttle) and --blkio-weight (BFQ's weight file on this host), as runc updates them
            String dev = Files.readString(Path.of("/sys/block/vda/dev")).trim();
            Files.writeString(res, "{\"blockIO\": {\"throttleWriteBpsDevice\": [{\"major\": " + dev.split(":")[0]
                    + ", \"minor\": " + dev.split(":")[1] + ", \"rate\": 2097152}]}}");
            Result ub = Bundles.berth(root(), "update", "-r", res.toString(), P + "u1");
            assertThat(ub.code()).as(ub.err()).isZero();
            Path blkio = Path.of("/sys/fs/cgroup/blkio/berth/" + P + "u1");
            assertThat(Files.readString(blkio.resolve("blkio.throttle.write_bps_device")).trim()).isEqualTo(dev + " 2097152");
            if (Files.exists(blkio.resolve("blkio.bfq.weight")) || Files.exists(blkio.resolve("blkio.weight"))) {
                Result uw = Bundles.berth(root(), "update", "--blkio-weight", "200", P + "u1");
                assertThat(uw.code()).as(uw.err()).isZero();
                Path wf = Files.exists(blkio.resolve("blkio.weight")) ? blkio.resolve("blkio.weight")
                        : blkio.resolve("blkio.bfq.weight");
                assertThat(Files.readString(wf)).contains("200");
            }

            // "-r -": the resources on stdin
            Files.writeString(res, "{\"memory\": {\"reservation\": 16777216}}");
            Result stdin = Bundles.berthWithFds(root(), "< '" + res + "'", "update", "-r", "-", P + "u1");
            assertThat(stdin.code()).as(stdin.err()).isZero();
            assertThat(Files.readString(m.resolve("memory.soft_limit_in_bytes")).trim()).isEqualTo("16777216");
            assertThat(Files.readString(m.resolve("memory.limit_in_bytes")).trim()).as("left alone")
                    .isEqualTo("134217728");

            assertThat(Bundles.berth(root(), "update", "--memory", "lots", P + "u1").err()).contains("invalid value for memory");
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "u1");
            Bundles.runc(runcRoot(), "delete", "--force", P + "ru1");
        }
    }

    /** update --pids-limit is enforced: forks beyond it fail, and succeed again once it is raised. */
    @Test
    void updatePidsLimitIsEnforced() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "u2").code()).isZero();
        try {
            String forks = "for i in 1 2 3 4 5 6; do sleep 1 & done; wait; echo forked";
            Result before = Bundles.berth(root(), "exec", P + "u2", "sh", "-c", forks);
            assertThat(before.out()).as(before.err()).isEqualTo("forked\n");

            assertThat(Bundles.berth(root(), "update", "--pids-limit", "4", P + "u2").code()).isZero();
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/berth/" + P + "u2/pids.max")).trim()).isEqualTo("4");
            Result limited = Bundles.berth(root(), "exec", P + "u2", "sh", "-c", forks);
            assertThat(limited.err()).contains("can't fork");

            assertThat(Bundles.berth(root(), "update", "--pids-limit", "-1", P + "u2").code()).isZero();
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/berth/" + P + "u2/pids.max")).trim()).isEqualTo("max");
            assertThat(Bundles.berth(root(), "exec", P + "u2", "sh", "-c", forks).out()).isEqualTo("forked\n");
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "u2");
        }
        Result gone = Bundles.berth(root(), "update", "--pids-limit", "4", P + "u2");
        assertThat(gone.err()).contains("does not exist");
    }
}
