package io.berth.cli.remote;

import io.berth.client.transport.ImageName;
import io.berth.spec.Reference;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The local image store `berth pull` fills and `berth push` reads: an OCI image layout at
 * {@code $BERTH_STORE}, else {@code /var/lib/berth/images} for root and
 * {@code $XDG_DATA_HOME/berth/images} (or {@code ~/.local/share/berth/images}) for other users. Images
 * are tagged with their full reference ({@code registry/repo:tag}), as annotations.md allows for
 * {@code org.opencontainers.image.ref.name}.
 */
public final class LocalStore {
    private LocalStore() {}

    public static Path path(Map<String, String> env) {
        if (env.get("BERTH_STORE") != null) {
            return Path.of(env.get("BERTH_STORE"));
        }
        if ("root".equals(env.get("USER")) || "/root".equals(env.get("HOME"))) {
            return Path.of("/var/lib/berth/images");
        }
        String data = Optional.ofNullable(env.get("XDG_DATA_HOME"))
                .orElse(env.getOrDefault("HOME", "/tmp") + "/.local/share");
        return Path.of(data, "berth", "images");
    }

    /** The store's name for a registry image. */
    static ImageName.Layout name(Reference r, Map<String, String> env) {
        return new ImageName.Layout(path(env), Optional.of(tag(r)), Optional.empty());
    }

    /** The tag (ref.name) a registry image has in the store: registry/repository:tag. */
    public static String tag(Reference r) {
        return r.registry() + "/" + r.repository() + ":" + r.tag().orElse("latest");
    }

    /** A registry name from `docker://...` or a plain reference. */
    static ImageName.Registry registry(String s) {
        ImageName n = ImageName.parse(s.startsWith("docker://") ? s : "docker://" + s);
        return (ImageName.Registry) n;
    }
}
