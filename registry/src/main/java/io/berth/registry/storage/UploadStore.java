package io.berth.registry.storage;

import io.berth.registry.RepositoryName;
import io.berth.spec.Digest;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Blob upload sessions. A session's state (repository, committed offset, algorithm) lives in storage,
 * not in one process's memory, so any server process over the same storage can continue or finish it.
 */
public interface UploadStore {

    /** A session: its id (a UUID), repository, bytes accepted so far, digest algorithm and start time. */
    record Upload(String id, RepositoryName repository, long offset, String algorithm, Instant started) {}

    /** Opens a session for {@code repository}, hashing with {@code algorithm} (sha256 or sha512). */
    Upload start(RepositoryName repository, String algorithm);

    /** The session, if it exists and belongs to {@code repository}. */
    Optional<Upload> get(RepositoryName repository, String id);

    /**
     * Appends a chunk. {@code start}, when present, must equal the session's offset (else
     * {@code BLOB_UPLOAD_INVALID} with status 416); {@code length}, when present, is the number of bytes
     * the body must carry. The chunk is fsynced before the new offset is recorded, so a crash leaves the
     * session at its previous offset.
     */
    Upload append(RepositoryName repository, String id, OptionalLong start, OptionalLong length, InputStream body);

    /**
     * Closes the session: verifies the content against {@code expected} ({@code DIGEST_INVALID} and the
     * session removed when it differs) and moves it into the blob store. Returns the blob's size.
     */
    long finish(RepositoryName repository, String id, Digest expected);

    /** Removes a session; false if it did not exist. */
    boolean cancel(RepositoryName repository, String id);

    /** Visits every session (for GC of abandoned uploads). */
    void forEach(Consumer<Upload> visitor);

    /** Removes a session regardless of its repository (GC). */
    void purge(String id);

    /**
     * Removes what interrupted writes left behind (a process killed between writing a temporary file
     * and renaming it) when older than {@code cutoff}; returns how many were removed.
     */
    int purgeTemporary(Instant cutoff);
}
