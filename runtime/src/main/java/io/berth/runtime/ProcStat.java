package io.berth.runtime;

import java.nio.file.Path;
import java.util.Optional;

/** /proc/<pid>/stat: whether a process lives, and its start time (field 22) to detect pid reuse. */
final class ProcStat {
    private ProcStat() {}

    /** The start time in clock ticks since boot, if the process exists and is not a zombie. */
    static Optional<Long> startTime(long pid) {
        Optional<String> s = Cgroups.read(Path.of("/proc/" + pid + "/stat"));
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String rest = s.get().substring(s.get().lastIndexOf(')') + 2);
        String[] f = rest.split(" ");
        // rest starts at field 3 (state); starttime is field 22
        if (f[0].equals("Z") || f[0].equals("X")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(f[22 - 3]));
    }

    static boolean alive(long pid, long startTime) {
        return startTime(pid).filter(t -> startTime == 0 || t == startTime).isPresent();
    }
}
