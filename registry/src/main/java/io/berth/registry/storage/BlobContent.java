package io.berth.registry.storage;

/**
 * Where a blob's bytes can be read from. A closed set so that the HTTP edge handles every variant
 * (an object-storage backend adds a variant, e.g. a stream or a signed redirect URL, and the compiler
 * then points at every switch that must learn it).
 */
public sealed interface BlobContent {
    long size();

    /** A regular local file: the server sends it with sendfile (Netty {@code FileRegion}). */
    record LocalFile(java.nio.file.Path path, long size) implements BlobContent {}
}
