package io.berth.runtime;

import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * runc's {@code events}: container statistics read from the cgroup files, written as runc's
 * {@code types.Stats} JSON (same member names, order and omissions, so a consumer of runc's output reads
 * ours), and OOM notices.
 *
 * <p>On a cgroup v1 or hybrid host only the v1 controllers are read, as runc's v1 manager does (on this
 * machine hugetlb is only in cgroup2, so it stays empty, as with runc). On a pure cgroup2 host the v2 files
 * are converted the way runc's fs2 manager converts them.
 */
public final class Events {
    private Events() {}

    /** runc reports kernel/user time from cpuacct.stat in USER_HZ ticks, which is 100 on Linux. */
    private static final long CLOCK_TICKS = 100;

    /** {"type": type, "id": id, "data": data} (data omitted when absent), runc's types.Event. */
    public static Json.Obj event(String type, String id, Optional<Json.Obj> data) {
        ObjBuilder b = new ObjBuilder().put("type", type).put("id", id);
        data.ifPresent(d -> b.put("data", d));
        return b.build();
    }

    /** The container's statistics: cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt, network_interfaces. */
    public static Json.Obj stats(Cgroups cg, String path) {
        boolean legacy = cg.hierarchies().stream().anyMatch(h -> !h.v2());
        Source s = new Source(cg, path, legacy);
        return new ObjBuilder()
                .put("cpu", cpu(s))
                .put("cpuset", cpuset(s))
                .put("memory", memory(s))
                .put("pids", pids(s))
                .put("blkio", blkio(s))
                .put("hugetlb", hugetlb(s))
                .put("intel_rdt", new ObjBuilder().build())
                .put("network_interfaces", Json.Null.NULL)
                .build();
    }

    /**
     * The number of OOM kills so far in the container's memory cgroup (v1 memory.oom_control "oom_kill",
     * v2 memory.events "oom_kill"); events reports each increase as an "oom" event.
     */
    public static long oomKills(Cgroups cg, String path) {
        Source s = new Source(cg, path, cg.hierarchies().stream().anyMatch(h -> !h.v2()));
        Optional<Path> d = s.dir("memory");
        if (d.isEmpty()) {
            return 0;
        }
        Map<String, BigDecimal> kv = keyValues(Cgroups.read(d.get().resolve(s.v2("memory") ? "memory.events"
                : "memory.oom_control")).orElse(""));
        return kv.getOrDefault("oom_kill", BigDecimal.ZERO).longValue();
    }

    /** Where a controller's files are for this container, and in which cgroup version. */
    private record Source(Cgroups cg, String path, boolean legacy) {
        Optional<Path> dir(String controller) {
            return hierarchy(controller).map(h -> h.mount().resolve(path.substring(1)));
        }

        Optional<Cgroups.Hierarchy> hierarchy(String controller) {
            return cg.controller(controller).filter(h -> !(legacy && h.v2()));
        }

        boolean v2(String controller) {
            return hierarchy(controller).map(Cgroups.Hierarchy::v2).orElse(false);
        }

        Optional<String> read(String controller, String file) {
            return dir(controller).flatMap(d -> Cgroups.read(d.resolve(file))).map(String::trim);
        }

        BigDecimal number(String controller, String file) {
            return read(controller, file).filter(v -> v.matches("-?\\d+")).map(BigDecimal::new).orElse(BigDecimal.ZERO);
        }
    }

    // ---- cpu ----

    private static Json.Obj cpu(Source s) {
        ObjBuilder usage = new ObjBuilder();
        ObjBuilder throttling = new ObjBuilder();
        if (s.v2("cpu") || !s.legacy() && s.dir("cpu").isEmpty()) {
            // cgroup2: cpu.stat exists in every cgroup, in microseconds
            Map<String, BigDecimal> st = keyValues(s.legacy() ? "" : readUnified(s, "cpu.stat"));
            BigDecimal k = BigDecimal.valueOf(1000);
            nonZero(usage, "total", st.getOrDefault("usage_usec", BigDecimal.ZERO).multiply(k));
            usage.put("kernel", num(st.getOrDefault("system_usec", BigDecimal.ZERO).multiply(k)));
            usage.put("user", num(st.getOrDefault("user_usec", BigDecimal.ZERO).multiply(k)));
            nonZero(throttling, "periods", st.getOrDefault("nr_periods", BigDecimal.ZERO));
            nonZero(throttling, "throttledPeriods", st.getOrDefault("nr_throttled", BigDecimal.ZERO));
            nonZero(throttling, "throttledTime", st.getOrDefault("throttled_usec", BigDecimal.ZERO).multiply(k));
            return new ObjBuilder().put("usage", usage.build()).put("throttling", throttling.build()).build();
        }
        nonZero(usage, "total", s.number("cpuacct", "cpuacct.usage"));
        List<Json> percpu = numbers(s.read("cpuacct", "cpuacct.usage_percpu").orElse(""));
        if (!percpu.isEmpty()) {
            usage.put("percpu", new Json.Arr(percpu));
        }
        // cpuacct.usage_all: "cpu user system" then one line per cpu, in ns
        List<Json> kernel = new ArrayList<>();
        List<Json> user = new ArrayList<>();
        List<String> lines = s.read("cpuacct", "cpuacct.usage_all").orElse("").lines().toList();
        for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = l.trim().split(" ");
            if (f.length == 3) {
                user.add(num(new BigDecimal(f[1])));
                kernel.add(num(new BigDecimal(f[2])));
            }
        }
        if (!kernel.isEmpty()) {
            usage.put("percpu_kernel", new Json.Arr(kernel));
            usage.put("percpu_user", new Json.Arr(user));
        }
        Map<String, BigDecimal> st = keyValues(s.read("cpuacct", "cpuacct.stat").orElse(""));
        BigDecimal perTick = BigDecimal.valueOf(1_000_000_000L / CLOCK_TICKS);
        usage.put("kernel", num(st.getOrDefault("system", BigDecimal.ZERO).multiply(perTick)));
        usage.put("user", num(st.getOrDefault("user", BigDecimal.ZERO).multiply(perTick)));
        Map<String, BigDecimal> th = keyValues(s.read("cpu", "cpu.stat").orElse(""));
        nonZero(throttling, "periods", th.getOrDefault("nr_periods", BigDecimal.ZERO));
        nonZero(throttling, "throttledPeriods", th.getOrDefault("nr_throttled", BigDecimal.ZERO));
        nonZero(throttling, "throttledTime", th.getOrDefault("throttled_time", BigDecimal.ZERO));
        return new ObjBuilder().put("usage", usage.build()).put("throttling", throttling.build()).build();
    }

    private static String readUnified(Source s, String file) {
        return s.cg().hierarchies().stream().filter(Cgroups.Hierarchy::v2).findFirst()
                .flatMap(h -> Cgroups.read(h.mount().resolve(s.path().substring(1)).resolve(file))).orElse("");
    }

    // ---- cpuset ----

    private static Json.Obj cpuset(Source s) {
        ObjBuilder b = new ObjBuilder();
        if (s.dir("cpuset").isEmpty()) {
            return cpusetZero(b);
        }
        boolean v2 = s.v2("cpuset");
        List<Json> cpus = ranges(s.read("cpuset", v2 ? "cpuset.cpus.effective" : "cpuset.cpus").orElse(""));
        List<Json> mems = ranges(s.read("cpuset", v2 ? "cpuset.mems.effective" : "cpuset.mems").orElse(""));
        if (!cpus.isEmpty()) {
            b.put("cpus", new Json.Arr(cpus));
        }
        b.put("cpu_exclusive", num(s.number("cpuset", "cpuset.cpu_exclusive")));
        if (!mems.isEmpty()) {
            b.put("mems", new Json.Arr(mems));
        }
        for (String f : List.of("mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
                "memory_spread_slab", "memory_pressure", "sched_load_balance", "sched_relax_domain_level")) {
            b.put(f, num(s.number("cpuset", "cpuset." + f)));
        }
        return b.build();
    }

    private static Json.Obj cpusetZero(ObjBuilder b) {
        b.put("cpu_exclusive", 0L);
        for (String f : List.of("mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
                "memory_spread_slab", "memory_pressure", "sched_load_balance", "sched_relax_domain_level")) {
            b.put(f, 0L);
        }
        return b.build();
    }

    // ---- memory ----

    private static Json.Obj memory(Source s) {
        ObjBuilder b = new ObjBuilder();
        if (s.dir("memory").isEmpty()) {
            return b.put("usage", entry(null, null, null, null)).put("swap", entry(null, null, null, null))
                    .put("kernel", entry(null, null, null, null)).put("kernelTCP", entry(null, null, null, null))
                    .build();
        }
        Map<String, BigDecimal> raw = keyValues(s.read("memory", "memory.stat").orElse(""));
        if (s.v2("memory")) {
            nonZero(b, "cache", raw.getOrDefault("file", BigDecimal.ZERO));
            BigDecimal usage = s.number("memory", "memory.current");
            BigDecimal swap = s.number("memory", "memory.swap.current");
            b.put("usage", entry(limit(s.read("memory", "memory.max")), usage, null, BigDecimal.ZERO));
            // runc's fs2: swap is reported as memory+swap, like v1's memsw
            b.put("swap", entry(limit(s.read("memory", "memory.swap.max")), usage.add(swap), null, BigDecimal.ZERO));
            b.put("kernel", entry(null, null, null, null));
            b.put("kernelTCP", entry(null, null, null, null));
        } else {
            nonZero(b, "cache", raw.getOrDefault("cache", BigDecimal.ZERO));
            b.put("usage", v1Entry(s, "memory."));
            b.put("swap", v1Entry(s, "memory.memsw."));
            b.put("kernel", v1Entry(s, "memory.kmem."));
            b.put("kernelTCP", v1Entry(s, "memory.kmem.tcp."));
        }
        if (!raw.isEmpty()) {
            ObjBuilder r = new ObjBuilder();
            new TreeMap<>(raw).forEach((k, v) -> r.put(k, num(v)));
            b.put("raw", r.build());
        }
        return b.build();
    }

    private static Json.Obj v1Entry(Source s, String prefix) {
        if (s.read("memory", prefix + "usage_in_bytes").isEmpty()) {
            return entry(null, null, null, null);
        }
        return entry(s.number("memory", prefix + "limit_in_bytes"), s.number("memory", prefix + "usage_in_bytes"),
                s.number("memory", prefix + "max_usage_in_bytes"), s.number("memory", prefix + "failcnt"));
    }

    /** v2 "max" is unlimited: runc reports math.MaxUint64. */
    private static BigDecimal limit(Optional<String> v) {
        if (v.isEmpty()) {
            return BigDecimal.ZERO;
        }
        return v.get().equals("max") ? new BigDecimal("18446744073709551615") : new BigDecimal(v.get());
    }

    /** runc's MemoryEntry: limit and failcnt always, usage and max when non-zero. */
    private static Json.Obj entry(BigDecimal limit, BigDecimal usage, BigDecimal max, BigDecimal failcnt) {
        ObjBuilder b = new ObjBuilder().put("limit", num(limit == null ? BigDecimal.ZERO : limit));
        nonZero(b, "usage", usage);
        nonZero(b, "max", max);
        return b.put("failcnt", num(failcnt == null ? BigDecimal.ZERO : failcnt)).build();
    }

    // ---- pids ----

    private static Json.Obj pids(Source s) {
        ObjBuilder b = new ObjBuilder();
        nonZero(b, "current", s.number("pids", "pids.current"));
        s.read("pids", "pids.max").filter(v -> !v.equals("max")).ifPresent(v -> nonZero(b, "limit", new BigDecimal(v)));
        return b.build();
    }

    // ---- blkio ----

    /** runc's order of v1 blkio file groups: the first group whose first file has entries wins. */
    private static final List<List<String[]>> BLKIO_GROUPS = List.of(
            List.of(new String[] {"blkio.bfq.sectors_recursive", "sectorsRecursive"},
                    new String[] {"blkio.bfq.io_service_time_recursive", "ioServiceTimeRecursive"},
                    new String[] {"blkio.bfq.io_wait_time_recursive", "ioWaitTimeRecursive"},
                    new String[] {"blkio.bfq.io_merged_recursive", "ioMergedRecursive"},
                    new String[] {"blkio.bfq.io_queued_recursive", "ioQueueRecursive"},
                    new String[] {"blkio.bfq.time_recursive", "ioTimeRecursive"},
                    new String[] {"blkio.bfq.io_serviced_recursive", "ioServicedRecursive"},
                    new String[] {"blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive"}),
            List.of(new String[] {"blkio.bfq.io_serviced_recursive", "ioServicedRecursive"},
                    new String[] {"blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive"}),
            List.of(new String[] {"blkio.sectors_recursive", "sectorsRecursive"},
                    new String[] {"blkio.io_service_time_recursive", "ioServiceTimeRecursive"},
                    new String[] {"blkio.io_wait_time_recursive", "ioWaitTimeRecursive"},
                    new String[] {"blkio.io_merged_recursive", "ioMergedRecursive"},
                    new String[] {"blkio.io_queued_recursive", "ioQueueRecursive"},
                    new String[] {"blkio.time_recursive", "ioTimeRecursive"},
                    new String[] {"blkio.io_serviced_recursive", "ioServicedRecursive"},
                    new String[] {"blkio.io_service_bytes_recursive", "ioServiceBytesRecursive"}),
            List.of(new String[] {"blkio.throttle.io_serviced_recursive", "ioServicedRecursive"},
                    new String[] {"blkio.throttle.io_service_bytes_recursive", "ioServiceBytesRecursive"}),
            List.of(new String[] {"blkio.throttle.io_serviced", "ioServicedRecursive"},
                    new String[] {"blkio.throttle.io_service_bytes", "ioServiceBytesRecursive"}));

    private static final List<String> BLKIO_ORDER = List.of("ioServiceBytesRecursive", "ioServicedRecursive",
            "ioQueueRecursive", "ioServiceTimeRecursive", "ioWaitTimeRecursive", "ioMergedRecursive",
            "ioTimeRecursive", "sectorsRecursive");

    private static Json.Obj blkio(Source s) {
        Map<String, List<Json>> found = new TreeMap<>();
        if (s.dir("blkio").isPresent() && !s.v2("blkio")) {
            for (List<String[]> group : BLKIO_GROUPS) {
                List<Json> first = blkioEntries(s.read("blkio", group.getFirst()[0]).orElse(""));
                if (first.isEmpty()) {
                    continue;
                }
                for (String[] f : group) {
                    found.put(f[1], blkioEntries(s.read("blkio", f[0]).orElse("")));
                }
                break;
            }
        }
        ObjBuilder b = new ObjBuilder();
        for (String k : BLKIO_ORDER) {
            if (found.containsKey(k) && !found.get(k).isEmpty()) {
                b.put(k, new Json.Arr(found.get(k)));
            }
        }
        return b.build();
    }

    /** "8:0 Read 4096" or "8:0 4096"; "Total N" lines are skipped. */
    private static List<Json> blkioEntries(String text) {
        List<Json> out = new ArrayList<>();
        for (String line : text.lines().toList()) {
            String[] f = line.trim().split("[ :]+");
            if (f.length < 3) {
                continue;
            }
            ObjBuilder e = new ObjBuilder();
            nonZero(e, "major", new BigDecimal(f[0]));
            nonZero(e, "minor", new BigDecimal(f[1]));
            if (f.length == 4) {
                e.put("op", f[2]);
            }
            nonZero(e, "value", new BigDecimal(f[f.length - 1]));
            out.add(e.build());
        }
        return out;
    }

    // ---- hugetlb ----

    private static Json.Obj hugetlb(Source s) {
        ObjBuilder b = new ObjBuilder();
        Optional<Path> dir = s.dir("hugetlb");
        if (dir.isEmpty()) {
            return b.build();
        }
        boolean v2 = s.v2("hugetlb");
        TreeMap<String, Json.Obj> sizes = new TreeMap<>();
        try (var files = java.nio.file.Files.list(dir.get())) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                String suffix = v2 ? ".current" : ".usage_in_bytes";
                if (n.startsWith("hugetlb.") && n.endsWith(suffix) && !n.contains(".rsvd.")) {
                    String size = n.substring("hugetlb.".length(), n.length() - suffix.length());
                    ObjBuilder e = new ObjBuilder();
                    nonZero(e, "usage", s.number("hugetlb", n));
                    if (!v2) {
                        nonZero(e, "max", s.number("hugetlb", "hugetlb." + size + ".max_usage_in_bytes"));
                        e.put("failcnt", num(s.number("hugetlb", "hugetlb." + size + ".failcnt")));
                    } else {
                        e.put("failcnt", num(keyValues(s.read("hugetlb", "hugetlb." + size + ".events").orElse(""))
                                .getOrDefault("max", BigDecimal.ZERO)));
                    }
                    sizes.put(size, e.build());
                }
            }
        } catch (java.io.IOException e) {
            return b.build(); // the cgroup went away meanwhile
        }
        sizes.forEach(b::put);
        return b.build();
    }

    // ---- helpers ----

    /** "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events) → numbers. */
    static Map<String, BigDecimal> keyValues(String text) {
        Map<String, BigDecimal> m = new java.util.LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[1].matches("-?\\d+")) {
                m.put(f[0], new BigDecimal(f[1]));
            }
        }
        return m;
    }

    /** "0-2,5" → [0, 1, 2, 5]. */
    static List<Json> ranges(String list) {
        List<Json> out = new ArrayList<>();
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            long from = Long.parseLong(dash < 0 ? part : part.substring(0, dash));
            long to = dash < 0 ? from : Long.parseLong(part.substring(dash + 1));
            for (long i = from; i <= to; i++) {
                out.add(Json.num(i));
            }
        }
        return out;
    }

    private static List<Json> numbers(String text) {
        List<Json> out = new ArrayList<>();
        for (String t : text.trim().split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(num(new BigDecimal(t)));
            }
        }
        return out;
    }

    private static Json num(BigDecimal v) {
        return Json.Num.of(v);
    }

    private static void nonZero(ObjBuilder b, String name, BigDecimal v) {
        if (v != null && v.signum() != 0) {
            b.put(name, num(v));
        }
    }
}
