package io.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.runtime.Bundles.Result;
import io.berth.runtime.seccomp.DockerLikeProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * config-linux.md "Seccomp" for real: busybox bundles with seccomp profiles run under runc 1.1.5 (with
 * libseccomp 2.5.4) and under berth-runtime give the same stdout and exit code, and each test also checks
 * what the profile must have done, so a runtime that ignored the profile fails. Needs root, runc and
 * busybox-static.
 */
class SeccompTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void requirements() {
        assertThat(System.getProperty("user.name")).as("these tests create namespaces: run as root").isEqualTo("root");
        assertThat(Bundles.BUSYBOX).as("apt-get install busybox-static").isExecutable();
    }

    private int n;

    /** A busybox bundle running sh -c script with this seccomp profile (and more applets). */
    private Path bundle(String profile, List<String> args) throws Exception {
        Path b = Bundles.busybox(tmp.resolve("b" + n++), args);
        for (String applet : List.of("mkdir", "rmdir", "uname", "linux32", "linux64", "sort", "tr", "unshare",
                "nproc", "date", "sed", "kill", "env", "uniq", "rm", "mv", "cp", "ln", "chmod", "du", "tail",
                "md5sum", "seq", "tee", "sync")) {
            Files.createSymbolicLink(b.resolve("rootfs/bin/" + applet), Path.of("busybox"));
        }
        Bundles.edit(b, "\"linux\": {", "\"linux\": {\n    \"seccomp\": " + profile + ",");
        Bundles.edit(b, "\"readonly\": true", "\"readonly\": false"); // so that mkdir can succeed
        return b;
    }

    /** Runs the bundle under runc, then berth-runtime; asserts the same stdout and exit code; returns berth's. */
    private Result same(Path b) throws Exception {
        Result runc = Bundles.runc(tmp.resolve("runc-root"), "run", "--bundle", b.toString(), "sc" + n);
        Result berth = Bundles.berth(tmp.resolve("berth-root"), "run", "--bundle", b.toString(), "sc" + n);
        assertThat(runc.err()).as("runc must run this bundle").doesNotContainIgnoringCase("level=error");
        assertThat(berth.out()).as("stdout; berth stderr: " + berth.err()).isEqualTo(runc.out());
        assertThat(berth.code()).as("exit code; berth stderr: " + berth.err()).isEqualTo(runc.code());
        return berth;
    }

    private Result same(String profile, String script) throws Exception {
        return same(bundle(profile, List.of("sh", "-c", script)));
    }

    static final String STATUS = "grep -E '^(Seccomp|NoNewPrivs|CapPrm|CapEff):' /proc/self/status";

    @Test
    void allowByDefaultMkdirDenied() throws Exception {
        Result r = same("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"},
                  {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}""",
                "mkdir /tmp/a 2>&1; echo $?; touch /tmp/b; echo $?; rmdir /tmp 2>&1; echo $?; " + STATUS);
        assertThat(r.out()).startsWith("mkdir: can't create directory '/tmp/a': Operation not permitted\n1\n0\n")
                .contains("rmdir: '/tmp': Permission denied\n1\n").contains("Seccomp:\t2\n");
    }

    @Test
    void errnoByDefaultWithAnAllowList() throws Exception {
        // every syscall of the x86_64 table but mkdir, mkdirat and uname; the default is ERRNO(EPERM)
        StringBuilder names = new StringBuilder();
        for (String s : DockerLikeProfile.x86_64Names()) {
            if (!List.of("mkdir", "mkdirat", "uname").contains(s)) {
                names.append(names.isEmpty() ? "" : ", ").append('"').append(s).append('"');
            }
        }
        Result r = same("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\"], "
                + "\"syscalls\": [{\"names\": [" + names + "], \"action\": \"SCMP_ACT_ALLOW\"}]}",
                "mkdir /tmp/a 2>&1; echo $?; uname -s 2>&1; echo $?; echo written > /tmp/f; cat /tmp/f; " + STATUS);
        assertThat(r.out()).contains("mkdir: can't create directory '/tmp/a': Operation not permitted\n1\n")
                .contains("written\n").doesNotContain("Linux"); // busybox uname prints "" when uname(2) fails
    }

    @Test
    void argumentConditions() throws Exception {
        // personality(PER_LINUX32) denied by a masked compare; kill(pid, SIGTERM) denied; kill with a
        // signal >= 34 and a pid below 2^32 (a 64-bit compare whose high halves differ) gets ESRCH; kill -0
        // and SIGHUP pass.
        Result r = same("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
                   "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]},
                  {"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                   "args": [{"index": 1, "value": 15, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3,
                   "args": [{"index": 1, "value": 34, "op": "SCMP_CMP_GE"},
                            {"index": 0, "value": 4294967296, "op": "SCMP_CMP_LT"}]}]}""",
                "linux32 uname -m 2>&1; echo $?; linux64 uname -m; echo $?; kill -TERM $$ 2>&1; echo $?; "
                        + "kill -0 $$; echo $?; kill -40 $$ 2>&1; echo $?; trap 'echo got HUP' HUP; kill -HUP $$; "
                        + "echo $?");
        assertThat(r.out()).isEqualTo("linux32: personality(0x8): Operation not permitted\n1\nx86_64\n0\n"
                + "sh: can't kill pid 1: Operation not permitted\n1\n0\nsh: can't kill pid 1: No such process\n1\n"
                + "got HUP\n0\n");
    }

    @Test
    void killProcessExitsBySigsys() throws Exception {
        String profile = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}""";
        Result r = same(bundle(profile, List.of("mkdir", "/tmp/a")));
        assertThat(r.code()).as("128 + SIGSYS").isEqualTo(159);
        r = same(profile, "mkdir /tmp/a; echo $?; echo after");
        assertThat(r.out()).isEqualTo("159\nafter\n");
    }

    /** Every action on mkdir, seen by a shell: the kills and TRAP end the child by SIGSYS (128 + 31). */
    @ParameterizedTest
    @ValueSource(strings = {"SCMP_ACT_KILL:159", "SCMP_ACT_KILL_THREAD:159", "SCMP_ACT_KILL_PROCESS:159",
        "SCMP_ACT_TRAP:159", "SCMP_ACT_ERRNO:1", "SCMP_ACT_LOG:0", "SCMP_ACT_TRACE:1"})
    void eachAction(String actionAndStatus) throws Exception {
        String[] a = actionAndStatus.split(":");
        Result r = same("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], "
                + "\"action\": \"" + a[0] + "\"}]}", "mkdir /tmp/a 2>/dev/null; echo $?; rmdir /tmp/a 2>/dev/null; true");
        // TRACE without a tracer: the kernel fails the syscall with ENOSYS
        assertThat(r.out()).isEqualTo(a[1] + "\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "id; hostname; pwd; ls / | sort; echo hi > /tmp/f; cat /tmp/f",
        "mkdir -p /tmp/a/b && ls /tmp/a; ps | wc -l; nproc >/dev/null; echo $?",
        STATUS,
        "mount -t tmpfs none /tmp 2>&1; echo $?; unshare -n true 2>&1; echo $?",
        "linux32 uname -m; linux64 uname -m; uname -s",
        "sh -c 'echo sub $((1+2))' & wait; echo $?; seq 1 5 | tee /tmp/s | md5sum; du -s /tmp/s | sed 's/\\t.*//'",
        "kill -9 $$; echo not reached",
    })
    void dockerLikeProfile(String script) throws Exception {
        Result r = same(DockerLikeProfile.json(), script);
        if (script.startsWith("mount")) {
            assertThat(r.out()).isEqualTo("mount: permission denied (are you root?)\n1\n"
                    + "unshare: unshare(0x40000000): Operation not permitted\n1\n");
        }
        if (script.equals(STATUS)) {
            assertThat(r.out()).contains("Seccomp:\t2\n");
        }
    }

    /**
     * Without no_new_privs seccomp(2) needs CAP_SYS_ADMIN: runtime-init holds it until the filter is in,
     * then drops it. The container must not keep it.
     */
    @Test
    void withoutNoNewPrivileges() throws Exception {
        Path b = bundle(DockerLikeProfile.json(), List.of("sh", "-c", STATUS + "; mkdir /tmp/x && rmdir /tmp/x; echo $?"));
        Bundles.edit(b, "\"noNewPrivileges\": true", "\"noNewPrivileges\": false");
        Result r = same(b);
        assertThat(r.out()).contains("NoNewPrivs:\t0\n").contains("Seccomp:\t2\n").endsWith("\n0\n");
        for (String set : List.of("CapPrm", "CapEff")) {
            long caps = Long.parseLong(r.out().replaceAll("(?s).*" + set + ":\t([0-9a-f]+).*", "$1"), 16);
            assertThat(caps).as(set).isEqualTo((1L << 29) | (1L << 5) | (1L << 10)); // AUDIT_WRITE, KILL, NET_BIND_SERVICE
        }
    }

    /** The same in a user namespace (CAP_SYS_ADMIN held is the namespace's, not the host's). */
    @Test
    void inAUserNamespaceWithoutNoNewPrivileges() throws Exception {
        Path b = bundle("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}""",
                List.of("sh", "-c", "id; mkdir /tmp/x 2>&1; echo $?; " + STATUS));
        Bundles.edit(b, "\"noNewPrivileges\": true", "\"noNewPrivileges\": false");
        Bundles.edit(b, "{\"type\": \"mount\"}", "{\"type\": \"mount\"}, {\"type\": \"user\"}");
        Bundles.edit(b, "\"namespaces\"", "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], "
                + "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], \"namespaces\"");
        assertThat(Bundles.exec(List.of("chown", "-R", "100000:100000", b.resolve("rootfs").toString())).code()).isZero();
        assertThat(Bundles.exec(List.of("chmod", "755", tmp.toString(), b.toString())).code()).isZero();
        Result r = same(b);
        assertThat(r.out()).startsWith("uid=0 gid=0\nmkdir: can't create directory '/tmp/x': Operation not permitted\n1\n")
                .contains("NoNewPrivs:\t0\n").contains("Seccomp:\t2\n");
    }

    /** runc's exec applies the container's profile to the new process too (with and without no_new_privs). */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void execGetsTheProfile(boolean noNewPrivileges) throws Exception {
        Path b = bundle("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}""",
                List.of("sleep", "60"));
        Bundles.edit(b, "\"noNewPrivileges\": true", "\"noNewPrivileges\": " + noNewPrivileges);
        Path runcRoot = tmp.resolve("runc-root"), berthRoot = tmp.resolve("berth-root");
        assertThat(Bundles.runc(runcRoot, "run", "--detach", "--bundle", b.toString(), "e1").code()).isZero();
        assertThat(Bundles.berth(berthRoot, "run", "--detach", "--bundle", b.toString(), "e1").code()).isZero();
        try {
            Result runc = Bundles.runc(runcRoot, "exec", "e1", "sh", "-c", "mkdir /tmp/x 2>&1; echo $?; " + STATUS);
            Result berth = Bundles.berth(berthRoot, "exec", "e1", "sh", "-c", "mkdir /tmp/x 2>&1; echo $?; " + STATUS);
            assertThat(berth.out()).as(berth.err()).isEqualTo(runc.out())
                    .startsWith("mkdir: can't create directory '/tmp/x': Operation not permitted\n1\n")
                    .contains("NoNewPrivs:\t" + (noNewPrivileges ? 1 : 0) + "\n").contains("Seccomp:\t2\n");
        } finally {
            Bundles.runc(runcRoot, "delete", "--force", "e1");
            Bundles.berth(berthRoot, "delete", "--force", "e1");
        }
    }

    /** Flags runc 1.1.5 refuses ("seccomp flags are not yet supported by runc"): berth passes them on. */
    @Test
    void flags() throws Exception {
        Path b = bundle("""
                {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_LOG"}, {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]}""",
                List.of("sh", "-c", "mkdir /tmp/a; echo $?; rmdir /tmp/a 2>&1; echo $?"));
        Result r = Bundles.berth(tmp.resolve("berth-root"), "run", "--bundle", b.toString(), "f1");
        assertThat(r.out()).as(r.err()).isEqualTo("0\nrmdir: '/tmp/a': Operation not permitted\n1\n");
    }

    /**
     * runtime-init checks the program at create, in a throwaway child: a program the kernel refuses (here a
     * jump past its end) fails create with the step and errno, not the container after start.
     */
    @Test
    void aProgramTheKernelRefusesFailsCreate() {
        java.util.List<io.berth.runtime.seccomp.Bpf.Insn> bad = List.of(
                new io.berth.runtime.seccomp.Bpf.Insn(io.berth.runtime.seccomp.Bpf.JA, 0, 0, 5),
                new io.berth.runtime.seccomp.Bpf.Insn(io.berth.runtime.seccomp.Bpf.RET, 0, 0, 0x7fff0000));
        Plan plan = new Plan().op("clone", 0).op("seccomp", 0, 0, io.berth.runtime.seccomp.Bpf.hex(bad))
                .op("arg", "/bin/true").op("exec");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InitProcess.start(tmp.resolve("init"), plan, pid -> { }))
                .hasMessageContaining("seccomp").hasMessageContaining("the kernel refused the compiled filter")
                .hasMessageContaining("Invalid argument");
    }

    @Test
    void notifyIsRefusedNamingTheField() throws Exception {
        Path b = bundle("""
                {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock",
                 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}""", List.of("true"));
        Result r = Bundles.berth(tmp.resolve("berth-root"), "run", "--bundle", b.toString(), "n1");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("linux.seccomp.syscalls[0].action").contains("SCMP_ACT_NOTIFY");
    }

    @Test
    void featuresListSeccomp() throws Exception {
        Result r = Bundles.berth(tmp.resolve("berth-root"), "features");
        String compact = r.out().replaceAll("\\s+", "");
        assertThat(compact).contains("\"seccomp\":{\"enabled\":true,\"actions\":[\"SCMP_ACT_ALLOW\",\"SCMP_ACT_ERRNO\","
                + "\"SCMP_ACT_KILL\",\"SCMP_ACT_KILL_PROCESS\",\"SCMP_ACT_KILL_THREAD\",\"SCMP_ACT_LOG\","
                + "\"SCMP_ACT_TRACE\",\"SCMP_ACT_TRAP\"],\"operators\":[\"SCMP_CMP_EQ\"")
                .contains("\"archs\":[\"SCMP_ARCH_X32\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X86_64\"]")
                .contains("\"supportedFlags\":[\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\","
                        + "\"SECCOMP_FILTER_FLAG_TSYNC\"]");
    }
}
