package io.berth.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A hand-written argument parser (no picocli: it costs 100+ ms of start-up, DESIGN.md). Knows which
 * options take a value ({@code --name VALUE} or {@code --name=VALUE}) and which are flags; anything
 * else starting with {@code -} is an error naming the command; {@code --} ends options.
 */
public final class Args {
    private final String command;
    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> positionals = new ArrayList<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * Parses {@code argv}. {@code valued} are the options taking a value, {@code flags} the boolean
     * ones (a flag also accepts {@code --flag=true|false}).
     */
    public static Args parse(String command, List<String> argv, Set<String> valued, Set<String> flags) {
        Args a = new Args(command);
        boolean optionsDone = false;
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (optionsDone || !arg.startsWith("-") || arg.equals("-")) {
                a.positionals.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsDone = true;
                continue;
            }
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (valued.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= argv.size()) {
                        throw new UsageException(command + ": option " + name + " needs a value");
                    }
                    v = argv.get(++i);
                }
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            } else if (flags.contains(name)) {
                String v = inline == null ? "true" : inline;
                if (!v.equals("true") && !v.equals("false")) {
                    throw new UsageException(command + ": option " + name + " takes true or false, not \"" + v + "\"");
                }
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            } else {
                throw new UsageException(command + ": unknown option " + name);
            }
        }
        return a;
    }

    public String command() {
        return command;
    }

    /** The last value given for an option. */
    public Optional<String> value(String name) {
        List<String> v = values.get(name);
        return v == null ? Optional.empty() : Optional.of(v.getLast());
    }

    /** Every value given for a repeatable option, in order. */
    public List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    public boolean flag(String name) {
        return value(name).map(Boolean::parseBoolean).orElse(false);
    }

    public List<String> positionals() {
        return List.copyOf(positionals);
    }

    /** Exactly {@code n} positional arguments, named in the error. */
    public List<String> positionals(int n, String usage) {
        if (positionals.size() != n) {
            throw new UsageException(command + ": expected " + usage + (positionals.isEmpty() ? ""
                    : ", got " + positionals.size() + " argument" + (positionals.size() == 1 ? "" : "s")));
        }
        return List.copyOf(positionals);
    }
}
