package io.berth.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Linux numbers the plan carries (x86_64 / generic values from the kernel's uapi headers). */
public final class LinuxConstants {
    private LinuxConstants() {}

    // <linux/mount.h> / <sys/mount.h>
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
            MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
            MS_NODIRATIME = 2048, MS_BIND = 4096, MS_REC = 16384, MS_SILENT = 32768, MS_UNBINDABLE = 1 << 17,
            MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21,
            MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;

    /** config.md "Mounts" options that are mount(2) flags: name → (set bits, clear bits). */
    record Flag(long set, long clear) {}

    static final Map<String, Flag> MOUNT_FLAGS = Map.ofEntries(
            Map.entry("ro", new Flag(MS_RDONLY, 0)), Map.entry("rw", new Flag(0, MS_RDONLY)),
            Map.entry("nosuid", new Flag(MS_NOSUID, 0)), Map.entry("suid", new Flag(0, MS_NOSUID)),
            Map.entry("nodev", new Flag(MS_NODEV, 0)), Map.entry("dev", new Flag(0, MS_NODEV)),
            Map.entry("noexec", new Flag(MS_NOEXEC, 0)), Map.entry("exec", new Flag(0, MS_NOEXEC)),
            Map.entry("sync", new Flag(MS_SYNCHRONOUS, 0)), Map.entry("async", new Flag(0, MS_SYNCHRONOUS)),
            Map.entry("dirsync", new Flag(MS_DIRSYNC, 0)), Map.entry("mand", new Flag(MS_MANDLOCK, 0)),
            Map.entry("nomand", new Flag(0, MS_MANDLOCK)), Map.entry("noatime", new Flag(MS_NOATIME, 0)),
            Map.entry("atime", new Flag(0, MS_NOATIME)), Map.entry("nodiratime", new Flag(MS_NODIRATIME, 0)),
            Map.entry("diratime", new Flag(0, MS_NODIRATIME)), Map.entry("relatime", new Flag(MS_RELATIME, 0)),
            Map.entry("norelatime", new Flag(0, MS_RELATIME)),
            Map.entry("strictatime", new Flag(MS_STRICTATIME, 0)),
            Map.entry("nostrictatime", new Flag(0, MS_STRICTATIME)), Map.entry("lazytime", new Flag(MS_LAZYTIME, 0)),
            Map.entry("nolazytime", new Flag(0, MS_LAZYTIME)), Map.entry("silent", new Flag(MS_SILENT, 0)),
            Map.entry("loud", new Flag(0, MS_SILENT)), Map.entry("nosymfollow", new Flag(MS_NOSYMFOLLOW, 0)),
            Map.entry("symfollow", new Flag(0, MS_NOSYMFOLLOW)), Map.entry("bind", new Flag(MS_BIND, 0)),
            Map.entry("rbind", new Flag(MS_BIND | MS_REC, 0)), Map.entry("remount", new Flag(MS_REMOUNT, 0)));

    static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC, "shared", MS_SHARED, "rshared",
            MS_SHARED | MS_REC, "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC, "unbindable", MS_UNBINDABLE,
            "runbindable", MS_UNBINDABLE | MS_REC);

    // <linux/sched.h>
    public static final long CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    /** <linux/capability.h>: CAP_* names by number. */
    public static final List<String> CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
            "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
            "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
            "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** <asm-generic/resource.h>: RLIMIT_* names by number. */
    public static final List<String> RLIMITS = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK",
            "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
            "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    /** x86_64 signal names by number (index 0 unused). */
    public static final List<String> SIGNALS = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /** A signal given as runc accepts it: "KILL", "SIGKILL", "9"; real-time "RTMIN+n" too. */
    public static Optional<Integer> signal(String s) {
        String t = s.toUpperCase(java.util.Locale.ROOT);
        if (t.chars().allMatch(Character::isDigit) && !t.isEmpty()) {
            int n = Integer.parseInt(t);
            return n > 0 && n <= 64 ? Optional.of(n) : Optional.empty();
        }
        if (t.startsWith("SIG")) {
            t = t.substring(3);
        }
        int i = SIGNALS.indexOf(t);
        if (i > 0) {
            return Optional.of(i);
        }
        if (t.equals("IOT")) {
            return Optional.of(6);
        }
        if (t.startsWith("RTMIN+") || t.equals("RTMIN")) {
            int n = t.equals("RTMIN") ? 0 : Integer.parseInt(t.substring(6));
            return 34 + n <= 64 ? Optional.of(34 + n) : Optional.empty();
        }
        if (t.startsWith("RTMAX-") || t.equals("RTMAX")) {
            int n = t.equals("RTMAX") ? 0 : Integer.parseInt(t.substring(6));
            return 64 - n >= 34 ? Optional.of(64 - n) : Optional.empty();
        }
        return Optional.empty();
    }
}
