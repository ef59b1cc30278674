package io.berth.runtime.cli;

/** `berth-runtime spec`: a default config.json with runc's defaults, so bundles behave the same. */
public final class DefaultSpec {
    private DefaultSpec() {}

    public static String json(boolean rootless, long uid, long gid) {
        String ns = rootless
                ? """
                  {"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "user"}"""
                : """
                  {"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}""";
        String maps = rootless
                ? "\"uidMappings\": [{\"containerID\": 0, \"hostID\": " + uid + ", \"size\": 1}],\n"
                        + "    \"gidMappings\": [{\"containerID\": 0, \"hostID\": " + gid + ", \"size\": 1}],\n    "
                : "";
        String devices = rootless ? "" : "\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n    ";
        return """
                {
                  "ociVersion": "1.0.2-dev",
                  "process": {
                    "terminal": true,
                    "user": {"uid": 0, "gid": 0},
                    "args": ["sh"],
                    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                    "cwd": "/",
                    "capabilities": {
                      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
                    },
                    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                    "noNewPrivileges": true
                  },
                  "root": {"path": "rootfs", "readonly": true},
                  "hostname": "berth",
                  "mounts": [
                    {"destination": "/proc", "type": "proc", "source": "proc"},
                    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"%s]},
                    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
                     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
                     "options": ["nosuid", "noexec", "nodev"]},
                    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
                     "options": ["nosuid", "noexec", "nodev", "ro"]},
                    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
                  ],
                  "linux": {
                    %s%s"namespaces": [%s],
                    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
                    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
                  }
                }
                """.formatted(rootless ? "" : ", \"gid=5\"", maps, devices, ns.strip());
    }
}
