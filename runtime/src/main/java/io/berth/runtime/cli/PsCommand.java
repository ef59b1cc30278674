package io.berth.runtime.cli;

import io.berth.runtime.ContainerRuntime;
import io.berth.runtime.RuntimeError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * runc's {@code ps [--format table|json] ID [PS-ARGS...]}: the container's pids as a JSON array, or the
 * host's {@code ps} output (default {@code ps -ef}) filtered to the rows whose PID column is one of them.
 * Flags go before the id; everything after it is for ps.
 */
final class PsCommand {
    private PsCommand() {}

    static int run(ContainerRuntime rt, List<String> rest, PrintStream out) throws IOException {
        RuntimeMain.Args a = RuntimeMain.parse(rest, Set.of("format", "f"), true);
        if (a.positional().isEmpty()) {
            throw new RuntimeError("ps: a container id is required");
        }
        String id = a.positional().getFirst();
        String format = a.flag("format", "f") == null ? "table" : a.flag("format", "f");
        List<Long> pids = rt.processes(id);
        if (format.equals("json")) {
            // Go's encoding of a nil []int is null: runc prints null for a container without processes
            out.println(pids.isEmpty() ? "null"
                    : pids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
            return 0;
        }
        if (!format.equals("table")) {
            throw new RuntimeError("ps: invalid format \"" + format + "\" (table or json)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add("ps");
        List<String> psArgs = a.positional().subList(1, a.positional().size());
        cmd.addAll(psArgs.isEmpty() ? List.of("-ef") : psArgs);
        String output;
        int code;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            code = p.waitFor();
        } catch (IOException e) {
            throw new RuntimeError("ps: cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeError("ps: interrupted", e);
        }
        if (code != 0) {
            throw new RuntimeError("ps: " + String.join(" ", cmd) + " exited with status " + code + ": " + output.strip());
        }
        String[] lines = output.split("\n", -1);
        List<String> header = List.of(lines[0].trim().split("\\s+"));
        int pidIndex = header.indexOf("PID");
        if (pidIndex < 0) {
            throw new RuntimeError("ps: couldn't find PID field in ps output (" + lines[0].strip() + ")");
        }
        Set<Long> wanted = new HashSet<>(pids);
        out.println(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            String[] f = lines[i].trim().split("\\s+");
            long pid;
            try {
                pid = Long.parseLong(f[pidIndex]);
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new RuntimeError("ps: unable to parse pid in \"" + lines[i] + "\"");
            }
            if (wanted.contains(pid)) {
                out.println(lines[i]);
            }
        }
        return 0;
    }
}
