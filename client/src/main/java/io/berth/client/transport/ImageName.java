package io.berth.client.transport;

import io.berth.spec.Digest;
import io.berth.spec.InvalidDigestException;
import io.berth.spec.Reference;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where an image is, named the way skopeo names it: {@code docker://host[:port]/repo[:tag|@digest]}
 * (a registry) or {@code oci:path[:tag]} / {@code oci:path@digest} (an OCI image layout).
 */
public sealed interface ImageName {

    /** An image in a registry. */
    record Registry(Reference reference) implements ImageName {
        @Override
        public String toString() {
            return "docker://" + reference;
        }
    }

    /** An image (or, with neither tag nor digest, a whole layout) in an OCI image layout. */
    record Layout(Path path, Optional<String> tag, Optional<Digest> digest) implements ImageName {
        /** The tag or digest to look up; "latest" when neither is given. */
        public String name() {
            return digest.map(Digest::toString).orElseGet(() -> tag.orElse("latest"));
        }

        @Override
        public String toString() {
            return "oci:" + path + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
        }
    }

    /** Parses a transport-qualified name; the error names the input. */
    static ImageName parse(String s) {
        if (s.startsWith("docker://")) {
            try {
                return new Registry(Reference.parse(s.substring("docker://".length())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid image name \"" + s + "\": " + e.getMessage());
            }
        }
        if (s.startsWith("oci:") && s.length() > 4) {
            String rest = s.substring(4);
            int at = rest.lastIndexOf('@');
            if (at > 0 && rest.indexOf('/', at) < 0) {
                try {
                    return new Layout(Path.of(rest.substring(0, at)), Optional.empty(),
                            Optional.of(Digest.parse(rest.substring(at + 1))));
                } catch (InvalidDigestException e) {
                    throw new IllegalArgumentException("invalid image name \"" + s + "\": " + e.getMessage());
                }
            }
            int colon = rest.lastIndexOf(':');
            if (colon > 0 && rest.indexOf('/', colon) < 0) {
                String tag = rest.substring(colon + 1);
                if (tag.isEmpty()) {
                    throw new IllegalArgumentException("invalid image name \"" + s + "\": empty tag");
                }
                return new Layout(Path.of(rest.substring(0, colon)), Optional.of(tag), Optional.empty());
            }
            return new Layout(Path.of(rest), Optional.empty(), Optional.empty());
        }
        throw new IllegalArgumentException("invalid image name \"" + s
                + "\": expected docker://HOST/REPO[:TAG] or oci:PATH[:TAG]");
    }
}
