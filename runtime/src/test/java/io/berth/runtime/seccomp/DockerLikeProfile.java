package io.berth.runtime.seccomp;

import io.berth.spec.runtime.Seccomp;
import io.berth.spec.runtime.Spec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A profile with the structure of Docker's/containerd's default (ERRNO(EPERM) by default, the three x86
 * architectures, a long allow list, personality allowed for a few values, clone without namespace flags,
 * clone3 answered with ENOSYS, socket except AF_VSOCK), generated here: the allow list is every syscall
 * of our tables except a deny list of our own choosing (kernel modules, mounts, namespaces, keyrings,
 * tracing, clocks, reboot...). Not moby's file.
 */
public final class DockerLikeProfile {
    private DockerLikeProfile() {}

    static final Set<String> DENIED = Set.of("acct", "add_key", "bpf", "chroot", "clock_adjtime", "clock_settime",
            "clock_settime64", "clock_adjtime64", "create_module", "delete_module", "finit_module", "fsconfig",
            "fsmount", "fsopen", "fspick", "get_kernel_syms", "get_mempolicy", "init_module", "ioperm", "iopl",
            "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mbind", "mount", "mount_setattr",
            "move_mount", "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree",
            "perf_event_open", "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace", "query_module",
            "quotactl", "quotactl_fd", "reboot", "request_key", "set_mempolicy", "set_mempolicy_home_node", "setns",
            "settimeofday", "stime", "swapoff", "swapon", "syslog", "sysfs", "_sysctl", "umount", "umount2",
            "unshare", "uselib", "userfaultfd", "ustat", "vhangup", "vm86", "vm86old", "fanotify_init",
            "afs_syscall", "tuxcall", "security", "putpmsg", "getpmsg", "vserver", "landlock_create_ruleset");
    /** Handled by rules with conditions below. */
    static final Set<String> SPECIAL = Set.of("personality", "clone", "clone3", "socket");

    /** The profile as config.json's "seccomp" object. */
    public static String json() {
        TreeSet<String> allow = new TreeSet<>();
        for (Arch a : Arch.values()) {
            allow.addAll(a.numbers().keySet());
        }
        allow.removeAll(DENIED);
        allow.removeAll(SPECIAL);
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": 1,\n");
        b.append("  \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],\n");
        b.append("  \"syscalls\": [\n    {\"names\": [");
        b.append(String.join(", ", allow.stream().map(n -> "\"" + n + "\"").toList()));
        b.append("], \"action\": \"SCMP_ACT_ALLOW\"}");
        // personality: linux, linux32, with UNAME26 and the query (0xffffffff)
        for (long p : List.of(0L, 8L, 0x20000L, 0x20008L, 0xffffffffL)) {
            b.append(",\n    {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
                    + "\"value\": ").append(p).append(", \"op\": \"SCMP_CMP_EQ\"}]}");
        }
        // clone without CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
        long nsFlags = 0x00020000L | 0x02000000L | 0x04000000L | 0x08000000L | 0x10000000L | 0x20000000L
                | 0x40000000L;
        b.append(",\n    {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": ")
                .append(nsFlags).append(", \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}");
        // clone3's flags are in memory seccomp cannot read: ENOSYS makes libc fall back to clone
        b.append(",\n    {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}");
        // socket, except AF_VSOCK (40)
        b.append(",\n    {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 40, "
                + "\"op\": \"SCMP_CMP_NE\"}]}");
        b.append("\n  ]\n}");
        return b.toString();
    }

    /** The syscall names of the x86_64 table. */
    public static List<String> x86_64Names() {
        return new TreeSet<>(Arch.X86_64.numbers().keySet()).stream().toList();
    }

    static Seccomp seccomp() {
        String config = "{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": " + json() + "}}";
        return Spec.parse(config.getBytes(StandardCharsets.UTF_8)).linux().orElseThrow().seccomp().orElseThrow();
    }
}
