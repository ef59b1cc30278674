package io.berth.runtime;

import io.berth.spec.json.Json;
import io.berth.spec.runtime.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * runc's {@code update}: new limits written into a live container's cgroups. As in runc, an absent value
 * or 0 leaves a setting unchanged and -1 means unlimited (blockIO: a throttle rate of 0 removes that
 * throttle, as in the kernel's files); device rules and hugepage limits are not
 * updated (runc skips them too, so a caller such as containerd may pass its whole LinuxResources); kernel
 * memory is ignored with a warning.
 */
public final class Update {
    private Update() {}

    /** The new resources, and warnings to print (kernel memory). */
    public record Request(Resources resources) {}

    public static List<String> apply(Cgroups cg, String path, Request req) {
        Resources r = req.resources();
        List<String> warnings = new ArrayList<>();
        r.blockIO().ifPresent(b -> {
            if (b instanceof Json.Obj o && o.members().entrySet().stream().anyMatch(e -> !isZero(e.getValue()))) {
                cg.blockIO(path, b); // weights of 0 are skipped: unchanged
            }
        });
        r.memory().ifPresent(m -> {
            if (m.kernel().filter(v -> v != 0).isPresent() || m.kernelTCP().filter(v -> v != 0).isPresent()) {
                warnings.add("Kernel memory settings are ignored and will be removed");
            }
            memory(cg, path, nz(m.limit()), nz(m.reservation()), nz(m.swap()));
        });
        r.cpu().ifPresent(c -> cpu(cg, path, c));
        r.pidsLimit().filter(l -> l != 0).ifPresent(l -> {
            String v = l < 0 ? "max" : Long.toString(l);
            write(cg, path, "pids", "pids.max", v);
        });
        for (Map.Entry<String, String> e : r.unified().entrySet()) {
            Path dir = cg.hierarchies().stream().filter(Cgroups.Hierarchy::v2).findFirst()
                    .orElseThrow(() -> new RuntimeError("update: unified " + e.getKey() + ": no cgroup2 hierarchy"))
                    .mount().resolve(path.substring(1));
            Path f = dir.resolve(e.getKey());
            if (e.getKey().contains("/") || !Files.exists(f)) {
                throw new RuntimeError("update: unified " + e.getKey() + ": no such file in " + dir);
            }
            Cgroups.write(f, e.getValue());
        }
        return warnings;
    }

    private static boolean isZero(Json j) {
        return j instanceof Json.Num n && n.value().signum() == 0
                || j instanceof Json.Arr a && a.items().isEmpty() || j instanceof Json.Null;
    }

    private static Optional<Long> nz(Optional<Long> v) {
        return v.filter(x -> x != 0);
    }

    /**
     * v1: memory.limit_in_bytes, memory.soft_limit_in_bytes, memory.memsw.limit_in_bytes (memory+swap);
     * the kernel refuses a memory limit above the memsw limit, so when both change the order follows the
     * direction of the change (runc's rule). v2: memory.max, memory.low, memory.swap.max (swap alone).
     */
    private static void memory(Cgroups cg, String path, Optional<Long> limit, Optional<Long> reservation,
            Optional<Long> swap) {
        Cgroups.Hierarchy h = hierarchy(cg, "memory");
        Path dir = dir(h, path);
        if (!h.v2()) {
            boolean hasSwap = Files.exists(dir.resolve("memory.memsw.limit_in_bytes"));
            if (limit.filter(l -> l == -1).isPresent() && swap.isEmpty() && hasSwap) {
                swap = Optional.of(-1L); // unlimited memory: unlimited swap too, unless swap was given
            }
            if (swap.isPresent() && !hasSwap) {
                throw new RuntimeError("update: --memory-swap: this kernel has no swap accounting "
                        + "(memory.memsw.limit_in_bytes is missing)");
            }
            boolean swapFirst = false;
            if (limit.isPresent() && swap.isPresent()) {
                long cur = Long.parseUnsignedLong(Cgroups.read(dir.resolve("memory.limit_in_bytes")).orElse("0").trim());
                swapFirst = swap.get() == -1 || Long.compareUnsigned(cur, swap.get()) < 0;
            }
            if (swapFirst) {
                memoryFile(dir, "memory.memsw.limit_in_bytes", swap.get());
            }
            if (limit.isPresent()) {
                memoryFile(dir, "memory.limit_in_bytes", limit.get());
            }
            if (swap.isPresent() && !swapFirst) {
                memoryFile(dir, "memory.memsw.limit_in_bytes", swap.get());
            }
            if (reservation.isPresent()) {
                memoryFile(dir, "memory.soft_limit_in_bytes", reservation.get());
            }
            return;
        }
        if (limit.isPresent()) {
            Cgroups.write(dir.resolve("memory.max"), limit.get() < 0 ? "max" : Long.toString(limit.get()));
        }
        if (swap.isPresent()) {
            // runc's conversion: config's swap is memory+swap, cgroup2's swap.max is swap alone
            String v;
            if (swap.get() < 0) {
                v = "max";
            } else {
                String cur = limit.map(String::valueOf).orElseGet(() -> Cgroups.read(dir.resolve("memory.max"))
                        .orElse("max").trim());
                if (cur.equals("max") || Long.parseLong(cur) < 0) {
                    throw new RuntimeError("update: --memory-swap needs a memory limit on cgroup2 (swap.max is "
                            + "memory-swap minus memory)");
                }
                long only = swap.get() - Long.parseLong(cur);
                if (only < 0) {
                    throw new RuntimeError("update: memory+swap limit " + swap.get() + " is below the memory limit "
                            + cur);
                }
                v = Long.toString(only);
            }
            Cgroups.write(dir.resolve("memory.swap.max"), v);
        }
        if (reservation.isPresent()) {
            Cgroups.write(dir.resolve("memory.low"), reservation.get() < 0 ? "max" : Long.toString(reservation.get()));
        }
    }

    private static void memoryFile(Path dir, String file, long value) {
        try {
            Files.writeString(dir.resolve(file), Long.toString(value));
        } catch (java.io.IOException e) {
            String usage = Cgroups.read(dir.resolve("memory.usage_in_bytes")).orElse("?").trim();
            String peak = Cgroups.read(dir.resolve("memory.max_usage_in_bytes")).orElse("?").trim();
            throw new RuntimeError("update: cannot set " + file + " to " + value + " (current usage " + usage
                    + ", peak usage " + peak + "): " + e.getMessage(), e);
        }
    }

    /** v1: cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us, rt, cpuset; v2: cpu.weight, cpu.max, cpuset. */
    private static void cpu(Cgroups cg, String path, Resources.Cpu c) {
        Optional<Long> shares = nz(c.shares());
        Optional<Long> quota = nz(c.quota());
        Optional<Long> period = nz(c.period());
        if (shares.isPresent() || quota.isPresent() || period.isPresent()
                || nz(c.realtimePeriod()).isPresent() || nz(c.realtimeRuntime()).isPresent()) {
            Cgroups.Hierarchy h = hierarchy(cg, "cpu");
            Path dir = dir(h, path);
            if (!h.v2()) {
                shares.ifPresent(s -> Cgroups.write(dir.resolve("cpu.shares"), Long.toString(s)));
                // the kernel checks quota against period: when one write is refused, try the other order
                try {
                    period.ifPresent(p -> Cgroups.write(dir.resolve("cpu.cfs_period_us"), Long.toString(p)));
                    quota.ifPresent(q -> Cgroups.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(q)));
                } catch (RuntimeError e) {
                    quota.ifPresent(q -> Cgroups.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(q)));
                    period.ifPresent(p -> Cgroups.write(dir.resolve("cpu.cfs_period_us"), Long.toString(p)));
                }
                nz(c.realtimePeriod()).ifPresent(p -> Cgroups.write(dir.resolve("cpu.rt_period_us"), Long.toString(p)));
                nz(c.realtimeRuntime()).ifPresent(p -> Cgroups.write(dir.resolve("cpu.rt_runtime_us"),
                        Long.toString(p)));
            } else {
                if (nz(c.realtimePeriod()).isPresent() || nz(c.realtimeRuntime()).isPresent()) {
                    throw new RuntimeError("update: realtime cpu limits do not exist in cgroup2");
                }
                // runc's shares → weight conversion: [2, 262144] onto [1, 10000]
                shares.ifPresent(s -> Cgroups.write(dir.resolve("cpu.weight"),
                        Long.toString(1 + ((s - 2) * 9999) / 262142)));
                if (quota.isPresent() || period.isPresent()) {
                    String[] cur = Cgroups.read(dir.resolve("cpu.max")).orElse("max 100000").trim().split(" ");
                    String q = quota.map(v -> v < 0 ? "max" : Long.toString(v)).orElse(cur[0]);
                    String p = period.map(String::valueOf).orElse(cur.length > 1 ? cur[1] : "100000");
                    Cgroups.write(dir.resolve("cpu.max"), q + " " + p);
                }
            }
        }
        c.cpus().filter(s -> !s.isEmpty()).ifPresent(s -> write(cg, path, "cpuset", "cpuset.cpus", s));
        c.mems().filter(s -> !s.isEmpty()).ifPresent(s -> write(cg, path, "cpuset", "cpuset.mems", s));
    }

    private static void write(Cgroups cg, String path, String controller, String file, String value) {
        Path f = dir(hierarchy(cg, controller), path).resolve(file);
        if (!Files.exists(f)) {
            throw new RuntimeError("update: " + f + " does not exist (is the container's " + controller
                    + " cgroup there?)");
        }
        Cgroups.write(f, value);
    }

    private static Cgroups.Hierarchy hierarchy(Cgroups cg, String controller) {
        return cg.controller(controller).orElseThrow(() -> new RuntimeError("update: the " + controller
                + " controller is not available on this host"));
    }

    private static Path dir(Cgroups.Hierarchy h, String path) {
        Path d = h.mount().resolve(path.substring(1));
        if (!Files.isDirectory(d)) {
            throw new RuntimeError("update: the container's cgroup " + d + " does not exist");
        }
        return d;
    }
}
