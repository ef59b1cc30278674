package io.berth.spec;

import io.berth.spec.json.Fields;
import io.berth.spec.json.Json;
import io.berth.spec.json.ObjBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A platform (image-index.md "platform"; config.md os/architecture/variant). Values follow Go's
 * GOOS/GOARCH names. {@link #matches} implements how an index entry is chosen for a wanted platform.
 */
public record Platform(String os, String architecture, Optional<String> variant, Optional<String> osVersion,
        List<String> osFeatures) {

    public Platform {
        if (os == null || os.isEmpty()) {
            throw new IllegalArgumentException("platform: os must not be empty");
        }
        if (architecture == null || architecture.isEmpty()) {
            throw new IllegalArgumentException("platform: architecture must not be empty");
        }
        osFeatures = List.copyOf(osFeatures);
    }

    public static Platform of(String os, String architecture) {
        return new Platform(os, architecture, Optional.empty(), Optional.empty(), List.of());
    }

    /** Parses {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
    public static Platform parse(String s) {
        String[] parts = s.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && parts[2].isEmpty())) {
            throw new IllegalArgumentException("invalid platform \"" + s + "\": expected os/arch[/variant]");
        }
        return new Platform(parts[0].toLowerCase(Locale.ROOT), normalizeArch(parts[1].toLowerCase(Locale.ROOT)),
                parts.length == 3 ? Optional.of(parts[2]) : Optional.empty(), Optional.empty(), List.of());
    }

    /** The platform this JVM runs on, in Go's names. */
    public static Platform host() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux") ? "linux"
                : System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = normalizeArch(System.getProperty("os.arch").toLowerCase(Locale.ROOT));
        return new Platform(os, arch, arch.equals("arm64") ? Optional.of("v8") : Optional.empty(),
                Optional.empty(), List.of());
    }

    /** Maps the kernel/JVM names of architectures to Go's. */
    public static String normalizeArch(String arch) {
        return switch (arch) {
            case "x86_64", "x86-64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "i386", "i686", "x86", "386" -> "386";
            case "armhf", "armel", "arm" -> "arm";
            default -> arch;
        };
    }

    /** The effective variant: arm64 defaults to v8 and arm to v7, as containerd's matcher treats them. */
    private static Optional<String> effectiveVariant(String arch, Optional<String> variant) {
        if (variant.isPresent()) {
            return variant;
        }
        return switch (arch) {
            case "arm64" -> Optional.of("v8");
            case "arm" -> Optional.of("v7");
            default -> Optional.empty();
        };
    }

    /**
     * Whether an image for this platform can run where {@code wanted} is asked for: same os, same
     * architecture (after normalising aliases), and, when the wanted platform names a variant, the
     * same variant (arm64 without a variant counts as v8, arm as v7). An image that names no variant
     * matches any wanted variant except on arm/arm64 where the default applies.
     */
    public boolean matches(Platform wanted) {
        if (!os.equals(wanted.os)) {
            return false;
        }
        String a = normalizeArch(architecture);
        if (!a.equals(normalizeArch(wanted.architecture))) {
            return false;
        }
        if (wanted.variant.isEmpty() && !a.startsWith("arm")) {
            return true;
        }
        Optional<String> mine = effectiveVariant(a, variant);
        Optional<String> theirs = effectiveVariant(a, wanted.variant);
        return mine.isEmpty() || theirs.isEmpty() || mine.equals(theirs);
    }

    public static Platform read(Fields f) {
        return new Platform(f.string("os"), f.string("architecture"), f.optString("variant"),
                f.optString("os.version"), f.strings("os.features"));
    }

    public Json.Obj toJson() {
        return new ObjBuilder()
                .put("architecture", architecture)
                .put("os", os)
                .opt("os.version", osVersion)
                .nonEmpty("os.features", osFeatures)
                .opt("variant", variant)
                .build();
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
