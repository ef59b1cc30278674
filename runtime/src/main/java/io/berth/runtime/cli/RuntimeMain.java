package io.berth.runtime.cli;

import io.berth.runtime.Container;
import io.berth.runtime.ContainerRuntime;
import io.berth.runtime.LinuxConstants;
import io.berth.runtime.RuntimeError;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code berth-runtime}: runc's command line over {@link ContainerRuntime}. Arguments are parsed by hand
 * (no picocli: it costs 100+ ms at start, DESIGN.md "Startup cost").
 */
public final class RuntimeMain {

    /** Flags that take a value, per command ("" = global). Everything else starting with "-" is boolean. */
    private static final Map<String, Set<String>> VALUED = Map.of(
            "", Set.of("root", "log", "log-format", "criu", "rootless"),
            "create", Set.of("bundle", "b", "pid-file", "console-socket", "preserve-fds"),
            "run", Set.of("bundle", "b", "pid-file", "console-socket", "preserve-fds"),
            "list", Set.of("format", "f"),
            "exec", Set.of("process", "p", "pid-file", "console-socket", "env", "e", "cwd", "user", "u",
                    "preserve-fds", "process-label", "apparmor", "cap", "c", "cgroup"),
            "spec", Set.of("bundle", "b"),
            "delete", Set.of(),
            "kill", Set.of(),
            "start", Set.of(),
            "state", Set.of());

    private final PrintStream out;
    private final PrintStream err;
    private Map<String, String> global = Map.of();

    RuntimeMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        io.berth.runtime.Trace.mark("main");
        int code = new RuntimeMain(System.out, System.err).run(args);
        System.out.flush();
        System.exit(code);
    }

    /** Parsed arguments of one command: flags (name → value, "true" for booleans) and positionals. */
    record Args(Map<String, String> flags, List<String> positional, List<String[]> all) {
        /** Every value of a repeatable flag, in order. */
        List<String> values(String... names) {
            List<String> vs = new ArrayList<>();
            for (String[] kv : all) {
                if (List.of(names).contains(kv[0])) {
                    vs.add(kv[1]);
                }
            }
            return vs;
        }

        String flag(String... names) {
            for (String n : names) {
                if (flags.containsKey(n)) {
                    return flags.get(n);
                }
            }
            return null;
        }

        boolean bool(String... names) {
            String v = flag(names);
            return v != null && !v.equals("false");
        }
    }

    static Args parse(List<String> in, Set<String> valued, boolean stopAtFirstPositional) {
        Map<String, String> flags = new HashMap<>();
        List<String[]> all = new ArrayList<>();
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String a = in.get(i);
            if (a.equals("--")) {
                pos.addAll(in.subList(i + 1, in.size()));
                break;
            }
            if (a.startsWith("-") && a.length() > 1 && !(stopAtFirstPositional && !pos.isEmpty())) {
                String name = a.substring(a.startsWith("--") ? 2 : 1); // not replaceFirst: no regex at start
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (valued.contains(name)) {
                    if (i + 1 >= in.size()) {
                        throw new RuntimeError("flag --" + name + " needs a value");
                    }
                    value = in.get(++i);
                }
                flags.put(name, value == null ? "true" : value);
                all.add(new String[] {name, value == null ? "true" : value});
            } else {
                if (stopAtFirstPositional) {
                    pos.addAll(in.subList(i, in.size()));
                    break;
                }
                pos.add(a);
            }
        }
        return new Args(flags, pos, all);
    }

    int run(String[] argv) {
        try {
            Args g = parse(List.of(argv), VALUED.get(""), true);
            global = g.flags();
            if (g.positional().isEmpty()) {
                err.println("usage: berth-runtime [--root DIR] COMMAND [ARGS]\n"
                        + "commands: create start state kill delete run exec list ps pause resume events update spec "
                        + "features");
                return g.bool("version", "v") ? 0 : 1;
            }
            String cmd = g.positional().getFirst();
            List<String> rest = g.positional().subList(1, g.positional().size());
            Args a = parse(rest, VALUED.getOrDefault(cmd, Set.of()), false);
            ContainerRuntime rt = new ContainerRuntime(Path.of(Optional.ofNullable(g.flag("root")).orElse("/run/berth")));
            return switch (cmd) {
                case "create" -> {
                    rt.create(id(a, cmd), createOptions(a));
                    yield 0;
                }
                case "start" -> {
                    rt.start(id(a, cmd));
                    yield 0;
                }
                case "state" -> {
                    Container c = rt.state(id(a, cmd));
                    out.write(JsonCodec.writePretty(c.toStateJson()));
                    yield 0;
                }
                case "kill" -> {
                    String id = id(a, cmd);
                    String sig = a.positional().size() > 1 ? a.positional().get(1) : "TERM";
                    int n = LinuxConstants.signal(sig).orElseThrow(() -> new RuntimeError("invalid signal \"" + sig
                            + "\""));
                    rt.kill(id, n, a.bool("all", "a"));
                    yield 0;
                }
                case "delete" -> {
                    rt.delete(id(a, cmd), a.bool("force", "f"));
                    yield 0;
                }
                case "exec" -> exec(rt, g, rest);
                case "run" -> rt.run(id(a, cmd), createOptions(a), a.bool("detach", "d"));
                case "pause" -> {
                    rt.pause(id(a, cmd));
                    yield 0;
                }
                case "resume" -> {
                    rt.resume(id(a, cmd));
                    yield 0;
                }
                case "ps" -> PsCommand.run(rt, rest, out);
                case "events" -> EventsCommand.run(rt, rest, out, err);
                case "update" -> UpdateCommand.run(rt, rest, System.in, err);
                case "list" -> {
                    list(rt, Optional.ofNullable(a.flag("format", "f")).orElse("table"), a.bool("quiet", "q"));
                    yield 0;
                }
                case "spec" -> {
                    spec(a);
                    yield 0;
                }
                case "features" -> {
                    out.write(JsonCodec.writePretty(Features.json()));
                    yield 0;
                }
                case "__aot-train" -> {
                    AotTraining.run(this);
                    yield 0;
                }
                default -> throw new RuntimeError("unknown command \"" + cmd + "\"");
            };
        } catch (RuntimeError | io.berth.spec.json.JsonException e) {
            report(e.getMessage());
            return 1;
        } catch (IOException e) {
            report(e.toString());
            return 1;
        } catch (NumberFormatException e) {
            report("invalid number in the arguments: " + e.getMessage());
            return 1;
        }
    }

    /** runc exec [--process FILE | ID ARGS...]: flags only before the id, the command's own flags after. */
    private int exec(ContainerRuntime rt, Args global, List<String> rest) {
        Args a = parse(rest, VALUED.get("exec"), true);
        String id = id(a, "exec");
        List<String> cmd = a.positional().subList(1, a.positional().size());
        // runc: --tty sets process.terminal (also over a --process file's); without it the file's value stands
        Boolean tty = a.flag("tty", "t") == null ? null : a.bool("tty", "t");
        Optional<Path> consoleSocket = Optional.ofNullable(a.flag("console-socket")).map(Path::of);
        Optional<io.berth.spec.runtime.Process> fromFile = Optional.ofNullable(a.flag("process", "p")).map(f -> {
            try {
                return io.berth.spec.runtime.Spec.parse(("{\"ociVersion\": \"1.0.0\", \"process\": "
                        + Files.readString(Path.of(f)) + "}").getBytes(StandardCharsets.UTF_8)).process().orElseThrow();
            } catch (IOException e) {
                throw new RuntimeError("exec --process " + f + ": " + e.getMessage(), e);
            }
        });
        if (fromFile.isEmpty() && cmd.isEmpty()) {
            throw new RuntimeError("exec: give a command or --process FILE");
        }
        List<String> env = a.values("env", "e");
        String cwd = a.flag("cwd");
        String user = a.flag("user", "u");
        return rt.exec(id, base -> {
            io.berth.spec.runtime.Process p = fromFile.orElse(base);
            List<String> allEnv = new ArrayList<>(p.env());
            allEnv.addAll(env);
            io.berth.spec.runtime.Process.User u = p.user();
            if (user != null) {
                String[] ug = user.split(":", -1);
                try {
                    u = new io.berth.spec.runtime.Process.User(Long.parseUnsignedLong(ug[0]),
                            ug.length > 1 ? Long.parseUnsignedLong(ug[1]) : 0, u.umask(), List.of(), Optional.empty());
                } catch (NumberFormatException e) {
                    throw new RuntimeError("exec --user " + user + ": expected UID[:GID] as numbers (as runc)");
                }
                if (ug.length > 2) {
                    throw new RuntimeError("exec --user " + user + ": expected UID[:GID] as numbers (as runc)");
                }
            }
            return new io.berth.spec.runtime.Process(tty != null ? tty : fromFile.isPresent() && p.terminal(),
                    p.consoleSize(), u,
                    fromFile.isPresent() ? p.args() : cmd, p.commandLine(), allEnv, cwd != null ? cwd : p.cwd(),
                    p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), Optional.empty(),
                    p.selinuxLabel(), p.scheduler(), p.ioPriority(), p.execCPUAffinity());
        }, a.bool("detach", "d"), Optional.ofNullable(a.flag("pid-file")).map(Path::of), consoleSocket,
                a.bool("ignore-paused"));
    }

    private static String id(Args a, String cmd) {
        if (a.positional().isEmpty()) {
            throw new RuntimeError(cmd + ": a container id is required (runtime.md: MUST generate an error if it "
                    + "is not provided the container ID)");
        }
        return a.positional().getFirst();
    }

    private ContainerRuntime.CreateOptions createOptions(Args a) {
        Path bundle = Path.of(Optional.ofNullable(a.flag("bundle", "b")).orElse("."));
        int preserve = Integer.parseInt(Optional.ofNullable(a.flag("preserve-fds")).orElse("0"));
        if (preserve < 0) {
            throw new RuntimeError("--preserve-fds: must not be negative");
        }
        return new ContainerRuntime.CreateOptions(bundle, Optional.ofNullable(a.flag("pid-file")).map(Path::of),
                a.bool("no-pivot"), preserve, global.containsKey("systemd-cgroup"),
                Optional.ofNullable(a.flag("console-socket")).map(Path::of));
    }

    private void list(ContainerRuntime rt, String format, boolean quiet) throws IOException {
        List<Container> cs = rt.list();
        if (quiet) {
            cs.forEach(c -> out.println(c.id()));
            return;
        }
        if (format.equals("json")) {
            List<Json> items = new java.util.ArrayList<>();
            for (Container c : cs) {
                java.util.Map<String, Json> m = new java.util.LinkedHashMap<>(c.toStateJson().members());
                m.put("owner", new Json.Str(owner(rt, c))); // runc's list names the owner; its state leaves it ""
                items.add(new Json.Obj(m));
            }
            out.write(JsonCodec.write(new Json.Arr(items)));
            out.println();
            return;
        }
        if (!format.equals("table")) {
            throw new RuntimeError("list: invalid format \"" + format + "\" (table or json)");
        }
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
        for (Container c : cs) {
            rows.add(new String[] {c.id(), Long.toString(c.state().pid().orElse(0L)), c.status().json(), c.bundle(),
                c.created(), owner(rt, c)});
        }
        // runc's layout: Go's tabwriter with minimum width 12 and padding 3; the last column unpadded
        int[] width = new int[6];
        for (String[] r : rows) {
            for (int i = 0; i < 5; i++) {
                width[i] = Math.max(width[i], Math.max(12, r[i].length() + 3));
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < 5; i++) {
                b.append(r[i]).append(" ".repeat(width[i] - r[i].length()));
            }
            b.append(r[5]).append('\n');
        }
        out.print(b);
    }

    /** The user owning the container's state directory, as runc reports it. */
    private static String owner(ContainerRuntime rt, Container c) {
        try {
            return Files.getOwner(rt.store().dir(c.id())).getName();
        } catch (IOException e) {
            return "";
        }
    }

    private void spec(Args a) throws IOException {
        Path dir = Path.of(Optional.ofNullable(a.flag("bundle", "b")).orElse("."));
        Path config = dir.resolve("config.json");
        if (Files.exists(config)) {
            throw new RuntimeError("spec: File " + config + " exists. Remove it first");
        }
        Files.writeString(config, DefaultSpec.json(a.bool("rootless"), 0, 0), StandardOpenOption.CREATE_NEW);
    }

    /** Errors go to stderr, and to --log in text or json (containerd reads the json log on failure). */
    private void report(String msg) {
        err.println("berth-runtime: " + msg);
        String log = global.get("log");
        if (log != null) {
            String line = "json".equals(global.get("log-format"))
                    ? new String(JsonCodec.write(new ObjBuilder().put("level", "error").put("msg", msg)
                            .put("time", Instant.now().toString()).build()), StandardCharsets.UTF_8)
                    : "time=\"" + Instant.now() + "\" level=error msg=\"" + msg.replace("\"", "\\\"") + "\"";
            try {
                Files.writeString(Path.of(log), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                err.println("berth-runtime: cannot write --log " + log + ": " + e.getMessage());
            }
        }
    }
}
