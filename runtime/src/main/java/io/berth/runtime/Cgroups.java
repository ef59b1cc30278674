package io.berth.runtime;

import io.berth.spec.json.Json;
import io.berth.spec.runtime.Device;
import io.berth.spec.runtime.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Control groups (config-linux.md "Control groups") on cgroup v1, v2 and hybrid hosts. Each controller is
 * looked up on its own: on this machine memory/pids/cpu are v1 while hugetlb exists only in the cgroup2
 * hierarchy (DESIGN.md "This machine"). The container joins every mounted hierarchy at the same path.
 */
public final class Cgroups {

    /** A mounted hierarchy: its mount point, whether it is cgroup2, and the controllers it has. */
    public record Hierarchy(Path mount, boolean v2, List<String> controllers) {}

    private final List<Hierarchy> hierarchies;

    public Cgroups(List<Hierarchy> hierarchies) {
        this.hierarchies = List.copyOf(hierarchies);
    }

    /** Reads /proc/self/mountinfo: "cgroup" mounts carry their controllers in the super options. */
    public static Cgroups detect() {
        List<Hierarchy> hs = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int dash = line.indexOf(" - ");
                if (dash < 0) {
                    continue;
                }
                String[] left = line.substring(0, dash).split(" ");
                String[] right = line.substring(dash + 3).split(" ");
                Path mount = Path.of(left[4].replace("\\040", " "));
                if (right[0].equals("cgroup")) {
                    List<String> ctrls = new ArrayList<>();
                    for (String o : right[2].split(",")) {
                        if (!o.equals("rw") && !o.equals("ro") && !o.contains("=") || o.startsWith("name=")) {
                            ctrls.add(o);
                        }
                    }
                    hs.add(new Hierarchy(mount, false, ctrls));
                } else if (right[0].equals("cgroup2")) {
                    String c = read(mount.resolve("cgroup.controllers")).orElse("").trim();
                    hs.add(new Hierarchy(mount, true, c.isEmpty() ? List.of() : List.of(c.split(" "))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/mountinfo", e);
        }
        return new Cgroups(hs);
    }

    public List<Hierarchy> hierarchies() {
        return hierarchies;
    }

    /** The hierarchy holding a controller: v1 first (a v1 controller cannot also be enabled in v2). */
    public Optional<Hierarchy> controller(String name) {
        return hierarchies.stream().filter(h -> !h.v2() && h.controllers().contains(name)).findFirst()
                .or(() -> hierarchies.stream().filter(h -> h.v2() && h.controllers().contains(name)).findFirst());
    }

    /**
     * config-linux.md "cgroupsPath": absolute paths are taken under each hierarchy's root; relative paths
     * and the default go under "/berth" (a fixed place, not the caller's own cgroup - chosen on purpose so
     * a container does not depend on where its runtime was started from).
     */
    public static String containerPath(Optional<String> cgroupsPath, String id, boolean systemd) {
        if (systemd) {
            throw new RuntimeError("--systemd-cgroup: this host has no systemd (PID 1 is not systemd), "
                    + "so a systemd slice cannot be honoured; use a cgroupfs cgroupsPath");
        }
        String p = cgroupsPath.orElse(id);
        if (p.contains("..")) {
            throw new RuntimeError("cgroupsPath \"" + p + "\": must not contain \"..\"");
        }
        return p.startsWith("/") ? p : "/berth/" + p;
    }

    /** Every hierarchy's directory for the container. */
    public List<Path> dirs(String path) {
        return hierarchies.stream().map(h -> h.mount().resolve(path.substring(1))).toList();
    }

    /**
     * Creates the container's cgroups and applies resources; returns the cgroup.procs files the init
     * stage writes itself into before it clones the container process. The nodes config.json creates
     * ({@code created}, linux.devices) are also allowed in the device cgroup, as runc allows them.
     */
    public List<String> create(String path, Optional<Resources> resources, List<Device> created) {
        Map<String, String> v1 = new LinkedHashMap<>();
        Map<String, String> v2 = new LinkedHashMap<>();
        resources.ifPresent(r -> translate(r, v1, v2));
        List<String> procs = new ArrayList<>();
        for (Hierarchy h : hierarchies) {
            Path dir = h.mount().resolve(path.substring(1));
            mkdirs(h, dir);
            procs.add(dir.resolve("cgroup.procs").toString());
        }
        apply(path, v1, false);
        apply(path, v2, true);
        resources.flatMap(Resources::blockIO).ifPresent(b -> blockIO(path, b));
        resources.flatMap(Resources::network).ifPresent(n -> network(path, n));
        resources.ifPresent(r -> devices(path, r, created));
        return procs;
    }

    /**
     * config-linux.md "Network": classID into net_cls.classid, priorities into net_prio.ifpriomap (one
     * "name priority" line each). Both are cgroup v1 controllers; without them the config is refused, as
     * runc refuses it, instead of a container that silently lacks them.
     */
    private void network(String path, Json network) {
        if (!(network instanceof Json.Obj o)) {
            throw new RuntimeError("linux.resources.network: not an object");
        }
        o.get("classID").filter(j -> !(j instanceof Json.Null)).ifPresent(c -> {
            if (!(c instanceof Json.Num n) || n.text().startsWith("-") || n.text().contains(".")) {
                throw new RuntimeError("linux.resources.network.classID: must be a non-negative integer");
            }
            write(v1Dir("net_cls", "linux.resources.network.classID", path).resolve("net_cls.classid"), n.text());
        });
        if (o.get("priorities").orElse(Json.Null.NULL) instanceof Json.Arr a) {
            for (Json p : a.items()) {
                if (!(p instanceof Json.Obj e)
                        || !(e.get("name").orElse(null) instanceof Json.Str name)
                        || !(e.get("priority").orElse(null) instanceof Json.Num prio)
                        || name.value().isEmpty() || name.value().contains(" ") || name.value().contains("\n")) {
                    throw new RuntimeError("linux.resources.network.priorities: each entry needs a name (an interface) "
                            + "and a priority");
                }
                write(v1Dir("net_prio", "linux.resources.network.priorities", path).resolve("net_prio.ifpriomap"),
                        name.value() + " " + prio.text());
            }
        }
    }

    private Path v1Dir(String controller, String field, String path) {
        Hierarchy h = controller(controller).filter(x -> !x.v2()).orElseThrow(() -> new RuntimeError(field
                + ": this host has no " + controller + " cgroup v1 hierarchy (cgroup2 has no " + controller + ")"));
        return h.mount().resolve(path.substring(1));
    }

    /** config-linux.md "Block IO" into the blkio (v1) or io (cgroup2) controller: see {@link BlockIo}. */
    void blockIO(String path, Json blockIO) {
        Optional<Hierarchy> h = controller("blkio").filter(x -> !x.v2()).or(() -> controller("io").filter(Hierarchy::v2));
        if (h.isEmpty()) {
            throw new RuntimeError("linux.resources.blockIO: this host has neither a cgroup v1 blkio hierarchy nor "
                    + "the cgroup2 io controller");
        }
        boolean v2 = h.get().v2();
        Path dir = h.get().mount().resolve(path.substring(1));
        for (BlockIo.Write w : v2 ? BlockIo.v2(blockIO) : BlockIo.v1(blockIO)) {
            Path f = w.files().stream().map(dir::resolve).filter(Files::exists).findFirst()
                    .orElseThrow(() -> new RuntimeError("linux.resources.blockIO." + w.field() + ": " + dir
                            + " has no " + String.join(" or ", w.files()) + " on this host (weights need the BFQ "
                            + "I/O scheduler)"));
            write(f, w.line());
        }
    }

    private void mkdirs(Hierarchy h, Path dir) {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null && parent.startsWith(h.mount()) && !parent.equals(h.mount())) {
            mkdirs(h, parent);
        }
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return;
        } catch (IOException e) {
            throw new RuntimeError("cgroup: mkdir " + dir + ": " + e.getMessage(), e);
        }
        // A new v1 cpuset is empty and nothing can join it until cpus and mems are set: copy the parent's.
        if (!h.v2() && h.controllers().contains("cpuset")) {
            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                if (read(dir.resolve(f)).orElse("").isBlank()) {
                    write(dir.resolve(f), read(dir.getParent().resolve(f)).orElse("").trim());
                }
            }
        }
    }

    /** config-linux.md "Memory", "CPU", "Pids", "Huge page limits", "Unified" → controller files. */
    private static void translate(Resources r, Map<String, String> v1, Map<String, String> v2) {
        r.memory().ifPresent(m -> {
            m.limit().ifPresent(l -> {
                v1.put("memory/memory.limit_in_bytes", String.valueOf(l));
                v2.put("memory/memory.max", l < 0 ? "max" : String.valueOf(l));
            });
            m.reservation().ifPresent(l -> {
                v1.put("memory/memory.soft_limit_in_bytes", String.valueOf(l));
                v2.put("memory/memory.low", l < 0 ? "max" : String.valueOf(l));
            });
            m.swap().ifPresent(l -> {
                // v1 memsw is memory+swap; v2 swap.max is swap alone (runc's conversion).
                v1.put("memory/memory.memsw.limit_in_bytes", String.valueOf(l));
                long swapOnly = l < 0 ? -1 : l - m.limit().orElse(0L);
                v2.put("memory/memory.swap.max", swapOnly < 0 ? "max" : String.valueOf(swapOnly));
            });
            m.swappiness().ifPresent(s -> v1.put("memory/memory.swappiness", String.valueOf(s)));
            // kernel and kernelTCP: "NOTE: kernel memory limits are deprecated ... runtimes MAY ignore them"
            // (config-linux.md "Memory"); Linux 6.x has no kmem files. Ignored, as runc does.
            if (m.disableOOMKiller().orElse(false)) {
                // v1 only: cgroup2 has no switch for it (runc ignores it there too).
                v1.put("memory/memory.oom_control", "1");
            }
        });
        r.pidsLimit().ifPresent(l -> {
            String v = l <= 0 ? "max" : String.valueOf(l);
            v1.put("pids/pids.max", v);
            v2.put("pids/pids.max", v);
        });
        r.cpu().ifPresent(c -> {
            c.shares().ifPresent(s -> {
                v1.put("cpu/cpu.shares", String.valueOf(s));
                v2.put("cpu/cpu.weight", String.valueOf(s == 0 ? 100 : 1 + ((s - 2) * 9999) / 262142));
            });
            c.period().ifPresent(p -> v1.put("cpu/cpu.cfs_period_us", String.valueOf(p)));
            c.quota().ifPresent(q -> v1.put("cpu/cpu.cfs_quota_us", String.valueOf(q)));
            if (c.quota().isPresent() || c.period().isPresent()) {
                long q = c.quota().orElse(-1L);
                v2.put("cpu/cpu.max", (q < 0 ? "max" : String.valueOf(q)) + " " + c.period().orElse(100000L));
            }
            c.cpus().filter(s -> !s.isEmpty()).ifPresent(s -> {
                v1.put("cpuset/cpuset.cpus", s);
                v2.put("cpuset/cpuset.cpus", s);
            });
            c.mems().filter(s -> !s.isEmpty()).ifPresent(s -> {
                v1.put("cpuset/cpuset.mems", s);
                v2.put("cpuset/cpuset.mems", s);
            });
        });
        for (Resources.HugepageLimit h : r.hugepageLimits()) {
            v1.put("hugetlb/hugetlb." + h.pageSize() + ".limit_in_bytes", String.valueOf(h.limit()));
            v2.put("hugetlb/hugetlb." + h.pageSize() + ".max", String.valueOf(h.limit()));
        }
        r.unified().forEach((k, v) -> v2.put(k.substring(0, Math.max(0, k.indexOf('.'))) + "/" + k, v));
    }

    /** Writes "controller/file" values into the hierarchy that has the controller in that version. */
    private void apply(String path, Map<String, String> files, boolean v2) {
        for (Map.Entry<String, String> e : files.entrySet()) {
            String ctrl = e.getKey().substring(0, e.getKey().indexOf('/'));
            String file = e.getKey().substring(ctrl.length() + 1);
            Optional<Hierarchy> h = controller(ctrl);
            if (h.isEmpty()) {
                if (!v2) {
                    continue; // reported once, from the v2 pass
                }
                throw new RuntimeError("linux.resources: the " + ctrl + " controller is not available on this host "
                        + "(neither a cgroup v1 hierarchy nor enabled in cgroup2); cannot set " + file);
            }
            if (h.get().v2() != v2) {
                continue;
            }
            Path f = h.get().mount().resolve(path.substring(1)).resolve(file);
            if (!Files.exists(f)) {
                throw new RuntimeError("linux.resources: " + f + " does not exist on this host (" + ctrl + " "
                        + (v2 ? "cgroup2" : "cgroup v1") + "); cannot set " + file + "=" + e.getValue());
            }
            write(f, e.getValue());
        }
    }

    /** config-linux.md "Allowed Device list", v1 devices controller; plus the default devices runc allows. */
    private void devices(String path, Resources r, List<Device> created) {
        Optional<Hierarchy> h = controller("devices");
        if (r.devices().isEmpty() || h.isEmpty()) {
            return;
        }
        if (h.get().v2()) {
            throw new RuntimeError("linux.resources.devices: cgroup2 device rules need an eBPF program; "
                    + "not supported yet by berth-runtime");
        }
        Path dir = h.get().mount().resolve(path.substring(1));
        List<String> rules = new ArrayList<>();
        for (Resources.DeviceRule d : r.devices()) {
            String rule = d.type().orElse("a") + " " + d.major().map(String::valueOf).orElse("*") + ":"
                    + d.minor().map(String::valueOf).orElse("*") + " " + d.access().orElse("rwm");
            rules.add((d.allow() ? "A" : "D") + rule);
        }
        for (Device d : created) {
            String type = d.type().equals("u") ? "c" : d.type();
            if ((type.equals("c") || type.equals("b")) && d.major().isPresent() && d.minor().isPresent()) {
                rules.add("A" + type + " " + d.major().get() + ":" + d.minor().get() + " rwm");
            }
        }
        for (String dflt : List.of("c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
                "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm")) {
            rules.add("A" + dflt);
        }
        for (String rule : rules) {
            write(dir.resolve(rule.charAt(0) == 'A' ? "devices.allow" : "devices.deny"), rule.substring(1));
        }
    }

    /** Pids in the container's cgroup (for kill --all), from the first hierarchy that lists any. */
    public List<Long> pids(String path) {
        for (Hierarchy h : hierarchies) {
            Optional<String> s = read(h.mount().resolve(path.substring(1)).resolve("cgroup.procs"));
            if (s.isPresent() && !s.get().isBlank()) {
                return s.get().lines().map(String::trim).filter(l -> !l.isEmpty()).map(Long::parseLong).toList();
            }
        }
        return List.of();
    }

    /**
     * Every pid in the container's cgroup and its descendants (runc's GetAllPids), from the first hierarchy
     * that lists any, in the order the kernel lists them.
     */
    public List<Long> allPids(String path) {
        for (Hierarchy h : hierarchies) {
            Path dir = h.mount().resolve(path.substring(1));
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Long> pids = new ArrayList<>();
            try (var walk = Files.walk(dir)) {
                for (Path d : walk.filter(Files::isDirectory).toList()) {
                    read(d.resolve("cgroup.procs")).ifPresent(s -> s.lines().map(String::trim)
                            .filter(l -> !l.isEmpty()).map(Long::parseLong).forEach(pids::add));
                }
            } catch (IOException | UncheckedIOException e) {
                continue; // the cgroup went away meanwhile: try the next hierarchy
            }
            if (!pids.isEmpty()) {
                return pids;
            }
        }
        return List.of();
    }

    /** delete: removes the leaf directories (they must be empty of processes by now). */
    public void destroy(String path) {
        // An exited task leaves its cgroup only once reaped; an orphaned container is reaped by whoever
        // adopted it (pid 1 or a subreaper), which can take a while on a loaded machine: retry up to 5 s.
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (Path dir : dirs(path)) {
            for (int i = 0; ; i++) {
                try {
                    Files.deleteIfExists(dir);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new RuntimeError("cgroup: rmdir " + dir + ": " + e.getMessage(), e);
                    }
                    try {
                        Thread.sleep(Math.min(1 + i, 10));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new RuntimeError("cgroup: rmdir " + dir + ": interrupted", ie);
                    }
                }
            }
        }
    }

    static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static void write(Path p, String value) {
        try {
            Files.writeString(p, value, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RuntimeError("cgroup: write " + value + " to " + p + ": " + e.getMessage(), e);
        }
    }
}
