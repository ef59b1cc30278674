package io.berth.spec;

import java.util.Optional;

/**
 * A media type as it appears in a descriptor or a manifest's {@code mediaType} field. The OCI types
 * (media-types.md) and Docker schema2 types we speak are {@link Known}; anything else is {@link Other}
 * and is carried unchanged: "An encountered mediaType that is unknown to the implementation MUST NOT
 * generate an error" (image-index.md).
 */
public sealed interface MediaType permits MediaType.Known, MediaType.Other {

    /** The media type string. */
    String value();

    /** What a known media type is. */
    enum Kind { LAYOUT, DESCRIPTOR, MANIFEST, INDEX, CONFIG, LAYER, EMPTY }

    /** The media types Berth understands. */
    enum Known implements MediaType {
        OCI_DESCRIPTOR("application/vnd.oci.descriptor.v1+json", Kind.DESCRIPTOR, Compression.NONE, false),
        OCI_LAYOUT("application/vnd.oci.layout.header.v1+json", Kind.LAYOUT, Compression.NONE, false),
        OCI_INDEX("application/vnd.oci.image.index.v1+json", Kind.INDEX, Compression.NONE, false),
        OCI_MANIFEST("application/vnd.oci.image.manifest.v1+json", Kind.MANIFEST, Compression.NONE, false),
        OCI_CONFIG("application/vnd.oci.image.config.v1+json", Kind.CONFIG, Compression.NONE, false),
        OCI_LAYER("application/vnd.oci.image.layer.v1.tar", Kind.LAYER, Compression.NONE, false),
        OCI_LAYER_GZIP("application/vnd.oci.image.layer.v1.tar+gzip", Kind.LAYER, Compression.GZIP, false),
        OCI_LAYER_ZSTD("application/vnd.oci.image.layer.v1.tar+zstd", Kind.LAYER, Compression.ZSTD, false),
        OCI_LAYER_NONDIST("application/vnd.oci.image.layer.nondistributable.v1.tar", Kind.LAYER, Compression.NONE, true),
        OCI_LAYER_NONDIST_GZIP("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", Kind.LAYER, Compression.GZIP, true),
        OCI_LAYER_NONDIST_ZSTD("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", Kind.LAYER, Compression.ZSTD, true),
        OCI_EMPTY("application/vnd.oci.empty.v1+json", Kind.EMPTY, Compression.NONE, false),
        DOCKER_MANIFEST("application/vnd.docker.distribution.manifest.v2+json", Kind.MANIFEST, Compression.NONE, false),
        DOCKER_MANIFEST_LIST("application/vnd.docker.distribution.manifest.list.v2+json", Kind.INDEX, Compression.NONE, false),
        DOCKER_CONFIG("application/vnd.docker.container.image.v1+json", Kind.CONFIG, Compression.NONE, false),
        DOCKER_LAYER_GZIP("application/vnd.docker.image.rootfs.diff.tar.gzip", Kind.LAYER, Compression.GZIP, false),
        DOCKER_LAYER_FOREIGN_GZIP("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", Kind.LAYER, Compression.GZIP, true);

        private final String value;
        private final Kind kind;
        private final Compression compression;
        private final boolean nonDistributable;

        Known(String value, Kind kind, Compression compression, boolean nonDistributable) {
            this.value = value;
            this.kind = kind;
            this.compression = compression;
            this.nonDistributable = nonDistributable;
        }

        @Override
        public String value() {
            return value;
        }

        public Kind knownKind() {
            return kind;
        }

        public Compression compression() {
            return compression;
        }

        public boolean nonDistributable() {
            return nonDistributable;
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** A media type we carry but do not interpret. */
    record Other(String value) implements MediaType {
        public Other {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("media type must not be empty");
            }
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** Looks up a media type string; never fails for a non-empty string. */
    static MediaType of(String value) {
        for (Known k : Known.values()) {
            if (k.value.equals(value)) {
                return k;
            }
        }
        return new Other(value);
    }

    default Optional<Kind> kind() {
        return this instanceof Known k ? Optional.of(k.knownKind()) : Optional.empty();
    }

    default boolean isManifest() {
        return kind().orElse(null) == Kind.MANIFEST;
    }

    default boolean isIndex() {
        return kind().orElse(null) == Kind.INDEX;
    }

    default boolean isLayer() {
        return kind().orElse(null) == Kind.LAYER;
    }

    default boolean isConfig() {
        return kind().orElse(null) == Kind.CONFIG;
    }

    /** The compression of a layer media type; empty for anything that is not a known layer. */
    default Optional<Compression> layerCompression() {
        return this instanceof Known k && k.knownKind() == Kind.LAYER ? Optional.of(k.compression()) : Optional.empty();
    }

    /** The OCI layer media type for a compression. */
    static Known ociLayer(Compression c) {
        return switch (c) {
            case NONE -> Known.OCI_LAYER;
            case GZIP -> Known.OCI_LAYER_GZIP;
            case ZSTD -> Known.OCI_LAYER_ZSTD;
        };
    }
}
