package io.berth.runtime;

import static io.berth.runtime.LinuxConstants.*;

import io.berth.runtime.seccomp.SeccompCompiler;
import io.berth.spec.runtime.Device;
import io.berth.spec.runtime.IdMapping;
import io.berth.spec.runtime.Linux;
import io.berth.spec.runtime.Mount;
import io.berth.spec.runtime.Namespace;
import io.berth.spec.runtime.Process;
import io.berth.spec.runtime.Seccomp;
import io.berth.spec.runtime.Spec;
import io.berth.spec.runtime.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a container's config.json into the plan runtime-init executes. Everything OCI-specific is
 * decided here; the C side only performs syscalls in the order given.
 */
public final class PlanCompiler {

    /** What create needs besides the spec: where things live on the host. */
    public record Inputs(Spec spec, Path bundle, Path stateDir, List<String> cgroupProcs, boolean noPivot,
            int preserveFds, boolean foreground, Path hostBounding, String cgroupPath, Optional<Path> consoleSocket) {}

    private PlanCompiler() {}

    public static Plan compile(Inputs in) {
        Spec spec = in.spec();
        Process proc = spec.process().orElseThrow(() -> new RuntimeError(
                "config.json: process is missing; runtime.md \"Start\": MUST generate an error if process was not set"));
        proc.selinuxLabel().filter(s -> !s.isEmpty()).ifPresent(s -> {
            throw new RuntimeError("process.selinuxLabel: SELinux is not enabled on this host");
        });
        Linux linux = spec.linux().orElseThrow(() -> new RuntimeError("config.json: linux is missing"));
        if (linux.intelRdt().isPresent()) {
            throw new RuntimeError("linux.intelRdt: no resctrl filesystem is mounted on this host (config-linux.md: "
                    + "the runtime MUST generate an error)");
        }
        Path rootfs = in.bundle().resolve(spec.root().orElseThrow(() -> new RuntimeError(
                "config.json: root is missing")).path()).normalize();
        if (!Files.isDirectory(rootfs)) {
            throw new RuntimeError("root.path: " + rootfs + " is not a directory");
        }
        Plan plan = new Plan();
        boolean devpts = spec.mounts().stream().anyMatch(m -> m.destination().equals("/dev/pts"));
        if (proc.terminal() && !devpts) {
            throw new RuntimeError("process.terminal: the container's pty comes from its own devpts, but no mount "
                    + "has destination /dev/pts");
        }

        // --- parent stage: the console socket (a host path), inherited fds, cgroups, namespaces ---
        consoleSource(plan, proc.terminal(), in.consoleSocket(), in.foreground(), "create");
        if (in.preserveFds() > 0) {
            plan.op("inherit", ProcessHandle.current().pid(), in.preserveFds());
        }
        for (String procs : in.cgroupProcs()) {
            plan.op("cgroup", procs);
        }
        long cloneFlags = 0;
        boolean userns = false;
        // config-linux.md "Namespaces": "If a path is specified, the runtime MUST ... join it"; the user
        // namespace first, so the others are joined with its credentials.
        List<Namespace> ordered = new ArrayList<>(linux.namespaces());
        ordered.sort((a, b) -> Boolean.compare(b.type() == Namespace.Type.USER, a.type() == Namespace.Type.USER));
        for (Namespace ns : ordered) {
            long flag = switch (ns.type()) {
                case PID -> CLONE_NEWPID;
                case NETWORK -> CLONE_NEWNET;
                case MOUNT -> CLONE_NEWNS;
                case IPC -> CLONE_NEWIPC;
                case UTS -> CLONE_NEWUTS;
                case USER -> CLONE_NEWUSER;
                case CGROUP -> CLONE_NEWCGROUP;
                case TIME -> CLONE_NEWTIME;
            };
            if (ns.path().isPresent()) {
                plan.op("setns", flag, ns.path().get());
            } else if (ns.type() == Namespace.Type.TIME) {
                plan.op("unshare", flag); // only unshare can make one; it applies to the children
                linux.timeOffsets().ifPresent(t -> plan.op("timens", timeOffsets(t)));
            } else {
                cloneFlags |= flag;
                userns |= ns.type() == Namespace.Type.USER;
            }
        }
        if (linux.timeOffsets().isPresent()
                && linux.namespace(Namespace.Type.TIME).map(n -> n.path().isPresent()).orElse(true)) {
            throw new RuntimeError("linux.timeOffsets: offsets need a new time namespace (a \"time\" entry without "
                    + "a path in linux.namespaces)");
        }
        plan.op("clone", cloneFlags);
        if (userns) {
            if (linux.uidMappings().isEmpty() || linux.gidMappings().isEmpty()) {
                throw new RuntimeError("linux.uidMappings/gidMappings: a new user namespace needs both mappings");
            }
            plan.op("uidmap", map(linux.uidMappings()));
            plan.op("gidmap", map(linux.gidMappings()));
        }
        Path fifo = in.stateDir().resolve("exec.fifo");
        // The container's root opens the fifo for writing: owned by it (its host uid in a user namespace).
        plan.op("mkfifo", fifo, hostId(linux.uidMappings(), userns), hostId(linux.gidMappings(), userns));
        plan.op("fifo", in.stateDir(), fifo.getFileName());
        if (in.foreground()) {
            plan.op("wait");
        }

        // --- child stage: the filesystem (before pivot_root, paths resolved inside the rootfs) ---
        boolean mountns = hasMountNamespace(spec);
        if (mountns) {
            // config-linux.md "rootfsPropagation"; without it "/" becomes rslave, so host mounts still
            // propagate in but nothing propagates out.
            plan.op("propagation", linux.rootfsPropagation().map(PROPAGATION::get).orElse(MS_SLAVE | MS_REC));
            plan.op("rootfs", rootfs);
        } else {
            // config-linux.md "Namespaces": without a mount entry the container "MUST inherit the runtime
            // namespace": its mounts are made in the runtime's own (under the rootfs, which is bound onto
            // itself so that delete can take them all away with one lazy unmount), nothing about the
            // host's propagation is changed, and chroot stands in for pivot_root (which would move the
            // host's root), as runc does.
            if (linux.rootfsPropagation().isPresent()) {
                throw new RuntimeError("linux.rootfsPropagation: needs a mount namespace (it would change the "
                        + "host's mounts)");
            }
            plan.op("rootfs-host", rootfs);
        }
        for (Mount m : spec.mounts()) {
            if (userns && (m.options().contains("idmap") || m.options().contains("ridmap"))) {
                throw new RuntimeError("mounts[" + m.destination() + "]: idmapped mounts in a container with its "
                        + "own user namespace are not supported yet by berth-runtime");
            }
            mount(plan, m, in.bundle(), in.cgroupPath());
        }
        devices(plan, linux, userns);
        // runtime-linux.md "Dev symbolic links"
        plan.op("symlink", "/proc/self/fd", "/dev/fd");
        plan.op("symlink", "/proc/self/fd/0", "/dev/stdin");
        plan.op("symlink", "/proc/self/fd/1", "/dev/stdout");
        plan.op("symlink", "/proc/self/fd/2", "/dev/stderr");
        if (devpts) {
            plan.op("symlink", "pts/ptmx", "/dev/ptmx");
        }
        proc.oomScoreAdj().ifPresent(o -> plan.op("oom", o));
        // config.md: prestart and createRuntime hooks run "before pivot_root"; the init waits for them.
        if (!spec.hooks().prestart().isEmpty() || !spec.hooks().createRuntime().isEmpty()) {
            plan.op("sync");
        }
        // config.md "createContainer": after createRuntime, in the container's namespaces, before pivot_root
        // (the host's / still visible, as the spec's "path MUST resolve in the runtime namespace" needs).
        String id = in.stateDir().getFileName().toString(); // the state directory is <root>/<id>
        hooks(plan, "createContainer", spec.hooks().createContainer(), new State(Container.OCI_VERSION, id,
                State.Status.CREATING, Optional.of(PID_MARK), in.bundle().toString(), spec.annotations()), proc.env());
        plan.op(in.noPivot() || !mountns ? "chroot" : "pivot");

        // --- after pivot_root: paths are the container's own ---
        // sysctl before readonlyPaths: /proc/sys is usually one of them (runc's order too)
        linux.sysctl().forEach((k, v) -> plan.op("sysctl", k.replace('.', '/'), v));
        linux.personality().ifPresent(p -> plan.op("personality", personality(p)));
        for (String p : linux.maskedPaths()) {
            plan.op("mask", p);
        }
        for (String p : linux.readonlyPaths()) {
            plan.op("readonly", p);
        }
        if (proc.terminal()) {
            console(plan, proc, true);
        }
        if (spec.root().get().readonly()) {
            plan.op("rootro");
        }
        boolean uts = linux.namespace(Namespace.Type.UTS).isPresent();
        spec.hostname().filter(h -> !h.isEmpty()).ifPresent(h -> {
            if (!uts) {
                throw new RuntimeError("hostname: setting a hostname needs a uts namespace (config.md \"Hostname\")");
            }
            plan.op("hostname", h);
        });
        spec.domainname().filter(h -> !h.isEmpty()).ifPresent(h -> plan.op("domainname", h));
        checkRlimits(proc.rlimits(), Path.of("/proc/self/limits"), in.hostBounding());
        for (Process.Rlimit r : proc.rlimits()) {
            int n = RLIMITS.indexOf(r.type());
            if (n < 0) {
                throw new RuntimeError("process.rlimits: unknown type " + r.type());
            }
            plan.op("rlimit", n, Long.toUnsignedString(r.soft()), Long.toUnsignedString(r.hard()));
        }
        plan.op("umask", "0" + Long.toOctalString(proc.user().umask().orElse(022L)));
        linux.seccomp().ifPresent(s -> seccomp(plan, s, proc));
        identity(plan, proc, in.hostBounding());
        plan.op("cwd", proc.cwd());
        if (proc.noNewPrivileges()) {
            plan.op("nnp");
        }
        plan.op("preserve", in.preserveFds());
        for (String e : proc.env()) {
            plan.op("env", e);
        }
        if (proc.args().isEmpty()) {
            throw new RuntimeError("process.args: REQUIRED and must not be empty");
        }
        for (String a : proc.args()) {
            plan.op("arg", a);
        }
        // config.md "startContainer": run by the init once start released it, in the container, just before
        // the user process; the state says "created", as runc's does
        hooks(plan, "startContainer", spec.hooks().startContainer(), new State(Container.OCI_VERSION, id,
                State.Status.CREATED, Optional.of(PID_MARK), in.bundle().toString(), spec.annotations()), proc.env());
        plan.op("exec");
        return plan;
    }

    /** Stands for the pid in a hook's state JSON; runtime-init puts the container's host pid there. */
    private static final long PID_MARK = 7_777_777_777_777L;

    /**
     * Hooks run by runtime-init: argv and env entries, then the hook with its timeout and the state split
     * around the pid. Without an env of its own a hook gets the process's (runc's hooks inherit its init's
     * environment, which is the process's by then).
     */
    private static void hooks(Plan plan, String phase, List<io.berth.spec.runtime.Hook> hooks, State state,
            List<String> processEnv) {
        if (hooks.isEmpty()) {
            return;
        }
        String json = new String(state.toBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String mark = Long.toString(PID_MARK);
        int at = json.indexOf(mark);
        for (io.berth.spec.runtime.Hook h : hooks) {
            if (!h.path().startsWith("/")) {
                throw new RuntimeError("hooks." + phase + ": path \"" + h.path() + "\" MUST be absolute");
            }
            for (String a : h.args().isEmpty() ? List.of(h.path()) : h.args()) {
                plan.op("hookarg", a);
            }
            for (String e : h.env().isEmpty() ? processEnv : h.env()) {
                plan.op("hookenv", e);
            }
            plan.op("hook", phase, h.path(), h.timeout().orElse(0), json.substring(0, at),
                    json.substring(at + mark.length()));
        }
    }

    /**
     * runc's exec: a new process in a running container. The init stage joins the container's cgroups and
     * namespaces (the mount namespace last: after it, paths resolve inside the container), then forks into
     * them; no mounts, no exec fifo.
     */
    public static Plan compileExec(Process proc, long containerPid, List<String> cgroupProcs, boolean foreground,
            Path hostBounding, List<Namespace> namespaces, Optional<Path> consoleSocket, Optional<Seccomp> seccomp) {
        Plan plan = new Plan();
        consoleSource(plan, proc.terminal(), consoleSocket, foreground, "exec");
        for (String procs : cgroupProcs) {
            plan.op("cgroup", procs);
        }
        // /proc/<pid>/ns names, user first and mnt last
        List<String[]> order = List.of(new String[] {"user", Long.toString(CLONE_NEWUSER)},
                new String[] {"ipc", Long.toString(CLONE_NEWIPC)}, new String[] {"uts", Long.toString(CLONE_NEWUTS)},
                new String[] {"net", Long.toString(CLONE_NEWNET)}, new String[] {"pid", Long.toString(CLONE_NEWPID)},
                new String[] {"cgroup", Long.toString(CLONE_NEWCGROUP)}, new String[] {"mnt", Long.toString(CLONE_NEWNS)});
        for (String[] ns : order) {
            Namespace.Type t = switch (ns[0]) {
                case "user" -> Namespace.Type.USER;
                case "ipc" -> Namespace.Type.IPC;
                case "uts" -> Namespace.Type.UTS;
                case "net" -> Namespace.Type.NETWORK;
                case "pid" -> Namespace.Type.PID;
                case "cgroup" -> Namespace.Type.CGROUP;
                default -> Namespace.Type.MOUNT;
            };
            if (namespaces.stream().anyMatch(n -> n.type() == t)) {
                plan.op("setns", ns[1], "/proc/" + containerPid + "/ns/" + ns[0]);
            }
        }
        plan.op("clone", 0);
        if (foreground) {
            plan.op("wait");
        }
        if (proc.terminal()) {
            console(plan, proc, false);
        }
        checkRlimits(proc.rlimits(), Path.of("/proc/self/limits"), hostBounding);
        for (Process.Rlimit r : proc.rlimits()) {
            plan.op("rlimit", RLIMITS.indexOf(r.type()), Long.toUnsignedString(r.soft()),
                    Long.toUnsignedString(r.hard()));
        }
        plan.op("umask", "0" + Long.toOctalString(proc.user().umask().orElse(022L)));
        seccomp.ifPresent(s -> seccomp(plan, s, proc)); // runc's exec applies the container's profile too
        identity(plan, proc, hostBounding);
        plan.op("cwd", proc.cwd());
        if (proc.noNewPrivileges()) {
            plan.op("nnp");
        }
        plan.op("preserve", 0);
        for (String e : proc.env()) {
            plan.op("env", e);
        }
        if (proc.args().isEmpty()) {
            throw new RuntimeError("exec: no command given");
        }
        for (String a : proc.args()) {
            plan.op("arg", a);
        }
        plan.op("exec");
        return plan;
    }

    /**
     * Where the pty master goes (runc's rules): the --console-socket, connected by runtime-init before any
     * setns or pivot_root since it is a host path; or, in the foreground without one, runtime-init's parent
     * stage, which copies it to and from the caller's terminal.
     */
    private static void consoleSource(Plan plan, boolean terminal, Optional<Path> socket, boolean foreground,
            String cmd) {
        if (!terminal) {
            if (socket.isPresent()) {
                throw new RuntimeError("--console-socket: process.terminal is false, so there is no pty to send "
                        + "(runc: cannot use console socket if runc will not detach or allocate tty)");
            }
            return;
        }
        if (socket.isPresent()) {
            if (foreground) {
                throw new RuntimeError("--console-socket: only with --detach (or create); in the foreground the "
                        + "container uses the caller's terminal (runc: cannot use console socket if runc will not "
                        + "detach or allocate tty)");
            }
            plan.op("consock", socket.get().toAbsolutePath());
        } else if (foreground) {
            plan.op("ttyproxy");
        } else {
            throw new RuntimeError("process.terminal is true: " + cmd + (cmd.equals("exec") ? " --detach" : "")
                    + " needs --console-socket PATH to send the pty master to (runc: cannot allocate tty if runc "
                    + "will detach without setting console socket)");
        }
    }

    /** The "console" op: config.md consoleSize, the process's uid owns the slave, as runc's does. */
    private static void console(Plan plan, Process proc, boolean devConsole) {
        long rows = proc.consoleSize().map(Process.ConsoleSize::height).orElse(0L);
        long cols = proc.consoleSize().map(Process.ConsoleSize::width).orElse(0L);
        if (rows > 0xFFFF || cols > 0xFFFF) {
            throw new RuntimeError("process.consoleSize: " + rows + "x" + cols + " exceeds a terminal's 65535");
        }
        plan.op("console", rows, cols, proc.user().uid(), devConsole ? 1 : 0);
    }

    /**
     * config-linux.md "Seccomp": the profile compiled to BPF here; runtime-init installs it right before
     * execve. seccomp(2) needs no_new_privs or CAP_SYS_ADMIN: with neither (CAP_SYS_ADMIN not among the
     * container's effective capabilities), runtime-init holds CAP_SYS_ADMIN until the filter is in.
     */
    static void seccomp(Plan plan, Seccomp s, Process proc) {
        SeccompCompiler.Filter f = SeccompCompiler.compile(s);
        boolean sysAdmin = proc.capabilities().isPresent()
                && proc.capabilities().get().effective().contains("CAP_SYS_ADMIN");
        boolean hold = !proc.noNewPrivileges() && !sysAdmin;
        plan.op("seccomp", f.flags(), hold ? 1 : 0, f.hex());
    }

    private static long hostId(List<IdMapping> ms, boolean userns) {
        if (!userns) {
            return 0;
        }
        return ms.stream().filter(m -> m.containerId() == 0).findFirst().map(IdMapping::hostId).orElseThrow(
                () -> new RuntimeError("linux.uidMappings/gidMappings: container id 0 is not mapped"));
    }

    private static String map(List<IdMapping> ms) {
        StringBuilder b = new StringBuilder();
        for (IdMapping m : ms) {
            b.append(m.containerId()).append(' ').append(m.hostId()).append(' ').append(m.size()).append('\n');
        }
        return b.toString();
    }

    /** Whether the container gets a mount namespace of its own (a new one or one joined by path). */
    static boolean hasMountNamespace(Spec spec) {
        return spec.linux().flatMap(l -> l.namespace(Namespace.Type.MOUNT)).isPresent();
    }

    /** config.md "Mounts": options split into mount(2) flags, propagation flags and data. */
    static void mount(Plan plan, Mount m, Path bundle, String cgroupPath) {
        String type = m.type().orElse("");
        long flags = 0, prop = 0, rset = 0, rclr = 0;
        String idmap = null;
        List<String> data = new ArrayList<>();
        for (String o : m.options()) {
            Flag f = MOUNT_FLAGS.get(o);
            if (f != null) {
                flags = (flags | f.set()) & ~f.clear();
            } else if (PROPAGATION.containsKey(o)) {
                prop |= PROPAGATION.get(o);
            } else if (RECURSIVE.containsKey(o)) {
                long[] sc = RECURSIVE.get(o);
                rset = (rset | sc[0]) & ~sc[1];
                rclr = (rclr | sc[1]) & ~sc[0];
            } else if (o.equals("idmap") || o.equals("ridmap")) {
                idmap = o;
            } else if (!o.equals("tmpcopyup")) {
                data.add(o);
            }
        }
        if (type.equals("bind")) {
            flags |= MS_BIND;
        }
        if (!m.destination().startsWith("/")) {
            throw new RuntimeError("mounts: destination \"" + m.destination() + "\" MUST be an absolute path");
        }
        String source = m.source().orElse(type);
        if ((flags & MS_BIND) != 0 && !source.startsWith("/")) {
            source = bundle.resolve(source).normalize().toString();
        }
        if (type.equals("cgroup")) {
            cgroupMount(plan, m.destination(), flags, cgroupPath);
            return;
        }
        if (idmap != null) {
            // config.md "Mounts": uidMappings/gidMappings convert the ids of the source filesystem (containerID
            // side) to those the mount shows (hostID side), as a user namespace with these mappings does
            if ((flags & MS_BIND) == 0) {
                throw new RuntimeError("mounts[" + m.destination() + "]: \"" + idmap + "\" needs a bind mount");
            }
            if (m.uidMappings().isEmpty() || m.gidMappings().isEmpty()) {
                throw new RuntimeError("mounts[" + m.destination() + "]: \"" + idmap
                        + "\" needs the mount's uidMappings and gidMappings");
            }
            // the namespace is made in the parent stage (the host's /proc names its maps), used in order
            plan.op("usernsfd", map(m.uidMappings()), map(m.gidMappings()));
            plan.op("idmap", idmap.equals("ridmap") ? 1 : 0);
        } else if (!m.uidMappings().isEmpty() || !m.gidMappings().isEmpty()) {
            throw new RuntimeError("mounts[" + m.destination() + "]: uidMappings/gidMappings need the \"idmap\" "
                    + "or \"ridmap\" option");
        }
        plan.op("mount", source, m.destination(), type, flags, prop, String.join(",", data));
        if (rset != 0 || rclr != 0) {
            plan.op("rattr", m.destination(), rset, rclr);
        }
    }

    /** MOUNT_ATTR_* bits of mount_setattr(2). */
    private static final long ATTR_RDONLY = 1, ATTR_NOSUID = 2, ATTR_NODEV = 4, ATTR_NOEXEC = 8, ATTR_ATIME = 0x70,
            ATTR_NOATIME = 0x10, ATTR_STRICTATIME = 0x20, ATTR_NODIRATIME = 0x80, ATTR_NOSYMFOLLOW = 0x200000;

    /** config.md "Mounts": the recursive options (runc's "rro" family), as {attr_set, attr_clr}. */
    static final java.util.Map<String, long[]> RECURSIVE = java.util.Map.ofEntries(
            java.util.Map.entry("rro", new long[] {ATTR_RDONLY, 0}), java.util.Map.entry("rrw", new long[] {0, ATTR_RDONLY}),
            java.util.Map.entry("rnosuid", new long[] {ATTR_NOSUID, 0}), java.util.Map.entry("rsuid", new long[] {0, ATTR_NOSUID}),
            java.util.Map.entry("rnodev", new long[] {ATTR_NODEV, 0}), java.util.Map.entry("rdev", new long[] {0, ATTR_NODEV}),
            java.util.Map.entry("rnoexec", new long[] {ATTR_NOEXEC, 0}), java.util.Map.entry("rexec", new long[] {0, ATTR_NOEXEC}),
            java.util.Map.entry("rnodiratime", new long[] {ATTR_NODIRATIME, 0}),
            java.util.Map.entry("rdiratime", new long[] {0, ATTR_NODIRATIME}),
            java.util.Map.entry("rrelatime", new long[] {0, ATTR_ATIME}),
            java.util.Map.entry("rnoatime", new long[] {ATTR_NOATIME, ATTR_ATIME}),
            java.util.Map.entry("rstrictatime", new long[] {ATTR_STRICTATIME, ATTR_ATIME}),
            java.util.Map.entry("rnosymfollow", new long[] {ATTR_NOSYMFOLLOW, 0}),
            java.util.Map.entry("rsymfollow", new long[] {0, ATTR_NOSYMFOLLOW}));

    /** The recursive mount options supported (for `features`). */
    public static final java.util.Set<String> RECURSIVE_OPTIONS = RECURSIVE.keySet();

    /** config-linux.md "Personality": domain LINUX or LINUX32; "Currently no flag values are supported." */
    static long personality(io.berth.spec.json.Json j) {
        io.berth.spec.json.Fields f = io.berth.spec.json.Fields.of(j, "linux.personality");
        if (f.raw("flags").filter(v -> !(v instanceof io.berth.spec.json.Json.Arr a) || !a.items().isEmpty()).isPresent()) {
            throw new RuntimeError("linux.personality.flags: no flag values are supported (config-linux.md)");
        }
        return switch (f.string("domain")) {
            case "LINUX" -> 0;
            case "LINUX32" -> 8; // PER_LINUX32
            default -> throw new RuntimeError("linux.personality.domain: \"" + f.string("domain")
                    + "\" is not LINUX or LINUX32");
        };
    }

    /** config-linux.md "timeOffsets": clock name to {secs, nanosecs}, as time_namespaces(7) lines. */
    static String timeOffsets(io.berth.spec.json.Json j) {
        io.berth.spec.json.Fields f = io.berth.spec.json.Fields.of(j, "linux.timeOffsets");
        StringBuilder b = new StringBuilder();
        for (String clock : f.json().members().keySet()) {
            if (!clock.equals("monotonic") && !clock.equals("boottime")) {
                throw new RuntimeError("linux.timeOffsets." + clock + ": only monotonic and boottime have offsets "
                        + "(time_namespaces(7))");
            }
            io.berth.spec.json.Fields c = f.object(clock);
            long secs = c.optLong("secs").orElse(0L);
            long nanos = c.optLong("nanosecs", 0, 999_999_999).orElse(0L);
            b.append(clock).append(' ').append(secs).append(' ').append(nanos).append('\n');
        }
        return b.toString();
    }

    /**
     * A "cgroup" mount on a v1 or hybrid host: a tmpfs with each hierarchy bound read-only beneath it
     * (a v1 hierarchy cannot be mounted a second time with another controller set). On a pure v2 host a
     * cgroup2 mount.
     */
    private static void cgroupMount(Plan plan, String dest, long flags, String cgroupPath) {
        Cgroups cg = Cgroups.detect();
        if (cg.hierarchies().stream().allMatch(Cgroups.Hierarchy::v2)) {
            plan.op("mount", "cgroup", dest, "cgroup2", flags, 0, "");
            return;
        }
        long base = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
        plan.op("mount", "tmpfs", dest, "tmpfs", base, 0, "mode=755");
        for (Cgroups.Hierarchy h : cg.hierarchies()) {
            // only the container's own cgroup, as runc binds it
            plan.op("mount", h.mount().resolve(cgroupPath.substring(1)).toString(),
                    dest + "/" + h.mount().getFileName(), "", MS_BIND | MS_REC
                    | (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)), 0, "");
        }
    }

    /** config-linux.md "Default Devices" and "Devices": mknod, or a bind of the host's node in a user ns. */
    private static void devices(Plan plan, Linux linux, boolean userns) {
        List<Device> all = new ArrayList<>();
        for (String[] d : new String[][] {{"/dev/null", "3"}, {"/dev/zero", "5"}, {"/dev/full", "7"},
                {"/dev/random", "8"}, {"/dev/urandom", "9"}}) {
            all.add(new Device("c", d[0], Optional.of(1L), Optional.of(Long.parseLong(d[1])), Optional.of(0666L),
                    Optional.of(0L), Optional.of(0L)));
        }
        all.add(new Device("c", "/dev/tty", Optional.of(5L), Optional.of(0L), Optional.of(0666L), Optional.of(0L),
                Optional.of(0L)));
        for (Device d : linux.devices()) {
            all.removeIf(x -> x.path().equals(d.path()));
            all.add(d);
        }
        for (Device d : all) {
            if (userns) {
                plan.op("bindev", d.path(), d.path());
                continue;
            }
            long typeBits = switch (d.type()) {
                case "c", "u" -> 0020000;
                case "b" -> 0060000;
                default -> 0010000; // p: a FIFO
            };
            plan.op("mknod", d.path(), typeBits | d.fileMode().orElse(0666L), d.major().orElse(0L),
                    d.minor().orElse(0L), d.uid().orElse(0L), d.gid().orElse(0L));
        }
    }

    /** config.md "User" and "capabilities": numbers and 64-bit masks for runtime-init's identity op. */
    private static void identity(Plan plan, Process proc, Path hostBounding) {
        Process.User u = proc.user();
        StringBuilder groups = new StringBuilder();
        for (long g : u.additionalGids()) {
            groups.append(groups.isEmpty() ? "" : ",").append(g);
        }
        Process.Capabilities c = proc.capabilities().orElse(new Process.Capabilities(List.of(), List.of(), List.of(),
                List.of(), List.of()));
        long bounding = hostBounding(hostBounding);
        plan.op("identity", u.uid(), u.gid(), groups, hex(mask(c.bounding(), bounding, "bounding")),
                hex(mask(c.effective(), bounding, "effective")), hex(mask(c.permitted(), bounding, "permitted")),
                hex(mask(c.inheritable(), bounding, "inheritable")), hex(mask(c.ambient(), bounding, "ambient")));
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static long mask(List<String> names, long hostBounding, String set) {
        long m = 0;
        for (String n : names) {
            int i = CAPS.indexOf(n);
            if (i < 0) {
                throw new RuntimeError("process.capabilities." + set + ": unknown capability " + n);
            }
            if ((hostBounding & (1L << i)) == 0) {
                throw new RuntimeError("process.capabilities." + set + ": " + n
                        + " is not in this host's bounding set, so no container can have it");
            }
            m |= 1L << i;
        }
        return m;
    }

    private static final int CAP_SYS_RESOURCE = 24;

    /**
     * A hard limit above the runtime's own needs CAP_SYS_RESOURCE in the initial user namespace (rlimits are
     * not namespaced); without it setrlimit fails with EPERM and runc prints only "operation not permitted".
     * Say which limit, both values, and why, before anything is created. {@code limits} is /proc/self/limits
     * (rows in resource order), {@code status} /proc/self/status (CapEff).
     */
    static void checkRlimits(List<Process.Rlimit> rlimits, Path limits, Path status) {
        if (rlimits.isEmpty() || (capSet(status, "CapEff:") & (1L << CAP_SYS_RESOURCE)) != 0) {
            return;
        }
        List<String> rows;
        try {
            rows = Files.readAllLines(limits);
        } catch (java.io.IOException e) {
            return; // setrlimit will report what it finds
        }
        for (Process.Rlimit r : rlimits) {
            int n = RLIMITS.indexOf(r.type());
            if (n < 0 || n + 1 >= rows.size()) {
                continue;
            }
            String[] cols = rows.get(n + 1).substring(26).trim().split("\\s+");
            long hard = cols.length > 1 && !cols[1].equals("unlimited") ? Long.parseLong(cols[1]) : -1L;
            if (hard >= 0 && Long.compareUnsigned(r.hard(), hard) > 0) {
                throw new RuntimeError("process.rlimits: " + r.type() + " hard limit " + Long.toUnsignedString(r.hard())
                        + " is above berth-runtime's own (" + hard + ") and raising it needs CAP_SYS_RESOURCE, which"
                        + " berth-runtime does not have here (missing from the bounding set?); ask for at most " + hard);
            }
        }
    }

    /** CapBnd of the runtime itself, from /proc/self/status. */
    static long hostBounding(Path status) {
        return capSet(status, "CapBnd:");
    }

    /** A capability set ("CapBnd:", "CapEff:") of the runtime itself, from /proc/self/status; -1 if absent. */
    private static long capSet(Path status, String line) {
        try {
            for (String l : Files.readAllLines(status)) {
                if (l.startsWith(line)) {
                    return Long.parseUnsignedLong(l.substring(line.length()).trim(), 16);
                }
            }
        } catch (java.io.IOException e) {
            throw new RuntimeError("reading " + status + ": " + e.getMessage(), e);
        }
        return -1L;
    }
}
