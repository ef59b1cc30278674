package io.berth.runtime.cli;

import io.berth.runtime.LinuxConstants;
import io.berth.runtime.seccomp.SeccompCompiler;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;

/** features.md: what this runtime really supports (nothing listed here is unimplemented). */
final class Features {
    private Features() {}

    /** mount(2) flags, propagation, and the recursive (mount_setattr) family, sorted. */
    private static List<String> mountOptions() {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(List.of("async", "atime", "bind", "dev", "diratime",
                "dirsync", "exec", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "nolazytime",
                "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "rbind", "relatime",
                "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared", "silent", "slave",
                "strictatime", "suid", "symfollow", "sync", "unbindable"));
        all.addAll(io.berth.runtime.PlanCompiler.RECURSIVE_OPTIONS);
        all.addAll(List.of("idmap", "ridmap"));
        return List.copyOf(all);
    }

    static Json.Obj json() {
        return new ObjBuilder()
                .put("ociVersionMin", "1.0.0")
                .put("ociVersionMax", "1.3.0")
                .nonEmpty("hooks", List.of("prestart", "createRuntime", "createContainer", "startContainer",
                        "poststart", "poststop"))
                .nonEmpty("mountOptions", mountOptions())
                .put("linux", new ObjBuilder()
                        .nonEmpty("namespaces", List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user",
                                "uts"))
                        .nonEmpty("capabilities", LinuxConstants.CAPS)
                        .put("cgroup", new ObjBuilder().put("v1", true).put("v2", true).put("systemd", false)
                                .put("systemdUser", false).put("rdma", false).build())
                        .put("seccomp", new ObjBuilder().put("enabled", true)
                                .nonEmpty("actions", SeccompCompiler.supportedActions())
                                .nonEmpty("operators", SeccompCompiler.OPERATORS)
                                .nonEmpty("archs", List.of("SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"))
                                .nonEmpty("knownFlags", SeccompCompiler.FLAGS.keySet().stream().sorted().toList())
                                .nonEmpty("supportedFlags", SeccompCompiler.FLAGS.keySet().stream().sorted().toList())
                                .build())
                        .put("apparmor", new ObjBuilder().put("enabled", false).build())
                        .put("selinux", new ObjBuilder().put("enabled", false).build())
                        .put("intelRdt", new ObjBuilder().put("enabled", false).build())
                        .build())
                .build();
    }
}
