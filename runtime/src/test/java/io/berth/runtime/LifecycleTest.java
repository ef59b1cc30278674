package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import io.berth.spec.json.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runtime.md lifecycle through the berth-runtime command on busybox bundles: create leaves the container
 * created, start runs it, kill signals it, delete removes it; operations in the wrong state fail. Needs
 * root and busybox-static (fails, never skips, without them).
 */
class LifecycleTest {
    /** Container ids carry the JVM's pid: the default cgroup /berth/<id> is host-wide, shared with other runs. */
    private static final String P = ProcessHandle.current().pid() + "-";

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        Bundles.requireRootAndBusybox();
    }

    private Path root() {
        return tmp.resolve("root");
    }

    private String status(String id) throws Exception {
        Result r = Bundles.berth(root(), "state", id);
        assertThat(r.code()).as(r.err()).isZero();
        return JsonCodec.parseObject(r.out().getBytes(), "state").string("status");
    }

    @Test
    void runPrintsOutputAndReturnsTheExitCode() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "echo hello from $(hostname); exit 7"));
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "c1");
        assertThat(r.out()).isEqualTo("hello from berth\n");
        assertThat(r.code()).as(r.err()).isEqualTo(7);
        assertThat(Bundles.berth(root(), "state", P + "c1").code()).as("run deletes the container").isEqualTo(1);
    }

    @Test
    void createStartKillDelete() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "100"));
        Path pidFile = tmp.resolve("pid");
        Result c = Bundles.berth(root(), "create", "--bundle", b.toString(), "--pid-file", pidFile.toString(), P + "c2");
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(status(P + "c2")).isEqualTo("created");
        long pid = Long.parseLong(Files.readString(pidFile));
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline"))).doesNotContain("sleep");

        Result dup = Bundles.berth(root(), "create", "--bundle", b.toString(), P + "c2");
        assertThat(dup.code()).isEqualTo(1);
        assertThat(dup.err()).contains("already exists");
        assertThat(Bundles.berth(root(), "delete", P + "c2").err()).contains("not stopped");

        assertThat(Bundles.berth(root(), "start", P + "c2").code()).isZero();
        assertThat(status(P + "c2")).isEqualTo("running");
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline"))).startsWith("sleep");
        Result again = Bundles.berth(root(), "start", P + "c2");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("running, not created");

        Result list = Bundles.berth(root(), "list", "--format", "json");
        assertThat(list.out()).contains("\"id\":\"" + P + "c2\"").contains("\"status\":\"running\"");

        assertThat(Bundles.berth(root(), "kill", P + "c2", "SIGKILL").code()).isZero();
        for (int i = 0; i < 500 && !status(P + "c2").equals("stopped"); i++) {
            Thread.sleep(10);
        }
        assertThat(status(P + "c2")).isEqualTo("stopped");
        assertThat(Bundles.berth(root(), "kill", P + "c2", "TERM").err()).contains("stopped");
        assertThat(Bundles.berth(root(), "delete", P + "c2").code()).isZero();
        assertThat(Bundles.berth(root(), "state", P + "c2").err()).contains("does not exist");
    }

    @Test
    void deleteForceKillsACreatedContainer() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        assertThat(Bundles.berth(root(), "create", "--bundle", b.toString(), P + "c3").code()).isZero();
        assertThat(Bundles.berth(root(), "delete", "--force", P + "c3").code()).isZero();
        assertThat(Files.exists(root().resolve(P + "c3"))).isFalse();
        assertThat(Files.exists(Path.of("/sys/fs/cgroup/memory/berth/" + P + "c3"))).isFalse();
    }

    @Test
    void initErrorsNameTheStepAndPath() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("/no/such/binary"));
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "c4");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("exec /no/such/binary").contains("No such file or directory");
        assertThat(Files.exists(root().resolve(P + "c4"))).as("a failed create leaves nothing").isFalse();
    }

    @Test
    void unsupportedOomScoreAdjIsReportedClearly() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        Bundles.edit(b, "\"noNewPrivileges\": true", "\"noNewPrivileges\": true, \"oomScoreAdj\": -500");
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "c5");
        if (r.code() != 0) {
            assertThat(r.err()).contains("oomScoreAdj").contains("CAP_SYS_RESOURCE");
        }
    }

    /**
     * A hard rlimit above the runtime's own without CAP_SYS_RESOURCE (podman's default RLIMIT_NOFILE of
     * 1048576 on this machine, whose bounding set lacks it): berth-runtime says which limit and why, runc
     * only "operation not permitted". Both run with the capability dropped and a hard limit of 4096.
     */
    @Test
    void aHardLimitAboveOursWithoutCapSysResourceIsExplained() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        Bundles.edit(b, "\"hard\": 1024", "\"hard\": 8192");
        String limited = "ulimit -Sn 4096; ulimit -Hn 4096; exec setpriv --bounding-set -sys_resource ";
        Result r = Bundles.exec(List.of("sh", "-c", limited + Bundles.shell(Bundles.berthCommand(root(), "run",
                "--bundle", b.toString(), P + "rl1"))));
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("RLIMIT_NOFILE hard limit 8192 is above berth-runtime's own (4096)")
                .contains("CAP_SYS_RESOURCE");
        Result runc = Bundles.exec(List.of("sh", "-c", limited + "runc --root " + tmp.resolve("runc-root")
                + " run --bundle " + b + " rl1"));
        assertThat(runc.code()).isNotZero();
        assertThat(runc.err()).as("runc fails too, less clearly").contains("operation not permitted");
        assertThat(Bundles.berth(root(), "state", P + "rl1").code()).isNotZero();
        Bundles.edit(b, "\"hard\": 8192", "\"hard\": 4096");
        Result fits = Bundles.exec(List.of("sh", "-c", limited + Bundles.shell(Bundles.berthCommand(root(), "run",
                "--bundle", b.toString(), P + "rl2"))));
        assertThat(fits.code()).as(fits.err()).isZero();
    }

    @Test
    void memoryAndPidsLimitsAreApplied() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c",
                "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max"));
        Bundles.edit(b, "\"resources\": {", "\"resources\": {\"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 42},");
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "c6");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("67108864\n42\n");
    }

    /**
     * config-linux.md "Block IO" (v1 blkio here) and "Memory" disableOOMKiller; kernel memory is deprecated and
     * ignored with a warning, as runc does (runtime-tools' linux_cgroups_memory expects the rest applied).
     */
    @Test
    void blockIoThrottlesOomKillerAndIgnoredKernelMemory() throws Exception {
        String dev = Files.readString(Path.of("/sys/block/vda/dev")).trim(); // "major:minor"
        String[] mm = dev.split(":");
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c",
                "cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device; "
                        + "grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control"));
        Bundles.edit(b, "\"resources\": {", "\"resources\": {\"blockIO\": {"
                + "\"throttleReadBpsDevice\": [{\"major\": " + mm[0] + ", \"minor\": " + mm[1] + ", \"rate\": 1048576}], "
                + "\"throttleWriteIOPSDevice\": [{\"major\": " + mm[0] + ", \"minor\": " + mm[1] + ", \"rate\": 300}]}, "
                + "\"memory\": {\"limit\": 67108864, \"kernel\": 50593792, \"kernelTCP\": 50593792, "
                + "\"disableOOMKiller\": true},");
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "bio1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(dev + " 1048576\n" + dev + " 300\noom_kill_disable 1\n");
        assertThat(r.err()).contains("warning: linux.resources.memory.kernel and kernelTCP are deprecated and ignored");

        // A weight needs blkio.weight (CFQ) or blkio.bfq.weight (BFQ): set when the host has it, else refused by name.
        // (Both files exist only below the hierarchy's root, when the kernel has that scheduler.)
        Path w = Bundles.busybox(tmp.resolve("w"), List.of("sh", "-c",
                "cat /sys/fs/cgroup/blkio/blkio.weight 2>/dev/null || cat /sys/fs/cgroup/blkio/blkio.bfq.weight"));
        Bundles.edit(w, "\"resources\": {", "\"resources\": {\"blockIO\": {\"weight\": 300},");
        Result rw = Bundles.berth(root(), "run", "--bundle", w.toString(), P + "bio2");
        boolean hasWeight = false;
        try (var blocks = Files.list(Path.of("/sys/block"))) {
            for (Path q : blocks.map(d -> d.resolve("queue/scheduler")).filter(Files::exists).toList()) {
                String sched = Files.readString(q);
                hasWeight |= sched.contains("bfq") || sched.contains("cfq");
            }
        }
        if (hasWeight) {
            assertThat(rw.code()).as(rw.err()).isZero();
            assertThat(rw.out()).contains("300");
        } else {
            assertThat(rw.code()).isNotZero();
            assertThat(rw.err()).contains("linux.resources.blockIO.weight:").contains("has no blkio.weight or blkio.bfq.weight");
            assertThat(Bundles.berth(root(), "state", P + "bio2").code()).as("nothing left behind").isNotZero();
        }

        // Bad input names the field.
        Path bad = Bundles.busybox(tmp.resolve("bad"), List.of("true"));
        Bundles.edit(bad, "\"resources\": {", "\"resources\": {\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"rate\": 5}]},");
        Result rb = Bundles.berth(root(), "run", "--bundle", bad.toString(), P + "bio3");
        assertThat(rb.err()).contains("linux.resources.blockIO.throttleReadBpsDevice: an entry has no minor");
    }

    /**
     * config-linux.md "rootfsPropagation": "shared" used to fail pivot_root (EINVAL: the rootfs's parent mount was
     * shared); now the parent is made private first and "/" is shared after the pivot, as runc does, and none of
     * the container's mounts reach the host.
     */
    @Test
    void sharedRootfsPropagation() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("cat", "/proc/self/mountinfo"));
        Bundles.edit(b, "\"namespaces\"", "\"rootfsPropagation\": \"shared\", \"namespaces\"");
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "sh1");
        assertThat(r.code()).as(r.err()).isZero();
        String root = r.out().lines().filter(l -> l.split(" ")[4].equals("/")).reduce((a, c) -> c).orElseThrow();
        assertThat(root).contains("shared:");
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(tmp.toString());
    }

    /** config-linux.md "Network": applied when the host has net_cls, else refused by name (runc refuses too). */
    @Test
    void networkClassIdNeedsNetCls() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("cat", "/sys/fs/cgroup/net_cls/net_cls.classid"));
        Bundles.edit(b, "\"resources\": {", "\"resources\": {\"network\": {\"classID\": 1048577},");
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "net1");
        boolean hasNetCls = Files.readString(Path.of("/proc/self/mountinfo")).lines()
                .anyMatch(l -> l.contains(" - cgroup ") && l.contains("net_cls"));
        if (hasNetCls) {
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out().trim()).isEqualTo("1048577");
        } else {
            assertThat(r.code()).isNotZero();
            assertThat(r.err()).contains("linux.resources.network.classID: this host has no net_cls cgroup v1 hierarchy");
            assertThat(Bundles.berth(root(), "state", P + "net1").code()).as("nothing left behind").isNotZero();
        }
    }

    /**
     * config-linux.md "Namespaces": without a mount entry the container "MUST inherit the runtime namespace".
     * Run inside a private mount namespace of the test's own (so the host's mount table is never touched):
     * the container sees the same mount namespace, and its /proc, /dev, ... are gone once it is deleted.
     */
    @Test
    void withoutAMountNamespaceTheRuntimesIsInheritedAndCleanedUp() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "readlink /proc/self/ns/mnt; ls /proc/self/fd >/dev/null"));
        Bundles.edit(b, ", {\"type\": \"mount\"}", "");
        assertThat(Files.readString(b.resolve("config.json"))).doesNotContain("\"mount\"");
        String rootfs = b.resolve("rootfs").toString();
        String script = "readlink /proc/self/ns/mnt; " + Bundles.shell(Bundles.berthCommand(root(), "create", "--bundle",
                b.toString(), P + "nm1")) + " && grep -c ' " + rootfs + "' /proc/self/mountinfo; "
                + Bundles.shell(Bundles.berthCommand(root(), "start", P + "nm1")) + "; sleep 0.3; "
                + Bundles.shell(Bundles.berthCommand(root(), "delete", P + "nm1")) + "; echo after $(grep -c ' "
                + rootfs + "' /proc/self/mountinfo)";
        Result r = Bundles.exec(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", script));
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).as("the container's mount namespace is the runtime's").isEqualTo(lines.get(0));
        assertThat(Integer.parseInt(lines.get(1))).as("its mounts, made in the runtime's namespace").isGreaterThan(3);
        assertThat(lines.get(3)).isEqualTo("after 0");
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(rootfs);
    }

    /** config-linux.md "Devices": a node config.json creates is also allowed in the device cgroup, as runc does. */
    @Test
    void createdDevicesAreAllowedUnderADenyAllRule() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "ls -l /dev/test1; echo x > /dev/test1 || true"));
        Bundles.edit(b, "\"resources\": {", "\"devices\": [{\"path\": \"/dev/test1\", \"type\": \"c\", "
                + "\"major\": 1, \"minor\": 3, \"fileMode\": 438, \"uid\": 0, \"gid\": 0}], \"resources\": {");
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "dev1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("crw-rw-rw-\\s+1 0\\s+0\\s+1,\\s+3 .*/dev/test1");
        assertThat(r.err()).doesNotContain("Operation not permitted");
    }

    @Test
    void wrongStateAndMissingIdsFail() throws Exception {
        assertThat(Bundles.berth(root(), "start", "nope").err()).contains("does not exist");
        assertThat(Bundles.berth(root(), "state").err()).contains("container id is required");
        assertThat(Bundles.berth(root(), "kill", "nope", "FOO").err()).contains("invalid signal");
        assertThat(Bundles.berth(root(), "create", "--bundle", tmp.toString(), "../x").err()).contains("invalid container id");
    }

    /** config-linux.md "User namespace mappings": the maps are written by the host-side init stage. */
    @Test
    void userNamespaceWithMappings() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "id; cat /proc/self/uid_map"));
        Bundles.edit(b, "{\"type\": \"mount\"}", "{\"type\": \"mount\"}, {\"type\": \"user\"}");
        Bundles.edit(b, "\"namespaces\"", "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], "
                + "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], \"namespaces\"");
        assertThat(Bundles.exec(List.of("chown", "-R", "100000:100000", b.resolve("rootfs").toString())).code()).isZero();
        assertThat(Bundles.exec(List.of("chmod", "755", tmp.toString())).code()).isZero();
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "u1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("uid=0 gid=0").containsPattern("0\\s+100000\\s+65536");
    }

    /** config.md hooks: prestart/createRuntime before pivot_root with status creating, poststart, poststop. */
    @Test
    void hooksGetTheStateOnStdin() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        Path out = tmp.resolve("hooks");
        Files.createDirectories(out);
        StringBuilder hooks = new StringBuilder("\"hooks\": {");
        for (String phase : List.of("prestart", "createRuntime", "poststart", "poststop")) {
            hooks.append("\"").append(phase).append("\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat > ")
                    .append(out).append("/").append(phase).append("\"], \"timeout\": 5}],");
        }
        hooks.setLength(hooks.length() - 1);
        Bundles.edit(b, "\"linux\": {", hooks + "}, \"linux\": {");
        Result r = Bundles.berth(root(), "run", "--bundle", b.toString(), P + "h1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out.resolve("prestart"))).contains("\"status\": \"creating\"").contains("\"pid\"");
        assertThat(Files.readString(out.resolve("createRuntime"))).contains("\"id\": \"" + P + "h1\"");
        assertThat(Files.readString(out.resolve("poststart"))).contains("\"status\": \"running\"");
        assertThat(Files.readString(out.resolve("poststop"))).contains("\"status\": \"stopped\"");
    }

    @Test
    void aFailingPrestartHookFailsCreate() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("true"));
        Bundles.edit(b, "\"linux\": {", "\"hooks\": {\"prestart\": [{\"path\": \"/bin/false\"}]}, \"linux\": {");
        Result r = Bundles.berth(root(), "create", "--bundle", b.toString(), P + "h2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("prestart hook #0 /bin/false: exited with status 1");
        assertThat(Files.exists(root().resolve(P + "h2"))).isFalse();
    }

    /** runc's exec: joins the container's namespaces and cgroups; exit code, env, cwd and user apply. */
    @Test
    void execInARunningContainer() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sleep", "60"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "x1").code()).isZero();
        try {
            Result r = Bundles.berth(root(), "exec", "--env", "FOO=bar", "--cwd", "/bin", P + "x1", "sh", "-c",
                    "echo $FOO; pwd; hostname; cat /proc/1/cmdline; echo; exit 5");
            assertThat(r.out()).as(r.err()).startsWith("bar\n/bin\nberth\nsleep\u000060");
            assertThat(r.code()).isEqualTo(5);
            assertThat(Bundles.berth(root(), "exec", "--user", "1000:1000", P + "x1", "id").out())
                    .isEqualTo("uid=1000 gid=1000\n");
        } finally {
            Bundles.berth(root(), "delete", "--force", P + "x1");
        }
    }

    @Test
    void killAllSignalsEveryProcessOfTheContainer() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "trap '' TERM; sleep 60 & sleep 60"));
        assertThat(Bundles.berth(root(), "run", "--detach", "--bundle", b.toString(), P + "k1").code()).isZero();
        assertThat(Bundles.berth(root(), "kill", "--all", P + "k1", "9").code()).isZero();
        for (int i = 0; i < 500 && !status(P + "k1").equals("stopped"); i++) {
            Thread.sleep(10);
        }
        assertThat(status(P + "k1")).isEqualTo("stopped");
        assertThat(Bundles.berth(root(), "delete", P + "k1").code()).isZero();
    }

    /** runc's --preserve-fds N: the caller's fds 3..3+N-1 reach the container (reopened through /proc). */
    @Test
    void preserveFds() throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b"), List.of("sh", "-c", "echo to-fd3 >&3; cat <&4"));
        Path out3 = tmp.resolve("out3");
        Path in4 = tmp.resolve("in4");
        Files.writeString(in4, "from-fd4\n");
        Result r = Bundles.berthWithFds(root(), "3>" + out3 + " 4<" + in4, "run", "--preserve-fds", "2", "--bundle",
                b.toString(), "pf");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("from-fd4\n");
        assertThat(Files.readString(out3)).isEqualTo("to-fd3\n");
    }
}
