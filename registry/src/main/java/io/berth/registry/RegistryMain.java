package io.berth.registry;

import io.berth.registry.auth.Authenticator;
import io.berth.registry.auth.Htpasswd;
import io.berth.registry.auth.Tokens;
import io.berth.registry.gc.GarbageCollector;
import io.berth.registry.http.RegistryServer;
import io.berth.registry.storage.Storage;
import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The registry's command line, for {@code berth registry ...}:
 *
 * <pre>
 * serve [--addr HOST:PORT] [--root DIR] [--config FILE] [--access-log] [--no-fsync]
 *       [--auth none|basic|token --htpasswd FILE [--anonymous-pull]] [--gc-interval DURATION [--grace DURATION]]
 *       [--tls-cert PEM --tls-key PEM] [--rate-limit RPS [--rate-burst N]]
 *       --rate-limit: per-client token bucket (user, or remote address when anonymous), off by default;
 *       the burst defaults to one second's worth of requests
 *       --gc-interval runs GC online every DURATION (untagged manifests are kept)
 *       runs in the foreground, logs to stderr, stops cleanly on SIGTERM/SIGINT
 * gc    [--root DIR] [--grace DURATION] [--delete-untagged] [--dry-run]
 *       mark and sweep; DURATION like 30m, 1h, 0s (default 1h)
 * </pre>
 *
 * Defaults: address {@code 127.0.0.1:5000}; root {@code $XDG_DATA_HOME/berth/registry}, or
 * {@code ~/.local/share/berth/registry} when XDG_DATA_HOME is unset. The config file is JSON; flags
 * win over it: {@code {"addr": "127.0.0.1:5000", "root": "/srv/registry", "maxManifestBytes": 4194304,
 * "accessLog": true, "auth": "token", "htpasswd": "/etc/berth/htpasswd", "anonymousPull": false,
 * "tokenTtlSeconds": 300, "gcInterval": "6h", "tlsCert": "cert.pem", "tlsKey": "key.pem",
 * "rateLimit": {"requestsPerSecond": 50, "burst": 100, "maxClients": 100000}, "referrersPageSize": 1000,
 * "manifestCache": {"maxBytes": 16777216, "revalidateMillis": 100}}}; {@code maxBytes} 0 turns the
 * manifest cache off, {@code revalidateMillis} is how late a change by another process over the same
 * root may be seen (0: every request checks storage). Token mode signs tokens with a key kept in {@code ROOT/auth/token.key}
 * (created on first start), so servers sharing a root accept each other's tokens.
 */
public final class RegistryMain {
    private RegistryMain() {}

    public static void main(String[] args) {
        try {
            run(List.of(args), System.out);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            System.err.println("berth registry: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Runs {@code serve} or {@code gc}. Usage errors are {@link IllegalArgumentException}, a failed bind is
     * {@link IllegalStateException}, storage failures {@link UncheckedIOException}. {@code serve} returns
     * when the server is stopped (SIGTERM or SIGINT).
     */
    public static void run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("usage: registry serve|gc [options]");
        }
        Options o = Options.parse(args.subList(1, args.size()));
        switch (args.getFirst()) {
            case "serve" -> serve(o, out);
            case "gc" -> gc(o, out);
            default -> throw new IllegalArgumentException("unknown registry command \"" + args.getFirst()
                    + "\" (expected serve or gc)");
        }
    }

    private static void serve(Options o, PrintStream out) {
        Storage storage = Storage.filesystem(o.root, o.sync);
        Registry registry = new Registry(storage, o.limits(), o.cacheBytes, o.cacheRevalidateMillis);
        Optional<RegistryServer.Tls> tls = o.tlsCert.map(c -> new RegistryServer.Tls(c, o.tlsKey.orElseThrow(
                () -> new IllegalArgumentException("--tls-cert needs --tls-key"))));
        RegistryServer server = RegistryServer.start(registry, o.authenticator(), tls, o.addr,
                o.accessLog ? Optional.of(System.err) : Optional.empty());
        Thread hook = new Thread(server::close, "registry-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.println("berth registry: serving " + o.root + " on " + (tls.isPresent() ? "https" : "http") + "://" + server.address().getHostString() + ":"
                + server.address().getPort() + " (" + server.transport() + ")");
        Optional<Thread> gc = o.gcInterval.map(every -> Thread.ofVirtual().name("registry-gc").start(() -> onlineGc(storage, every, o.grace)));
        try {
            server.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        gc.ifPresent(Thread::interrupt);
        System.err.println("berth registry: stopped");
    }

    /** Mark and sweep every {@code every}, safe beside pushes thanks to the grace period. */
    private static void onlineGc(Storage storage, Duration every, Duration grace) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            try {
                GarbageCollector.Result r = new GarbageCollector(storage, grace, false, false).run();
                System.err.println("berth registry: gc removed " + r.blobsRemoved() + " blobs (" + r.bytesRemoved()
                        + " bytes), " + r.linksRemoved() + " links, " + r.uploadsRemoved() + " uploads");
            } catch (RuntimeException e) {
                System.err.println("berth registry: gc failed: " + e.getMessage());
            }
        }
    }

    private static void gc(Options o, PrintStream out) {
        GarbageCollector.Result r = new GarbageCollector(Storage.filesystem(o.root), o.grace, o.deleteUntagged, o.dryRun).run();
        out.println((o.dryRun ? "would remove " : "removed ") + r.blobsRemoved() + " blobs (" + r.bytesRemoved()
                + " bytes), " + r.manifestsRemoved() + " manifests, " + r.linksRemoved() + " links, "
                + r.uploadsRemoved() + " uploads; kept " + r.blobsKept() + " blobs");
    }

    /** The limits {@code serve} would run with for these arguments (config file and flags). */
    static Limits limits(List<String> serveArgs) {
        return Options.parse(serveArgs).limits();
    }

    /** The default data directory. */
    public static Path defaultRoot() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("berth").resolve("registry");
    }

    private static final class Options {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 5000);
        Path root = defaultRoot();
        long maxManifestBytes = Limits.DEFAULT.maxManifestBytes();
        boolean accessLog;
        boolean sync = true;
        Duration grace = Duration.ofHours(1);
        boolean deleteUntagged;
        boolean dryRun;
        Authenticator.Mode auth = Authenticator.Mode.NONE;
        Optional<Path> htpasswd = Optional.empty();
        boolean anonymousPull;
        Duration tokenTtl = Duration.ofMinutes(5);
        Optional<Duration> gcInterval = Optional.empty();
        Optional<Path> tlsCert = Optional.empty();
        Optional<Path> tlsKey = Optional.empty();
        double rateLimit;
        OptionalInt rateBurst = OptionalInt.empty();
        int rateMaxClients = RateLimit.DEFAULT_MAX_CLIENTS;
        int referrersPageSize = Limits.DEFAULT_REFERRERS_PAGE_SIZE;
        long cacheBytes = ManifestCache.Settings.DEFAULT.maxBytes();
        long cacheRevalidateMillis = ManifestCache.Settings.DEFAULT.revalidateMillis();

        Limits limits() {
            RateLimit r = rateLimit == 0 ? RateLimit.OFF : new RateLimit(rateLimit,
                    rateBurst.orElse((int) Math.max(1, Math.ceil(rateLimit))), rateMaxClients);
            return new Limits(maxManifestBytes, Limits.DEFAULT.maxPageSize(), referrersPageSize, r);
        }

        Authenticator authenticator() {
            if (auth == Authenticator.Mode.NONE) {
                return Authenticator.none();
            }
            Htpasswd users = Htpasswd.load(htpasswd.orElseThrow(() -> new IllegalArgumentException(
                    "--auth " + auth.name().toLowerCase(Locale.ROOT) + " needs --htpasswd FILE")));
            return auth == Authenticator.Mode.BASIC ? Authenticator.basic(users, anonymousPull)
                    : Authenticator.token(users, anonymousPull,
                            new Tokens(Tokens.loadOrCreateKey(root.resolve("auth").resolve("token.key")), "berth-registry", tokenTtl));
        }

        static Authenticator.Mode mode(String s) {
            try {
                return Authenticator.Mode.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("auth mode \"" + s + "\" must be none, basic or token", e);
            }
        }

        static Options parse(List<String> args) {
            Options o = new Options();
            // the config file first, so that flags override it
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).equals("--config")) {
                    o.config(Path.of(value(args, i)));
                }
            }
            List<String> rest = new ArrayList<>(args);
            for (int i = 0; i < rest.size(); i++) {
                String a = rest.get(i);
                switch (a) {
                    case "--addr" -> o.addr = address(value(rest, i++));
                    case "--root" -> o.root = Path.of(value(rest, i++));
                    case "--config" -> i++;
                    case "--access-log" -> o.accessLog = true;
                    case "--no-fsync" -> o.sync = false;
                    case "--grace" -> o.grace = duration(value(rest, i++));
                    case "--delete-untagged" -> o.deleteUntagged = true;
                    case "--dry-run" -> o.dryRun = true;
                    case "--auth" -> o.auth = mode(value(rest, i++));
                    case "--htpasswd" -> o.htpasswd = Optional.of(Path.of(value(rest, i++)));
                    case "--anonymous-pull" -> o.anonymousPull = true;
                    case "--tls-cert" -> o.tlsCert = Optional.of(Path.of(value(rest, i++)));
                    case "--tls-key" -> o.tlsKey = Optional.of(Path.of(value(rest, i++)));
                    case "--gc-interval" -> o.gcInterval = Optional.of(duration(value(rest, i++)));
                    case "--rate-limit" -> o.rateLimit = number(a, value(rest, i++), 0, 1e9);
                    case "--rate-burst" -> o.rateBurst = OptionalInt.of((int) number(a, value(rest, i++), 1, Integer.MAX_VALUE));
                    default -> throw new IllegalArgumentException("unknown option \"" + a + "\"");
                }
            }
            return o;
        }

        private void config(Path file) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("read config " + file, e);
            }
            Fields f = JsonCodec.parseObject(bytes, file.toString());
            f.optString("addr").ifPresent(s -> addr = address(s));
            f.optString("root").ifPresent(s -> root = Path.of(s));
            f.optLong("maxManifestBytes", 1, Integer.MAX_VALUE - 8).ifPresent(n -> maxManifestBytes = n);
            f.optBool("accessLog").ifPresent(b -> accessLog = b);
            f.optBool("fsync").ifPresent(b -> sync = b);
            f.optString("auth").ifPresent(s -> auth = mode(s));
            f.optString("htpasswd").ifPresent(s -> htpasswd = Optional.of(Path.of(s)));
            f.optBool("anonymousPull").ifPresent(b -> anonymousPull = b);
            f.optLong("tokenTtlSeconds", 1, 86_400).ifPresent(n -> tokenTtl = Duration.ofSeconds(n));
            f.optString("tlsCert").ifPresent(s -> tlsCert = Optional.of(Path.of(s)));
            f.optString("tlsKey").ifPresent(s -> tlsKey = Optional.of(Path.of(s)));
            f.optString("gcInterval").ifPresent(s -> gcInterval = Optional.of(duration(s)));
            f.optLong("referrersPageSize", 1, Integer.MAX_VALUE).ifPresent(n -> referrersPageSize = n.intValue());
            f.optObject("manifestCache").ifPresent(c -> {
                c.optLong("maxBytes", 0, Long.MAX_VALUE).ifPresent(n -> cacheBytes = n);
                c.optLong("revalidateMillis", 0, 86_400_000).ifPresent(n -> cacheRevalidateMillis = n);
            });
            f.optObject("rateLimit").ifPresent(r -> {
                r.optNumber("requestsPerSecond").ifPresent(n -> rateLimit = number("rateLimit.requestsPerSecond",
                        n.toString(), 0, 1e9));
                r.optLong("burst", 1, Integer.MAX_VALUE).ifPresent(n -> rateBurst = OptionalInt.of(n.intValue()));
                r.optLong("maxClients", 1, Integer.MAX_VALUE).ifPresent(n -> rateMaxClients = n.intValue());
            });
        }

        private static double number(String what, String s, double min, double max) {
            try {
                double d = Double.parseDouble(s);
                if (!(d >= min && d <= max)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " must be a number from " + (long) min + " to " + (long) max
                        + ", not \"" + s + "\"", e);
            }
        }

        private static String value(List<String> args, int i) {
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + args.get(i) + " needs a value");
            }
            return args.get(i + 1);
        }

        static InetSocketAddress address(String s) {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("address \"" + s + "\" must be HOST:PORT");
            }
            try {
                String host = s.substring(0, colon);
                return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(s.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("address \"" + s + "\": " + e.getMessage(), e);
            }
        }

        static Duration duration(String s) {
            try {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                return switch (s.charAt(s.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> throw new NumberFormatException();
                };
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("duration \"" + s + "\" must be a number and s, m, h or d", e);
            }
        }
    }
}
