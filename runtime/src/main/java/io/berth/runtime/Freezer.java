package io.berth.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * pause/resume: the freezer of a container's cgroup. cgroup v1 has a "freezer" controller
 * ({@code freezer.state}: THAWED, FREEZING, FROZEN); cgroup v2 has {@code cgroup.freeze} in every non-root
 * cgroup and reports completion as "frozen 1" in {@code cgroup.events}. On a hybrid host the v1 controller
 * is used when it is mounted (as runc's fs manager does), otherwise the unified hierarchy.
 */
final class Freezer {
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    private final Path dir;
    private final boolean v2;

    private Freezer(Path dir, boolean v2) {
        this.dir = dir;
        this.v2 = v2;
    }

    /** The freezer of a container's cgroup path, or empty when the host has neither kind. */
    static Optional<Freezer> of(Cgroups cgroups, String path) {
        Optional<Cgroups.Hierarchy> v1 = cgroups.hierarchies().stream()
                .filter(h -> !h.v2() && h.controllers().contains("freezer")).findFirst();
        if (v1.isPresent()) {
            return Optional.of(new Freezer(v1.get().mount().resolve(path.substring(1)), false));
        }
        return cgroups.hierarchies().stream().filter(Cgroups.Hierarchy::v2).findFirst()
                .map(h -> new Freezer(h.mount().resolve(path.substring(1)), true));
    }

    static Freezer require(Cgroups cgroups, String path, String op) {
        return of(cgroups, path).orElseThrow(() -> new RuntimeError(op + ": this host has neither a cgroup v1 freezer "
                + "hierarchy nor a cgroup2 hierarchy, so containers cannot be frozen"));
    }

    Path dir() {
        return dir;
    }

    /** Whether the cgroup is (being) frozen: v1 FREEZING or FROZEN, v2 cgroup.freeze set. Missing → false. */
    boolean frozen() {
        Optional<String> s = Cgroups.read(dir.resolve(v2 ? "cgroup.freeze" : "freezer.state"));
        if (s.isEmpty()) {
            return false;
        }
        String v = s.get().trim();
        return v2 ? v.equals("1") : !v.equals("THAWED");
    }

    /**
     * A container created before the freezer hierarchy was mounted (or with a cgroup set up by someone else)
     * may not be in it: make the cgroup and move the container's processes in, as runc's Apply would have.
     */
    void join(List<Long> pids) {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new RuntimeError("pause: mkdir " + dir + ": " + e.getMessage(), e);
            }
        }
        String procs = Cgroups.read(dir.resolve("cgroup.procs")).orElse("");
        for (long pid : pids) {
            if (!procs.lines().anyMatch(l -> l.trim().equals(Long.toString(pid)))) {
                try {
                    Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
                } catch (java.io.IOException e) {
                    // exited meanwhile (ESRCH) is fine; anything else leaves it unfrozen, so say so
                    if (ProcStat.startTime(pid).isPresent()) {
                        throw new RuntimeError("pause: move " + pid + " into " + dir + ": " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /** Freezes and waits until the kernel reports every task frozen. On timeout it thaws again and fails. */
    void freeze() {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        for (int i = 0; ; i++) {
            if (v2) {
                if (i == 0) {
                    Cgroups.write(dir.resolve("cgroup.freeze"), "1");
                }
                if (Cgroups.read(dir.resolve("cgroup.events")).orElse("").lines().anyMatch(l -> l.equals("frozen 1"))) {
                    return;
                }
            } else {
                // A FREEZING cgroup whose tasks forked meanwhile can stay FREEZING: writing FROZEN again
                // retries the freeze of the newcomers.
                if (i % 10 == 0) {
                    Cgroups.write(dir.resolve("freezer.state"), "FROZEN");
                }
                if (Cgroups.read(dir.resolve("freezer.state")).orElse("").trim().equals("FROZEN")) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                thaw();
                throw new RuntimeError("pause: " + dir + " did not reach the frozen state within "
                        + TIMEOUT_NANOS / 1_000_000_000L + " s; thawed it again");
            }
            sleep(i < 100 ? 1 : 10);
        }
    }

    void thaw() {
        Cgroups.write(dir.resolve(v2 ? "cgroup.freeze" : "freezer.state"), v2 ? "0" : "THAWED");
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (v2 ? Cgroups.read(dir.resolve("cgroup.events")).orElse("").lines().anyMatch(l -> l.equals("frozen 1"))
                : !Cgroups.read(dir.resolve("freezer.state")).orElse("THAWED").trim().equals("THAWED")) {
            if (System.nanoTime() > deadline) {
                throw new RuntimeError("resume: " + dir + " did not thaw within " + TIMEOUT_NANOS / 1_000_000_000L
                        + " s");
            }
            sleep(1);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError("freezer: interrupted", e);
        }
    }
}
