package io.berth.cli.image;

import io.berth.cli.Args;
import io.berth.cli.OciRef;
import io.berth.cli.UsageException;
import io.berth.image.create.ImageChanges;
import io.berth.image.create.ImageCreator;
import io.berth.image.layout.OciLayout;
import io.berth.image.layout.ResolvedImage;
import io.berth.spec.Compression;
import io.berth.spec.Platform;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.JsonException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code berth image create} (a new image from a directory, optionally on a base) and
 * {@code berth image add-layer} (the same with the named image as its own base).
 * Prints the new manifest's digest.
 */
final class ImageCreate {
    private static final Set<String> VALUED = Set.of("--from-dir", "--base", "--entrypoint", "--cmd", "--env",
            "--workdir", "--user", "--label", "--compression", "--platform", "--lower", "--tag");

    private ImageCreate() {}

    static void run(List<String> argv, PrintStream out, boolean addLayer) {
        String name = addLayer ? "image add-layer" : "image create";
        Args a = Args.parse(name, argv, VALUED, Set.of());
        OciRef dest = OciRef.image(a.positionals(1, "one image oci:LAYOUT:TAG").getFirst());
        Path dir = Path.of(a.value("--from-dir")
                .orElseThrow(() -> new UsageException(name + ": --from-dir DIR is required")));
        if (!Files.isDirectory(dir)) {
            throw new UsageException(name + ": --from-dir " + dir + ": not a directory");
        }
        Optional<Path> lower = a.value("--lower").map(Path::of);
        if (lower.isPresent() && !Files.isDirectory(lower.get())) {
            throw new UsageException(name + ": --lower " + lower.get() + ": not a directory");
        }
        Compression compression = compression(name, a.value("--compression").orElse("gzip"));
        Platform platform = a.value("--platform").map(p -> platform(name, p)).orElseGet(Platform::host);

        OciLayout layout = OciLayout.openOrCreate(dest.layout());
        Optional<ResolvedImage> base = Optional.empty();
        Optional<OciLayout> baseLayout = Optional.empty();
        String tag = dest.tag().orElseThrow(() -> new UsageException(name + ": the destination needs a tag: "
                + dest));
        if (addLayer) {
            if (a.value("--base").isPresent()) {
                throw new UsageException(name + ": --base is not used here: the image itself is the base");
            }
            base = Optional.of(layout.resolve(dest.name(), platform));
            tag = a.value("--tag").orElse(tag);
        } else if (a.value("--base").isPresent()) {
            OciRef b = OciRef.image(a.value("--base").get());
            OciLayout bl = b.layout().toAbsolutePath().normalize().equals(dest.layout().toAbsolutePath().normalize())
                    ? layout : OciLayout.open(b.layout());
            base = Optional.of(bl.resolve(b.name(), platform));
            baseLayout = Optional.of(bl);
            if (a.value("--platform").isEmpty()) {
                platform = base.get().config().platform();
            }
        }

        ImageChanges changes = new ImageChanges(
                argList(name, "--entrypoint", a.all("--entrypoint")),
                argList(name, "--cmd", a.all("--cmd")),
                a.all("--env"),
                a.value("--workdir"),
                a.value("--user"),
                labels(name, a.all("--label")));
        String createdBy = "berth " + name + " --from-dir " + dir.getFileName();
        ImageCreator.Created created = ImageCreator.create(layout, tag, new ImageCreator.Request(base, baseLayout,
                platform, Optional.of(new ImageCreator.LayerSource(dir, lower, compression)), changes,
                sourceDateEpoch(), createdBy));
        out.println(created.manifest().digest());
    }

    static Compression compression(String cmd, String s) {
        return switch (s) {
            case "gzip" -> Compression.GZIP;
            case "zstd" -> Compression.ZSTD;
            case "none" -> Compression.NONE;
            default -> throw new UsageException(cmd + ": --compression must be gzip, zstd or none, not \"" + s + "\"");
        };
    }

    static Platform platform(String cmd, String s) {
        try {
            return Platform.parse(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(cmd + ": --platform: " + e.getMessage());
        }
    }

    /** Values of --entrypoint/--cmd: a JSON array, or one argument per occurrence. */
    private static Optional<List<String>> argList(String cmd, String option, List<String> values) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() == 1 && values.getFirst().startsWith("[")) {
            try {
                Json j = JsonCodec.parse(values.getFirst().getBytes(java.nio.charset.StandardCharsets.UTF_8), option);
                if (j instanceof Json.Arr arr) {
                    List<String> out = new ArrayList<>();
                    for (Json item : arr.items()) {
                        if (!(item instanceof Json.Str s)) {
                            throw new UsageException(cmd + ": " + option + ": the JSON array must hold strings");
                        }
                        out.add(s.value());
                    }
                    return Optional.of(out);
                }
            } catch (JsonException e) {
                throw new UsageException(cmd + ": " + option + ": " + e.getMessage());
            }
        }
        return Optional.of(values);
    }

    private static Map<String, String> labels(String cmd, List<String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(cmd + ": --label \"" + v + "\": expected KEY=VALUE");
            }
            out.put(v.substring(0, eq), v.substring(eq + 1));
        }
        return out;
    }

    /** SOURCE_DATE_EPOCH (reproducible-builds.org): seconds since the epoch. */
    static Optional<Instant> sourceDateEpoch() {
        String s = System.getenv("SOURCE_DATE_EPOCH");
        if (s == null || s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(s.trim())));
        } catch (NumberFormatException e) {
            throw new UsageException("SOURCE_DATE_EPOCH=\"" + s + "\": expected seconds since the epoch");
        }
    }
}
