package io.berth.runtime;

import io.berth.spec.runtime.Spec;
import io.berth.spec.runtime.State;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The runtime-spec operations (runtime.md "Operations") over a {@link StateStore}. */
public final class ContainerRuntime {

    /** Options of create (runc's flags). */
    public record CreateOptions(Path bundle, Optional<Path> pidFile, boolean noPivot, int preserveFds,
            boolean systemdCgroup, Optional<Path> consoleSocket) {
        public CreateOptions(Path bundle, Optional<Path> pidFile, boolean noPivot, int preserveFds,
                boolean systemdCgroup) {
            this(bundle, pidFile, noPivot, preserveFds, systemdCgroup, Optional.empty());
        }
    }

    private final StateStore store;

    public ContainerRuntime(Path root) {
        this.store = new StateStore(root);
    }

    public StateStore store() {
        return store;
    }

    /**
     * runtime.md "Create": apply everything but process.args, leave the init waiting on the exec fifo.
     * On any error the container does not exist afterwards ("generating an error MUST leave the state of
     * the environment as if the operation were never attempted").
     */
    public Container create(String id, CreateOptions opt) {
        return create(id, opt, false).container();
    }

    record Created(Container container, InitProcess.Started started) {}

    Created create(String id, CreateOptions opt, boolean foreground) {
        Trace.mark("create");
        StateStore.checkId(id);
        Path bundle = opt.bundle().toAbsolutePath().normalize();
        try (StateStore.Lock _ = store.createDir(id)) {
            Path dir = store.dir(id);
            Trace.mark("create: dir made, locked");
            // runtime-init starts while config.json is read and the cgroups are made (it waits for the plan)
            InitProcess.Spawning spawning = InitProcess.spawn(dir.resolve("init"));
            Trace.mark("create: spawn thread started");
            Spec spec;
            try {
                spec = loadSpec(bundle);
            } catch (RuntimeException e) {
                spawning.abandon();
                store.remove(id);
                throw e;
            }
            Trace.mark("create: config parsed");
            String cgroupPath = Cgroups.containerPath(spec.linux().flatMap(l -> l.cgroupsPath()), id,
                    opt.systemdCgroup());
            Path rootfs = bundle.resolve(spec.root().map(Spec.Root::path).orElse("rootfs")).normalize();
            Container c = new Container(id, State.Status.CREATING, Optional.empty(), 0, bundle.toString(),
                    rootfs.toString(), cgroupPath, created(Instant.now()), spec.annotations());
            Cgroups cgroups = null;
            InitProcess.Started started = null;
            try {
                store.save(c);
                // runtime.md "Create": later edits of config.json MUST NOT affect the container; keep a copy
                // for the hooks that run at start and delete.
                Files.copy(bundle.resolve("config.json"), dir.resolve("config.json"));
                Trace.mark("create: state saved, config copied");
                spec.linux().flatMap(l -> l.resources()).flatMap(r -> r.memory())
                        .filter(m -> m.kernel().isPresent() || m.kernelTCP().isPresent())
                        .ifPresent(m -> System.err.println("berth-runtime: warning: linux.resources.memory.kernel and "
                                + "kernelTCP are deprecated and ignored (config-linux.md \"Memory\"; runc ignores them too)"));
                Cgroups probe = Cgroups.detect();
                checkCgroupUnused(probe, cgroupPath);
                cgroups = probe; // from here on a failure removes the cgroups again
                List<String> procs = cgroups.create(cgroupPath, spec.linux().flatMap(l -> l.resources()),
                        spec.linux().map(l -> l.devices()).orElse(List.of()));
                Trace.mark("create: cgroups made");
                if (!PlanCompiler.hasMountNamespace(spec)) {
                    // the container's mounts land in the runtime's own namespace: delete unmounts them
                    Files.writeString(dir.resolve(HOST_MOUNTS), rootfs.toString());
                }
                Plan plan = PlanCompiler.compile(new PlanCompiler.Inputs(spec, bundle, dir, procs, opt.noPivot(),
                        opt.preserveFds(), foreground, Path.of("/proc/self/status"), cgroupPath,
                        opt.consoleSocket()));
                Trace.mark("create: plan compiled");
                Container creating = c;
                started = InitProcess.handshake(spawning, plan, pid -> {
                    // runtime.md lifecycle steps 3-4: prestart, then createRuntime; a failure fails create
                    State st = creating.with(pid, 0).state();
                    State s = new State(st.ociVersion(), st.id(), State.Status.CREATING, Optional.of(pid), st.bundle(),
                            st.annotations());
                    Hooks.run("prestart", spec.hooks().prestart(), s);
                    Hooks.run("createRuntime", spec.hooks().createRuntime(), s);
                });
                long pid = started.pid();
                Trace.mark("create: init ready");
                c = c.with(pid, ProcStat.startTime(pid).orElse(0L)).with(State.Status.CREATED);
                store.save(c);
                if (opt.pidFile().isPresent()) {
                    writePidFile(opt.pidFile().get(), pid);
                }
                if (!foreground) {
                    started.init().waitFor();
                }
                return new Created(c, started);
            } catch (RuntimeException | InterruptedException | IOException e) {
                if (started != null && started.pid() > 0) {
                    Native.kill(started.pid(), 9);
                }
                if (cgroups != null) {
                    try {
                        cgroups.destroy(cgroupPath);
                    } catch (RuntimeError ignored) {
                        // the original error matters more
                    }
                }
                if (started == null) {
                    // (nor are the mounts of an init that failed before "ready" taken away: the bind may not
                    // exist yet, and the mount on top of the rootfs could be the caller's own; runc's stay too)
                    spawning.abandon();
                } else {
                    unmountHostMounts(dir);
                }
                store.remove(id);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    throw new RuntimeError("create " + id + ": interrupted", e);
                }
                if (e instanceof IOException io) {
                    throw new RuntimeError("create " + id + ": " + io.getMessage(), io);
                }
                throw (RuntimeException) e;
            }
        }
    }

    /**
     * runc 1.1's checks before create: a frozen cgroup is refused (the new container would join it and hang
     * frozen - e.g. a paused container elsewhere with the same cgroup path), a non-empty one gets a warning.
     */
    private static void checkCgroupUnused(Cgroups cg, String path) {
        Optional<Freezer> f = Freezer.of(cg, path).filter(Freezer::frozen);
        if (f.isPresent()) {
            throw new RuntimeError("container's cgroup unexpectedly frozen: " + f.get().dir() + " (a paused container "
                    + "with the same cgroup path?)");
        }
        List<Long> pids = cg.allPids(path);
        if (!pids.isEmpty()) {
            System.err.println("berth-runtime: warning: container's cgroup " + path + " is not empty: " + pids.size()
                    + " process(es) found (another container with the same cgroup path?)");
        }
    }

    /** The container's hooks from its config.json copy; parsed only when there are any (a parse costs ms). */
    private io.berth.spec.runtime.Hooks hooks(String id) {
        try {
            byte[] b = Files.readAllBytes(store.dir(id).resolve("config.json"));
            if (!new String(b, java.nio.charset.StandardCharsets.UTF_8).contains("\"hooks\"")) {
                return io.berth.spec.runtime.Hooks.NONE;
            }
        } catch (IOException e) {
            throw new RuntimeError("read the config.json copy of " + id + ": " + e.getMessage(), e);
        }
        return loadSpec(store.dir(id)).hooks();
    }

    /** Go's RFC3339Nano, as runc writes "created": the fraction without trailing zeros. */
    static String created(Instant t) {
        String s = t.toString(); // ISO-8601 UTC with 0, 3, 6 or 9 fraction digits, ending in Z
        int dot = s.indexOf('.');
        if (dot < 0) {
            return s;
        }
        int end = s.length() - 1;
        while (end > dot + 1 && s.charAt(end - 1) == '0') {
            end--;
        }
        return (end == dot + 1 ? s.substring(0, dot) : s.substring(0, end)) + "Z";
    }

    static Spec loadSpec(Path bundle) {
        Path config = bundle.resolve("config.json");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(config);
        } catch (IOException e) {
            throw new RuntimeError("create: cannot read " + config + ": " + e.getMessage(), e);
        }
        Spec spec;
        try {
            spec = Spec.parse(bytes);
        } catch (RuntimeException e) {
            throw new RuntimeError("create: " + config + ": " + e.getMessage(), e);
        }
        // Versions runc 1.1 accepts (DESIGN.md): 1.0 to 1.3.
        String v = spec.ociVersion();
        if (!(v.length() >= 4 && v.startsWith("1.") && v.charAt(2) >= '0' && v.charAt(2) <= '3' && v.charAt(3) == '.')) {
            throw new RuntimeError("create: ociVersion " + spec.ociVersion() + " is not supported (1.0.x to 1.3.x)");
        }
        return spec;
    }

    /** The state file naming the rootfs of a container without a mount namespace of its own. */
    private static final String HOST_MOUNTS = "host-mounts";

    /**
     * A container without its own mount namespace mounted its /proc, /dev, ... in ours, under its rootfs
     * (bound onto itself): one lazy unmount of the rootfs takes them all away (runc leaves them behind).
     */
    private static void unmountHostMounts(Path stateDir) {
        Path marker = stateDir.resolve(HOST_MOUNTS);
        if (!Files.exists(marker)) {
            return;
        }
        try {
            String rootfs = Files.readString(marker).trim();
            int err = Native.umountDetach(rootfs);
            if (err != 0 && err != 22 /* EINVAL: not a mount point (init failed before binding it) */
                    && err != 2 /* ENOENT */) {
                System.err.println("berth-runtime: warning: unmount " + rootfs + ": errno " + err);
            }
        } catch (IOException e) {
            System.err.println("berth-runtime: warning: " + marker + ": " + e.getMessage());
        }
    }

    private static void writePidFile(Path file, long pid) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, Long.toString(pid));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RuntimeError("create: write pid file " + file + ": " + e.getMessage(), e);
        }
    }

    /** runtime.md "Start": only a created container; runs process.args by releasing the exec fifo. */
    public void start(String id) {
        try (StateStore.Lock _ = store.lock(id)) {
            Container c = store.load(id);
            Trace.mark("start: state loaded");
            if (c.status() != State.Status.CREATED) {
                throw new RuntimeError("cannot start container \"" + id + "\": it is " + c.status().json()
                        + ", not created");
            }
            Path fifo = store.dir(id).resolve("exec.fifo");
            // Opening the fifo waits for the container process to open its end. Should that process be dead
            // already, a watcher opens the writing end itself, so the read below sees EOF instead of hanging.
            long pid = c.pid().orElseThrow();
            Thread watcher = Thread.ofPlatform().daemon().name("exec-fifo-watcher").start(() -> {
                try {
                    while (ProcStat.alive(pid, c.startTime())) {
                        Thread.sleep(10);
                    }
                    Files.newOutputStream(fifo).close();
                } catch (InterruptedException | IOException e) {
                    // started normally (interrupted), or the fifo is gone
                }
            });
            // The init writes "0" once we opened the fifo, runs the startContainer hooks, and the fifo ends
            // when its execve succeeds; whatever follows the "0" is why it failed instead.
            byte[] got;
            try (InputStream in = Files.newInputStream(fifo)) {
                got = in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeError("start " + id + ": exec fifo " + fifo + ": " + e.getMessage(), e);
            } finally {
                watcher.interrupt();
            }
            Trace.mark("start: exec fifo read");
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                throw new RuntimeError("start " + id + ": remove " + fifo + ": " + e.getMessage(), e);
            }
            if (got.length == 0) {
                throw new RuntimeError("start " + id + ": the container process exited before it was started");
            }
            if (got.length > 1) {
                store.save(c.with(State.Status.STOPPED));
                throw new RuntimeError("start " + id + ": " + new String(got, 1, got.length - 1,
                        java.nio.charset.StandardCharsets.UTF_8).strip());
            }
            Container running = c.with(State.Status.RUNNING);
            store.save(running);
            Trace.mark("start: state saved");
            // runtime.md step 9: poststart hooks; a failure is an error (the container keeps running, as runc)
            Hooks.run("poststart", hooks(id).poststart(), running.state());
        }
    }

    /** runtime.md "Query State". */
    public Container state(String id) {
        StateStore.checkId(id);
        return store.load(id);
    }

    public List<Container> list() {
        return store.ids().stream().map(id -> {
            try {
                return Optional.of(store.load(id));
            } catch (RuntimeException e) {
                return Optional.<Container>empty(); // deleted meanwhile or unreadable
            }
        }).flatMap(Optional::stream).toList();
    }

    /**
     * runtime.md "Kill": only created, running (or paused) containers. With all, every process of its cgroup,
     * frozen meanwhile so none forks out of the list (as runc). A frozen task only acts on a signal once
     * thawed: for SIGKILL a paused container is thawed (runc does the same); other signals stay pending until
     * resume.
     */
    public void kill(String id, int signal, boolean all) {
        Container c = store.load(id);
        if (c.status() != State.Status.CREATED && c.status() != State.Status.RUNNING
                && c.status() != State.Status.PAUSED) {
            throw new RuntimeError("cannot kill container \"" + id + "\": it is " + c.status().json()
                    + " (runtime.md: only created or running containers)");
        }
        boolean paused = c.status() == State.Status.PAUSED;
        Cgroups cg = Cgroups.detect();
        Optional<Freezer> freezer = Freezer.of(cg, c.cgroupPath()).filter(f -> java.nio.file.Files.isDirectory(f.dir()));
        boolean frozenHere = false;
        if (all && !paused && freezer.isPresent()) {
            try {
                freezer.get().freeze();
                frozenHere = true;
            } catch (RuntimeError e) {
                // signal them anyway, as runc does when the freeze fails
            }
        }
        try {
            List<Long> pids = all ? cg.allPids(c.cgroupPath()) : List.of(c.pid().orElseThrow());
            if (pids.isEmpty()) {
                pids = List.of(c.pid().orElseThrow());
            }
            for (long pid : pids) {
                int err = Native.kill(pid, signal);
                if (err != 0 && err != 3 /* ESRCH: exited meanwhile */) {
                    throw new RuntimeError("kill " + id + ": kill(" + pid + ", " + signal + ") failed: errno " + err);
                }
            }
        } finally {
            if (freezer.isPresent() && (frozenHere || signal == 9 && freezer.get().frozen())) {
                freezer.get().thaw();
            }
        }
    }

    /** runc's pause: freezes every process of a created or running container; state then says "paused". */
    public void pause(String id) {
        try (StateStore.Lock _ = store.lock(id)) {
            Container c = store.load(id);
            if (c.status() != State.Status.CREATED && c.status() != State.Status.RUNNING) {
                throw new RuntimeError("cannot pause container \"" + id + "\": it is " + c.status().json()
                        + " (only a created or running container can be paused)");
            }
            Cgroups cg = Cgroups.detect();
            Freezer f = Freezer.require(cg, c.cgroupPath(), "pause " + id);
            List<Long> pids = new java.util.ArrayList<>(cg.allPids(c.cgroupPath()));
            if (pids.isEmpty()) {
                pids.add(c.pid().orElseThrow());
            }
            f.join(pids);
            f.freeze();
        }
    }

    /** runc's resume: thaws a paused container. */
    public void resume(String id) {
        try (StateStore.Lock _ = store.lock(id)) {
            Container c = store.load(id);
            if (c.status() != State.Status.PAUSED) {
                throw new RuntimeError("cannot resume container \"" + id + "\": it is " + c.status().json()
                        + ", not paused");
            }
            Freezer.require(Cgroups.detect(), c.cgroupPath(), "resume " + id).thaw();
        }
    }

    /** runc's ps: the pids in the container's cgroup (and below it), empty once nothing runs there. */
    public List<Long> processes(String id) {
        Container c = store.load(id);
        return Cgroups.detect().allPids(c.cgroupPath());
    }

    /** runc's events --stats: the cgroup statistics, as runc's types.Stats JSON. */
    public io.berth.spec.json.Json.Obj stats(String id) {
        Container c = store.load(id);
        if (c.status() == State.Status.STOPPED) {
            throw new RuntimeError("container with id " + id + " is not running");
        }
        return Events.stats(Cgroups.detect(), c.cgroupPath());
    }

    /** The container as events sees it: its cgroup path, or an error when it is stopped or gone. */
    public Container running(String id) {
        Container c = store.load(id);
        if (c.status() == State.Status.STOPPED) {
            throw new RuntimeError("container with id " + id + " is not running");
        }
        return c;
    }

    /** runc's update: new resource limits for a created, running or paused container. */
    public List<String> update(String id, Update.Request request) {
        try (StateStore.Lock _ = store.lock(id)) {
            Container c = store.load(id);
            if (c.status() == State.Status.STOPPED || c.status() == State.Status.CREATING) {
                throw new RuntimeError("cannot update container \"" + id + "\": it is " + c.status().json());
            }
            return Update.apply(Cgroups.detect(), c.cgroupPath(), request);
        }
    }

    /**
     * runtime.md "Delete": only a stopped container unless force (then SIGKILL first); removes the
     * cgroups and the state created by create, nothing else.
     */
    public void delete(String id, boolean force) {
        StateStore.checkId(id);
        if (!store.exists(id)) {
            throw StateStore.notFound(id);
        }
        try (StateStore.Lock _ = store.lock(id)) {
            Container c = store.load(id);
            if (c.status() == State.Status.CREATING) {
                // create holds this lock until it finishes: holding it now means that create died midway
                // (a stale entry), so whatever it left is cleaned up like a stopped container.
                c = c.with(State.Status.STOPPED);
                if (c.pid().isPresent()) {
                    Native.kill(c.pid().get(), 9);
                    waitGone(c);
                }
            }
            if (c.status() != State.Status.STOPPED) {
                if (!force) {
                    throw new RuntimeError("cannot delete container \"" + id + "\" that is not stopped: "
                            + c.status().json());
                }
                if (c.pid().isPresent()) {
                    Cgroups cg = Cgroups.detect();
                    List<Long> pids = cg.allPids(c.cgroupPath());
                    for (long p : pids.isEmpty() ? List.of(c.pid().get()) : pids) {
                        Native.kill(p, 9);
                    }
                    // frozen tasks die only once thawed (whatever the status said a moment ago)
                    Freezer.of(cg, c.cgroupPath()).filter(Freezer::frozen).ifPresent(Freezer::thaw);
                    waitGone(c);
                }
            }
            unmountHostMounts(store.dir(id));
            Cgroups.detect().destroy(c.cgroupPath());
            Trace.mark("delete: cgroups removed");
            // runtime.md step 13: poststop hooks; failures are warnings, the lifecycle continues
            Hooks.runWarning("poststop", hooks(id).poststop(), c.with(State.Status.STOPPED).state());
        }
        store.remove(id);
        Trace.mark("delete: state removed");
    }

    private static void waitGone(Container c) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcStat.alive(c.pid().get(), c.startTime())) {
            if (System.nanoTime() > deadline) {
                throw new RuntimeError("delete " + c.id() + ": process " + c.pid().get() + " did not exit after SIGKILL");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeError("delete " + c.id() + ": interrupted", e);
            }
        }
    }

    /**
     * runc's run: create, start, and unless detached wait for the container and delete it; the exit code is
     * the container's (128+signal when killed).
     */
    public int run(String id, CreateOptions opt, boolean detach) {
        Created created = create(id, opt, !detach);
        try {
            start(id);
        } catch (RuntimeError e) {
            delete(id, true);
            throw e;
        }
        if (detach) {
            return 0;
        }
        int status;
        try {
            status = created.started().init().waitFor();
            Trace.mark("run: container exited");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError("run " + id + ": interrupted", e);
        }
        delete(id, true);
        return status;

    }

    /**
     * runc's exec: runs {@code proc} in a created or running container; returns its exit code, or 0 at once
     * when detached (then the pid goes to pidFile).
     */
    public int exec(String id, java.util.function.UnaryOperator<io.berth.spec.runtime.Process> customize,
            boolean detach, Optional<Path> pidFile) {
        return exec(id, customize, detach, pidFile, Optional.empty());
    }

    /** exec with a terminal: the pty master goes to consoleSocket, or (foreground) to the caller's terminal. */
    public int exec(String id, java.util.function.UnaryOperator<io.berth.spec.runtime.Process> customize,
            boolean detach, Optional<Path> pidFile, Optional<Path> consoleSocket) {
        return exec(id, customize, detach, pidFile, consoleSocket, false);
    }

    /**
     * exec; a paused container only with {@code ignorePaused} (runc's --ignore-paused: the new process joins the
     * frozen cgroup and runs once the container is resumed).
     */
    public int exec(String id, java.util.function.UnaryOperator<io.berth.spec.runtime.Process> customize,
            boolean detach, Optional<Path> pidFile, Optional<Path> consoleSocket, boolean ignorePaused) {
        Container c = store.load(id);
        if (c.status() == State.Status.PAUSED && !ignorePaused) {
            throw new RuntimeError("cannot exec in a paused container \"" + id + "\" (use --ignore-paused to override)");
        }
        if (c.status() != State.Status.RUNNING && c.status() != State.Status.CREATED
                && c.status() != State.Status.PAUSED) {
            throw new RuntimeError("cannot exec in container \"" + id + "\": it is " + c.status().json());
        }
        Spec spec = loadSpec(store.dir(id));
        io.berth.spec.runtime.Process proc = customize.apply(spec.process().orElseThrow(
                () -> new RuntimeError("exec: the container has no process section")));
        List<String> procs = Cgroups.detect().dirs(c.cgroupPath()).stream()
                .map(d -> d.resolve("cgroup.procs").toString()).toList();
        Plan plan = PlanCompiler.compileExec(proc, c.pid().orElseThrow(), procs, !detach, Path.of("/proc/self/status"),
                spec.linux().map(l -> l.namespaces()).orElse(List.of()), consoleSocket,
                spec.linux().flatMap(l -> l.seccomp()));
        Path sock = store.dir(id).resolve("exec-" + ProcessHandle.current().pid());
        InitProcess.Started started = InitProcess.start(sock, plan, pid -> { });
        if (pidFile.isPresent()) {
            writePidFile(pidFile.get(), started.pid());
        }
        try {
            return started.init().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError("exec " + id + ": interrupted", e);
        }
    }
}
