package io.berth.cli.remote;

import io.berth.cli.Args;
import io.berth.cli.UsageException;
import io.berth.client.Copier;
import io.berth.client.transport.ImageName;
import io.berth.spec.Platform;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code berth copy SRC DST}, {@code berth pull REF} and {@code berth push REF}: images between
 * registries ({@code docker://}) and layouts ({@code oci:}), digests preserved.
 */
public final class CopyCommand {
    private static final Set<String> VALUED = Set.of("--platform", "--parallel", "--progress");
    private static final Set<String> FLAGS = Set.of("--all", "--src-tls-verify", "--dest-tls-verify", "--tls-verify",
            "--insecure");

    private CopyCommand() {}

    public static void copy(List<String> argv, PrintStream out, PrintStream err) {
        Args a = Args.parse("copy", argv, VALUED, FLAGS);
        List<String> pos = a.positionals(2, "SRC and DST (docker://HOST/REPO[:TAG] or oci:PATH[:TAG])");
        run(name(pos.get(0)), name(pos.get(1)), a, out, err);
    }

    public static void pull(List<String> argv, PrintStream out, PrintStream err) {
        Args a = Args.parse("pull", argv, VALUED, FLAGS);
        ImageName.Registry src = registry(a.positionals(1, "an image reference").getFirst());
        run(src, LocalStore.name(src.reference(), System.getenv()), a, out, err);
    }

    public static void push(List<String> argv, PrintStream out, PrintStream err) {
        Args a = Args.parse("push", argv, VALUED, FLAGS);
        ImageName.Registry dst = registry(a.positionals(1, "an image reference").getFirst());
        run(LocalStore.name(dst.reference(), System.getenv()), dst, a, out, err);
    }

    private static ImageName name(String s) {
        try {
            return ImageName.parse(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static ImageName.Registry registry(String s) {
        try {
            return LocalStore.registry(s);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new UsageException("invalid image reference \"" + s + "\": " + e.getMessage());
        }
    }

    private static void run(ImageName src, ImageName dst, Args a, PrintStream out, PrintStream err) {
        boolean insecure = a.flag("--insecure") || a.value("--src-tls-verify").filter("false"::equals).isPresent()
                || a.value("--dest-tls-verify").filter("false"::equals).isPresent()
                || a.value("--tls-verify").filter("false"::equals).isPresent();
        Copier.Options o = Copier.Options.defaults().withAll(a.flag("--all")).withPlainHttp(insecure);
        if (a.value("--platform").isPresent()) {
            try {
                o = o.withPlatform(Platform.parse(a.value("--platform").get()));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--platform: " + e.getMessage());
            }
        }
        if (a.value("--parallel").isPresent()) {
            int n;
            try {
                n = Integer.parseInt(a.value("--parallel").get());
            } catch (NumberFormatException e) {
                throw new UsageException("--parallel: expected a number");
            }
            o = o.withParallel(n);
        }
        ProgressPrinter.Mode mode = ProgressPrinter.mode(a.value("--progress").orElse("auto"));
        o = o.withProgress(new ProgressPrinter(err, mode));
        long start = System.nanoTime();
        Copier.Result r = Copier.copy(src, dst, o);
        long ms = (System.nanoTime() - start) / 1_000_000;
        switch (mode) {
            case JSON -> err.printf("{\"event\":\"done\",\"digest\":\"%s\",\"copied\":%d,\"bytes\":%d,"
                    + "\"skipped\":%d,\"ms\":%d}%n", r.top().digest(), r.blobsCopied(), r.bytesCopied(), r.blobsSkipped(), ms);
            case NONE -> { }
            default -> err.printf("copied %d blobs (%d bytes), skipped %d, in %d ms%n", r.blobsCopied(),
                    r.bytesCopied(), r.blobsSkipped(), ms);
        }
        out.println(r.top().digest());
    }
}
