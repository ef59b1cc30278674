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
 * MUSTs of the runtime-spec's config-linux.md, each quoted above its test, through berth-runtime on
 * busybox bundles. Needs root and busybox-static (fails, never skips, without them).
 */
class ConfigLinuxMustTest {
    /** Container ids carry the JVM's pid: the default cgroup /berth/<id> is host-wide, shared with other runs. */
    private static final String P = ProcessHandle.current().pid() + "-";

    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        Bundles.requireRootAndBusybox();
    }

    private Result rt(String... args) throws Exception {
        return Bundles.berth(tmp.resolve("root"), args);
    }

    private Result run(Path bundle, String id) throws Exception {
        return rt("run", "--bundle", bundle.toString(), id);
    }

    private Path bundle(String name, String script) throws Exception {
        return Bundles.busybox(tmp.resolve(name), List.of("sh", "-c", script));
    }

    private static void ok(Result r) {
        assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    }

    private long pidOf(String id) throws Exception {
        Result st = rt("state", id);
        ok(st);
        return JsonCodec.parseObject(st.out().getBytes(), "state").optLong("pid").orElseThrow();
    }

    // "The runtime MUST place the container process in the namespace associated with that path."
    // "If path is not specified, the runtime MUST create a new container namespace of type type."
    @Test
    void aNamespacePathIsJoinedAndAMissingPathMakesANewOne() throws Exception {
        Path a = bundle("a", "sleep 100");
        Bundles.edit(a, "\"hostname\": \"berth\"", "\"hostname\": \"alpha\"");
        ok(rt("create", "--bundle", a.toString(), P + "ns-a"));
        try {
            long pid = pidOf(P + "ns-a");
            Path b = bundle("b", "hostname; readlink /proc/self/ns/uts; readlink /proc/self/ns/ipc");
            Bundles.edit(b, "{\"type\": \"uts\"}", "{\"type\": \"uts\", \"path\": \"/proc/" + pid + "/ns/uts\"}");
            Bundles.edit(b, "\"hostname\": \"berth\",", "");
            Result r = run(b, P + "ns-b");
            ok(r);
            String[] lines = r.out().split("\n");
            assertThat(lines[0]).isEqualTo("alpha");
            assertThat(lines[1]).isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/uts")).toString());
            assertThat(lines[2]).as("ipc has no path: a new one")
                    .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/ipc")).toString())
                    .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString());
        } finally {
            rt("delete", "--force", P + "ns-a");
        }
    }

    // "The runtime MUST generate an error if path is not associated with a namespace of type type."
    @Test
    void aPathOfAnotherNamespaceTypeIsAnError() throws Exception {
        Path b = bundle("b", "true");
        Bundles.edit(b, "{\"type\": \"uts\"}", "{\"type\": \"uts\", \"path\": \"/proc/self/ns/net\"}");
        Result r = run(b, P + "wrong-type");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("/proc/self/ns/net");
        assertThat(rt("state", P + "wrong-type").code()).isNotZero();
    }

    // "If a namespace type is not specified in the namespaces array, the container MUST inherit the runtime
    // namespace of that type."
    @Test
    void anUnlistedNamespaceIsInherited() throws Exception {
        Path b = bundle("b", "readlink /proc/self/ns/net; readlink /proc/self/ns/cgroup");
        Bundles.edit(b, "{\"type\": \"network\"},", "");
        Result r = run(b, P + "inherit");
        ok(r);
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
        assertThat(lines[1]).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/cgroup")).toString());
    }

    // "If a namespaces field contains duplicated namespaces with same type, the runtime MUST generate an error."
    @Test
    void duplicatedNamespaceTypesAreAnError() throws Exception {
        Path b = bundle("b", "true");
        Bundles.edit(b, "{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"uts\"}");
        Result r = run(b, P + "dup-ns");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("uts");
    }

    // "In addition to any devices configured with this setting, the runtime MUST also supply: /dev/null,
    // /dev/zero, /dev/full, /dev/random, /dev/urandom, /dev/tty, /dev/console (if terminal), /dev/ptmx."
    // and devices: "lists devices that MUST be available in the container".
    @Test
    void defaultAndConfiguredDevicesAreThere() throws Exception {
        Path b = bundle("b", "for d in null zero full random urandom tty ptmx fuse; do "
                + "stat -c '%n %F %t:%T' /dev/$d; done; echo x > /dev/null && head -c 4 /dev/zero | wc -c");
        Bundles.edit(b, "\"linux\": {", "\"linux\": {\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", "
                + "\"major\": 10, \"minor\": 229, \"fileMode\": 438}],");
        Bundles.edit(b, "\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}",
                "\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, "
                        + "{\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"rwm\"}]}");
        Result r = run(b, P + "devs");
        ok(r);
        assertThat(r.out()).contains("/dev/null character special file 1:3", "/dev/zero character special file 1:5",
                "/dev/full character special file 1:7", "/dev/random character special file 1:8",
                "/dev/urandom character special file 1:9", "/dev/tty character special file 5:0",
                "/dev/fuse character special file a:e5").endsWith("4\n");
    }

    // devices: "If a file already exists at path that does not match the requested device, the runtime MUST
    // generate an error."
    @Test
    void aDeviceOverAMismatchingFileIsAnError() throws Exception {
        Path b = bundle("b", "true");
        Files.createDirectories(b.resolve("rootfs/dev"));
        Files.writeString(b.resolve("rootfs/dev/fuse"), "not a device");
        Bundles.edit(b, "\"linux\": {", "\"linux\": {\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", "
                + "\"major\": 10, \"minor\": 229}],");
        Bundles.edit(b, "{\"destination\": \"/dev\", \"type\": \"tmpfs\"", "{\"destination\": \"/devtmp\", \"type\": \"tmpfs\"");
        Result r = run(b, P + "dev-clash");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("/dev/fuse");
    }

    // cgroupsPath: "In the case of an absolute path (starting with /), the runtime MUST take the path to be
    // relative to the cgroups mount point." / "the runtime MUST consistently attach to the same place in the
    // cgroups hierarchy given the same value of cgroupsPath."
    @Test
    void anAbsoluteCgroupsPathIsUnderEachMountPoint() throws Exception {
        String path = "/berth-must-" + ProcessHandle.current().pid() + "/c1";
        Path b = bundle("b", "grep -E ':(pids|memory):' /proc/self/cgroup | sort");
        Bundles.edit(b, "\"linux\": {", "\"linux\": {\"cgroupsPath\": \"" + path + "\",");
        Path holder = Path.of("/sys/fs/cgroup/pids" + path).getParent();
        try {
            for (String id : List.of("cg1", "cg2")) {
                Result r = run(b, id);
                ok(r);
                assertThat(r.out()).as("no cgroup namespace in runc's default spec: the full path shows")
                        .matches("\\d+:memory:" + path + "\\n\\d+:pids:" + path + "\\n");
            }
            Path b2 = bundle("b2", "sleep 100");
            Bundles.edit(b2, "\"linux\": {", "\"linux\": {\"cgroupsPath\": \"" + path + "\",");
            ok(rt("create", "--bundle", b2.toString(), P + "cg3"));
            long pid = pidOf(P + "cg3");
            assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).contains(":pids:" + path + "\n");
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids" + path + "/cgroup.procs"))).contains(Long.toString(pid));
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory" + path + "/cgroup.procs"))).contains(Long.toString(pid));
            ok(rt("delete", "--force", P + "cg3"));
        } finally {
            rt("delete", "--force", P + "cg3");
            Bundles.removeCgroupTree(Path.of(path).getName(0).toString());
            assertThat(holder.resolve("c1")).doesNotExist();
        }
    }

    // linux.sysctl: "allows kernel parameters to be modified at runtime for the container".
    @Test
    void sysctlIsSetInTheContainersNamespace() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
        String want = host.equals("1") ? "0" : "1";
        Path b = bundle("b", "cat /proc/sys/net/ipv4/ip_forward");
        Bundles.edit(b, "\"linux\": {", "\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"" + want + "\"},");
        Result r = run(b, P + "sysctl");
        ok(r);
        assertThat(r.out()).isEqualTo(want + "\n");
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim()).as("host untouched").isEqualTo(host);
    }

    // intelRdt: "If no mounted resctrl pseudo-filesystem is available in the runtime mount namespace, the
    // runtime MUST generate an error."
    @Test
    void intelRdtWithoutResctrlIsAnError() throws Exception {
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).as("this machine has no resctrl").doesNotContain(" resctrl ");
        Path b = bundle("b", "true");
        Bundles.edit(b, "\"linux\": {", "\"linux\": {\"intelRdt\": {\"closID\": \"guaranteed_group\"},");
        Result r = run(b, P + "rdt");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("intelRdt");
    }

    // unified: "The runtime MUST generate an error when the configuration refers to a cgroup controller that
    // is not present or that cannot be enabled."
    @Test
    void unifiedWithAnAbsentControllerIsAnError() throws Exception {
        Path b = bundle("b", "true");
        Bundles.edit(b, "\"resources\": {", "\"resources\": {\"unified\": {\"nosuchcontroller.max\": \"5\"},");
        Result r = run(b, P + "unified");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("nosuchcontroller");
        assertThat(rt("state", P + "unified").code()).isNotZero();
    }

    // personality: "LINUX32 will set the uname system call to show a 32 bit CPU type, such as i686."
    @Test
    void personalityLinux32ShowsA32BitMachine() throws Exception {
        Path b = bundle("b", "uname -m");
        Bundles.edit(b, "\"linux\": {", "\"linux\": {\"personality\": {\"domain\": \"LINUX32\"},");
        Result r = run(b, P + "pers");
        ok(r);
        assertThat(r.out()).isEqualTo("i686\n");
        Bundles.edit(b, "\"LINUX32\"}", "\"LINUX32\", \"flags\": [\"ADDR_NO_RANDOMIZE\"]}");
        Result bad = run(b, P + "pers2");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("linux.personality.flags");
    }

    // timeOffsets: "sets the offset for Time Namespace" (time_namespaces(7): monotonic and boottime).
    @Test
    void timeOffsetsShiftTheContainersClocks() throws Exception {
        Path b = bundle("b", "cut -d. -f1 /proc/uptime");
        Bundles.edit(b, "{\"type\": \"uts\"}", "{\"type\": \"uts\"}, {\"type\": \"time\"}");
        Bundles.edit(b, "\"linux\": {", "\"linux\": {\"timeOffsets\": {\"boottime\": {\"secs\": 8640000}, "
                + "\"monotonic\": {\"secs\": 86400, \"nanosecs\": 5}},");
        long hostUptime = Long.parseLong(Files.readString(Path.of("/proc/uptime")).split("\\.")[0]);
        Result r = run(b, P + "timens");
        ok(r);
        long inside = Long.parseLong(r.out().trim());
        assertThat(inside).isBetween(hostUptime + 8640000, hostUptime + 8640000 + 120);
        Bundles.edit(b, ", {\"type\": \"time\"}", "");
        Result noNs = run(b, P + "timens2");
        assertThat(noNs.code()).isNotZero();
        assertThat(noNs.err()).contains("linux.timeOffsets");
    }

    // config.md "Mounts" (runc's recursive options): rro makes every submount of a bind read-only, where
    // ro only affects the top one. Seen in the container's mountinfo, on a bind of /sys/fs/cgroup (whose
    // hierarchies are submounts); nothing is written.
    @Test
    void rroIsRecursiveWhereRoIsNot() throws Exception {
        String script = "grep ' /cg/pids ' /proc/self/mountinfo | cut -d' ' -f6 | cut -d, -f1";
        for (String opt : List.of("ro", "rro")) {
            Path b = bundle("b-" + opt, script);
            Bundles.edit(b, "\"mounts\": [", "\"mounts\": [{\"destination\": \"/cg\", \"type\": \"bind\", "
                    + "\"source\": \"/sys/fs/cgroup\", \"options\": [\"rbind\", \"" + opt + "\"]},");
            Result r = run(b, P + "mnt-" + opt);
            ok(r);
            assertThat(r.out()).as(opt).isEqualTo(opt.equals("rro") ? "ro\n" : "rw\n");
        }
    }

    // config.md "Mounts": uidMappings/gidMappings "convert UIDs from the source file system to the
    // destination mount point" (an idmapped mount): with 0 -> 1000, a file owned by 0 shows as 1000, an
    // unmapped owner as the overflow id, and the source is untouched.
    @Test
    void anIdmappedBindShowsTheMappedOwners() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("idsrc"));
        Files.writeString(src.resolve("root-owned"), "x");
        Files.writeString(src.resolve("uid5"), "y");
        Files.setAttribute(src.resolve("uid5"), "unix:uid", 5);
        Files.setAttribute(src.resolve("uid5"), "unix:gid", 5);
        Path b = bundle("b", "stat -c '%u:%g %n' /data/root-owned /data/uid5");
        Bundles.edit(b, "\"mounts\": [", "\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \""
                + src + "\", \"options\": [\"rbind\", \"idmap\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, "
                + "\"size\": 1}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]},");
        Result r = run(b, P + "idmap");
        ok(r);
        assertThat(r.out()).isEqualTo("1000:1000 /data/root-owned\n65534:65534 /data/uid5\n");
        assertThat(Files.getAttribute(src.resolve("root-owned"), "unix:uid")).isEqualTo(0);

        Bundles.edit(b, "\"rbind\", \"idmap\"", "\"rbind\"");
        Result noOption = run(b, P + "idmap2");
        assertThat(noOption.code()).isNotZero();
        assertThat(noOption.err()).contains("need the \"idmap\"");
    }
}
