package io.berth.cli;

import io.berth.spec.Digest;
import io.berth.client.transport.ImageName;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An image in an OCI image layout, named the way skopeo names it: {@code oci:PATH[:TAG]} or
 * {@code oci:PATH@DIGEST}. The tag is what follows the last {@code :} after the path's last {@code /}.
 */
public record OciRef(Path layout, Optional<String> tag, Optional<Digest> digest) {
    public static final String PREFIX = "oci:";

    /** Parses a reference that may or may not name an image in the layout (grammar: ImageName). */
    public static OciRef parse(String s) {
        if (!s.startsWith(PREFIX)) {
            throw new UsageException("invalid image reference \"" + s + "\": expected oci:LAYOUT[:TAG]");
        }
        try {
            ImageName.Layout l = (ImageName.Layout) ImageName.parse(s);
            return new OciRef(l.path(), l.tag(), l.digest());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Parses a reference that must name an image (tag or digest); the tag defaults to "latest". A
     * name without {@code oci:} is a registry reference looked up in the local store (what
     * {@code berth pull} filled), e.g. {@code 127.0.0.1:5000/berth/demo:latest}.
     */
    public static OciRef image(String s) {
        if (!s.startsWith(PREFIX)) {
            try {
                io.berth.spec.Reference ref = io.berth.spec.Reference.parse(s.startsWith("docker://")
                        ? s.substring("docker://".length()) : s);
                return new OciRef(io.berth.cli.remote.LocalStore.path(System.getenv()),
                        Optional.of(io.berth.cli.remote.LocalStore.tag(ref)), Optional.empty());
            } catch (IllegalArgumentException e) {
                throw new UsageException("invalid image reference \"" + s + "\": expected oci:LAYOUT[:TAG] or a"
                        + " reference in the local store (" + e.getMessage() + ")");
            }
        }
        OciRef r = parse(s);
        return r.tag.isEmpty() && r.digest.isEmpty() ? new OciRef(r.layout, Optional.of("latest"), Optional.empty()) : r;
    }

    /** The tag or digest as a string, for resolving in the layout. */
    public String name() {
        return digest.map(Digest::toString).orElseGet(() -> tag.orElse("latest"));
    }

    @Override
    public String toString() {
        return PREFIX + layout + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
