package io.berth.registry.storage;

import io.berth.spec.Digest;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content-addressed blobs, shared by every repository and stored once. Which repository may see a
 * blob is decided by {@link Links}, not here.
 */
public interface BlobStore {

    /** A stored blob's digest, size and last-touched time (for the GC grace period). */
    record BlobInfo(Digest digest, long size, Instant modified) {}

    /** The size of a stored blob, if it is stored. */
    Optional<Long> size(Digest digest);

    /** Where to read a stored blob from; empty if it is not stored. */
    Optional<BlobContent> open(Digest digest);

    /** Reads a small blob (a manifest) whole; empty if it is not stored. */
    Optional<byte[]> read(Digest digest);

    /**
     * Stores {@code bytes}, whose digest the caller has verified to be {@code digest} (write to a
     * temporary file, fsync, rename). Storing a blob that exists only refreshes its time.
     */
    void put(Digest digest, byte[] bytes);

    /** Marks a blob as recently used so a concurrent GC keeps it for its grace period. */
    void touch(Digest digest);

    /** Removes a blob; false if it was not stored. */
    boolean delete(Digest digest);

    /**
     * Removes a blob unless it was touched at or after {@code cutoff} (GC re-checks just before it
     * deletes, so a push that touched the blob after the mark phase keeps it); false if kept or absent.
     */
    boolean deleteIfUntouchedSince(Digest digest, Instant cutoff);

    /** Visits every stored blob (for GC). */
    void forEach(Consumer<BlobInfo> visitor);
}
