package io.berth.runtime;

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
     * stage writes itself into before it clones the container process.
     */
    public List<String> create(String path, Optional<Resources> resources) {
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
        resources.ifPresent(r -> devices(path, r));
        return procs;
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
            m.kernel().ifPresent(k -> {
                throw new RuntimeError("linux.resources.memory.kernel: kernel memory limits are not supported "
                        + "by this kernel (removed in Linux 6.x)");
            });
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
        if (r.blockIO().isPresent()) {
            throw new RuntimeError("linux.resources.blockIO: not supported yet by berth-runtime");
        }
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
    private void devices(String path, Resources r) {
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
