package io.berth.runtime.cli;

import io.berth.runtime.ContainerRuntime;
import io.berth.runtime.RuntimeError;
import io.berth.runtime.Update;
import io.berth.spec.runtime.Resources;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * runc's {@code update [flags] ID}: {@code --memory}, {@code --memory-swap}, {@code --memory-reservation}
 * (sizes as runc takes them: 64m, 1g, 512k, -1 for unlimited), {@code --cpu-share(s)}, {@code --cpu-quota},
 * {@code --cpu-period}, {@code --cpu-rt-period}, {@code --cpu-rt-runtime}, {@code --cpuset-cpus},
 * {@code --cpuset-mems}, {@code --pids-limit}; or {@code -r/--resources FILE} ("-" for stdin) with a
 * LinuxResources JSON, in which case the other flags are ignored (runc's rule).
 */
final class UpdateCommand {
    private UpdateCommand() {}

    static final Set<String> VALUED = Set.of("resources", "r", "blkio-weight", "cpu-period", "cpu-quota", "cpu-share",
            "cpu-shares", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems", "kernel-memory",
            "kernel-memory-tcp", "memory", "memory-reservation", "memory-swap", "pids-limit", "l3-cache-schema",
            "mem-bw-schema");

    static int run(ContainerRuntime rt, List<String> rest, InputStream in, PrintStream err) throws IOException {
        RuntimeMain.Args a = RuntimeMain.parse(rest, VALUED, false);
        if (a.positional().size() != 1) {
            throw new RuntimeError("update: exactly one container id is required");
        }
        String id = a.positional().getFirst();
        for (String f : a.flags().keySet()) {
            if (!VALUED.contains(f)) {
                throw new RuntimeError("update: unknown flag --" + f);
            }
        }
        Resources r;
        String file = a.flag("resources", "r");
        if (file != null) {
            byte[] json = file.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(file));
            r = Resources.parse(json);
        } else {
            r = fromFlags(a);
        }
        for (String w : rt.update(id, new Update.Request(r))) {
            err.println("berth-runtime: warning: " + w);
        }
        return 0;
    }

    static Resources fromFlags(RuntimeMain.Args a) {
        if (a.flag("l3-cache-schema") != null || a.flag("mem-bw-schema") != null) {
            throw new RuntimeError("update: Intel RDT is not supported by berth-runtime");
        }
        // runc's --blkio-weight: blockIO.weight (0 leaves it unchanged)
        Optional<io.berth.spec.json.Json> blkio = number(a, "blkio-weight").filter(v -> v != 0)
                .map(v -> new io.berth.spec.json.Json.Obj(Map.of("weight", io.berth.spec.json.Json.Num.of(v))));
        Resources.Memory mem = new Resources.Memory(size(a, "memory"), size(a, "memory-reservation"),
                size(a, "memory-swap"), size(a, "kernel-memory"), size(a, "kernel-memory-tcp"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
        Optional<Long> shares = number(a, "cpu-shares").or(() -> number(a, "cpu-share"));
        Resources.Cpu cpu = new Resources.Cpu(shares, number(a, "cpu-quota"), Optional.empty(),
                number(a, "cpu-period"), number(a, "cpu-rt-runtime"), number(a, "cpu-rt-period"),
                Optional.ofNullable(a.flag("cpuset-cpus")), Optional.ofNullable(a.flag("cpuset-mems")),
                Optional.empty());
        for (String unsigned : List.of("cpu-shares", "cpu-share", "cpu-period", "cpu-rt-period")) {
            if (number(a, unsigned).filter(v -> v < 0).isPresent()) {
                throw new RuntimeError("update: invalid value for " + unsigned + ": must not be negative");
            }
        }
        return new Resources(List.of(), Optional.of(mem), Optional.of(cpu), number(a, "pids-limit"), blkio,
                List.of(), Optional.empty(), Optional.empty(), Map.of());
    }

    private static Optional<Long> number(RuntimeMain.Args a, String name) {
        String v = a.flag(name);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new RuntimeError("update: invalid value for " + name + ": \"" + v + "\" is not a number");
        }
    }

    private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");

    /** docker/go-units RAMInBytes, which runc uses: binary multiples, "-1" for unlimited. */
    static Optional<Long> size(RuntimeMain.Args a, String name) {
        String v = a.flag(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v.equals("-1")) {
            return Optional.of(-1L);
        }
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new RuntimeError("update: invalid value for " + name + ": invalid size: '" + v + "'");
        }
        double n = Double.parseDouble(m.group(1));
        int shift = m.group(2) == null ? 0 : 10 * ("kmgtp".indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1);
        return Optional.of((long) (n * (1L << shift)));
    }
}
