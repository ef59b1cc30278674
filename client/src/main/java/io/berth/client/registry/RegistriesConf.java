package io.berth.client.registry;

import io.berth.spec.Reference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-registry settings in the containers-registries.conf(5) v2 form: {@code [[registry]]} tables
 * with {@code prefix}, {@code location}, {@code insecure}, {@code blocked}, and their
 * {@code [[registry.mirror]]} tables with {@code location} and {@code insecure}. Everything else in
 * the file is ignored. A reference is matched against the longest prefix; pulls try the mirrors in
 * order and then the location, pushes go to the location only.
 */
public record RegistriesConf(List<Entry> entries) {
    /** One {@code [[registry]]} table. */
    public record Entry(String prefix, String location, boolean insecure, boolean blocked, List<Mirror> mirrors) {}

    /** One {@code [[registry.mirror]]} table. */
    public record Mirror(String location, boolean insecure) {}

    /** Where to fetch from, in order: a host, a repository path there, plain HTTP or not. */
    public record Endpoint(String host, String repository, boolean insecure, boolean mirror) {
        @Override
        public String toString() {
            return host + "/" + repository + (insecure ? " (insecure)" : "") + (mirror ? " (mirror)" : "");
        }
    }

    public static final RegistriesConf EMPTY = new RegistriesConf(List.of());

    /** {@code $BERTH_REGISTRIES_CONF}, else {@code /etc/containers/registries.conf}, else none. */
    public static RegistriesConf load(Map<String, String> env) {
        Path p = Path.of(env.getOrDefault("BERTH_REGISTRIES_CONF", "/etc/containers/registries.conf"));
        if (!Files.isRegularFile(p)) {
            return EMPTY;
        }
        try {
            return parse(Files.readAllLines(p), p.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("read " + p, e);
        }
    }

    /** Parses the subset of TOML these files use: tables, arrays of tables, strings, booleans. */
    public static RegistriesConf parse(List<String> lines, String what) {
        List<Entry> out = new ArrayList<>();
        String table = "";
        String prefix = null;
        String location = null;
        boolean insecure = false;
        boolean blocked = false;
        List<Mirror> mirrors = new ArrayList<>();
        String mLocation = null;
        boolean mInsecure = false;
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = stripComment(raw).trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                if (table.equals("registry.mirror") && mLocation != null) {
                    mirrors.add(new Mirror(mLocation, mInsecure));
                }
                if (line.equals("[[registry]]") && (prefix != null || location != null)) {
                    out.add(entry(prefix, location, insecure, blocked, mirrors, what, n));
                    prefix = null;
                    location = null;
                    insecure = false;
                    blocked = false;
                    mirrors = new ArrayList<>();
                }
                table = line.replace("[", "").replace("]", "").trim();
                mLocation = null;
                mInsecure = false;
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(what + ":" + n + ": expected key = value");
            }
            String key = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim();
            switch (table + "." + key) {
                case "registry.prefix" -> prefix = string(value, what, n);
                case "registry.location" -> location = string(value, what, n);
                case "registry.insecure" -> insecure = bool(value, what, n);
                case "registry.blocked" -> blocked = bool(value, what, n);
                case "registry.mirror.location" -> mLocation = string(value, what, n);
                case "registry.mirror.insecure" -> mInsecure = bool(value, what, n);
                default -> { } // other settings are not ours
            }
        }
        if (table.equals("registry.mirror") && mLocation != null) {
            mirrors.add(new Mirror(mLocation, mInsecure));
        }
        if (prefix != null || location != null) {
            out.add(entry(prefix, location, insecure, blocked, mirrors, what, n));
        }
        return new RegistriesConf(List.copyOf(out));
    }

    private static Entry entry(String prefix, String location, boolean insecure, boolean blocked, List<Mirror> mirrors,
            String what, int line) {
        if (prefix == null && location == null) {
            throw new IllegalArgumentException(what + ":" + line + ": [[registry]] needs a prefix or a location");
        }
        return new Entry(prefix != null ? prefix : location, location != null ? location : prefix, insecure, blocked,
                List.copyOf(mirrors));
    }

    private static String stripComment(String s) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return s.substring(0, i);
            }
        }
        return s;
    }

    private static String string(String v, String what, int n) {
        if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') {
            throw new IllegalArgumentException(what + ":" + n + ": expected a quoted string, found " + v);
        }
        return v.substring(1, v.length() - 1);
    }

    private static boolean bool(String v, String what, int n) {
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(what + ":" + n + ": expected true or false, found " + v);
        };
    }

    /** The entry whose prefix matches the most of {@code registry/repository}. */
    public Optional<Entry> match(Reference r) {
        String name = r.registry() + "/" + r.repository();
        Entry best = null;
        for (Entry e : entries) {
            String p = e.prefix();
            boolean matches = name.equals(p) || name.startsWith(p.endsWith("/") ? p : p + "/");
            if (matches && (best == null || p.length() > best.prefix().length())) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Where a pull of {@code r} goes, in order (mirrors first); pushes use only the last. */
    public List<Endpoint> pullEndpoints(Reference r) {
        Optional<Entry> e = match(r);
        String name = r.registry() + "/" + r.repository();
        if (e.isEmpty()) {
            return List.of(new Endpoint(r.registry(), r.repository(), RegistryClient.isLoopback(r.registry()), false));
        }
        if (e.get().blocked()) {
            throw new IllegalArgumentException("registry " + e.get().prefix() + " is blocked in registries.conf");
        }
        String rest = name.substring(Math.min(name.length(), e.get().prefix().length()));
        List<Endpoint> out = new ArrayList<>();
        for (Mirror m : e.get().mirrors()) {
            out.add(endpoint(m.location() + rest, m.insecure(), true));
        }
        out.add(endpoint(e.get().location() + rest, e.get().insecure(), false));
        return out;
    }

    /** Where a push of {@code r} goes. */
    public Endpoint pushEndpoint(Reference r) {
        return pullEndpoints(r).getLast();
    }

    private static Endpoint endpoint(String full, boolean insecure, boolean mirror) {
        int slash = full.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("registries.conf location \"" + full + "\" has no repository part");
        }
        String host = full.substring(0, slash);
        return new Endpoint(host, full.substring(slash + 1), insecure || RegistryClient.isLoopback(host), mirror);
    }
}
