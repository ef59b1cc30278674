package io.berth.cli;

import io.berth.spec.Digest;
import io.berth.spec.InvalidDigestException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An image in an OCI image layout, named the way skopeo names it: {@code oci:PATH[:TAG]} or
 * {@code oci:PATH@DIGEST}. The tag is what follows the last {@code :} after the path's last {@code /}.
 */
public record OciRef(Path layout, Optional<String> tag, Optional<Digest> digest) {
    public static final String PREFIX = "oci:";

    /** Parses a reference that may or may not name an image in the layout. */
    public static OciRef parse(String s) {
        if (!s.startsWith(PREFIX) || s.length() == PREFIX.length()) {
            throw new UsageException("invalid image reference \"" + s + "\": expected oci:LAYOUT[:TAG]");
        }
        String rest = s.substring(PREFIX.length());
        int at = rest.lastIndexOf('@');
        if (at > 0 && rest.indexOf('/', at) < 0) {
            try {
                return new OciRef(Path.of(rest.substring(0, at)), Optional.empty(),
                        Optional.of(Digest.parse(rest.substring(at + 1))));
            } catch (InvalidDigestException e) {
                throw new UsageException("invalid image reference \"" + s + "\": " + e.getMessage());
            }
        }
        int colon = rest.lastIndexOf(':');
        if (colon > 0 && rest.indexOf('/', colon) < 0) {
            String tag = rest.substring(colon + 1);
            if (tag.isEmpty()) {
                throw new UsageException("invalid image reference \"" + s + "\": empty tag");
            }
            return new OciRef(Path.of(rest.substring(0, colon)), Optional.of(tag), Optional.empty());
        }
        return new OciRef(Path.of(rest), Optional.empty(), Optional.empty());
    }

    /** Parses a reference that must name an image (tag or digest); the tag defaults to "latest". */
    public static OciRef image(String s) {
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
