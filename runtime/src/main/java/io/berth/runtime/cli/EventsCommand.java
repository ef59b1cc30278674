package io.berth.runtime.cli;

import io.berth.runtime.Cgroups;
import io.berth.runtime.Container;
import io.berth.runtime.ContainerRuntime;
import io.berth.runtime.Events;
import io.berth.runtime.RuntimeError;
import io.berth.spec.json.JsonCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * runc's {@code events [--stats] [--interval D] ID}: with --stats one {"type":"stats",...} line; without,
 * a stats line every interval (default 5s) and an {"type":"oom",...} line for each OOM kill in the
 * container's memory cgroup, until the container's cgroup is removed (delete), as runc does.
 */
final class EventsCommand {
    private EventsCommand() {}

    /** How often the OOM counter is looked at between stats. */
    private static final long OOM_POLL_MS = 100;

    static int run(ContainerRuntime rt, List<String> rest, PrintStream out, PrintStream err) throws IOException {
        RuntimeMain.Args a = RuntimeMain.parse(rest, Set.of("interval"), false);
        if (a.positional().size() != 1) {
            throw new RuntimeError("events: exactly one container id is required");
        }
        String id = a.positional().getFirst();
        long intervalNanos = duration(a.flag("interval") == null ? "5s" : a.flag("interval"));
        if (intervalNanos <= 0) {
            throw new RuntimeError("events: duration interval must be greater than 0");
        }
        Container c = rt.running(id);
        if (a.bool("stats")) {
            emit(out, Events.event("stats", id, Optional.of(rt.stats(id))));
            return 0;
        }
        Cgroups cg = Cgroups.detect();
        long ooms = Events.oomKills(cg, c.cgroupPath());
        long next = System.nanoTime() + intervalNanos;
        while (true) {
            long now = System.nanoTime();
            try {
                Thread.sleep(Math.max(1, Math.min(OOM_POLL_MS, (next - now) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
            if (!rt.store().exists(id) || cg.dirs(c.cgroupPath()).stream().noneMatch(Files::isDirectory)) {
                return 0; // deleted: runc's OOM notifier closes with the cgroup and events ends
            }
            long n = Events.oomKills(cg, c.cgroupPath());
            for (; ooms < n; ooms++) {
                emit(out, Events.event("oom", id, Optional.empty()));
            }
            if (System.nanoTime() >= next) {
                next += intervalNanos;
                try {
                    emit(out, Events.event("stats", id, Optional.of(Events.stats(cg, c.cgroupPath()))));
                } catch (RuntimeException e) {
                    err.println("berth-runtime: events: " + e.getMessage()); // runc logs and goes on
                }
            }
        }
    }

    private static void emit(PrintStream out, io.berth.spec.json.Json.Obj event) throws IOException {
        out.write(JsonCodec.write(event));
        out.println();
        out.flush();
    }

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");

    /** Go's time.ParseDuration: "300ms", "1.5s", "1m30s", "2h45m"; "0" alone needs no unit. */
    static long duration(String s) {
        String t = s.trim();
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        if (t.equals("0")) {
            return 0;
        }
        Matcher m = PART.matcher(t);
        double nanos = 0;
        int pos = 0;
        while (pos < t.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw new RuntimeError("events: invalid duration \"" + s + "\" (e.g. 5s, 500ms, 1m30s)");
            }
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "\u00b5s", "\u03bcs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        if (pos == 0) {
            throw new RuntimeError("events: invalid duration \"" + s + "\"");
        }
        return (long) (negative ? -nanos : nanos);
    }
}
