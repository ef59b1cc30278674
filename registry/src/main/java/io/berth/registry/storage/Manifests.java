package io.berth.registry.storage;

import io.berth.registry.RepositoryName;
import io.berth.spec.Digest;
import java.util.List;
import java.util.Optional;

/**
 * Manifests by digest, per repository. The bytes live in the {@link BlobStore}; a repository records
 * that it holds a manifest and the media type it was pushed with.
 */
public interface Manifests {

    /** Records that {@code repository} holds manifest {@code digest} of {@code mediaType}. */
    void put(RepositoryName repository, Digest digest, String mediaType);

    /** The media type the manifest was pushed with, if the repository holds it. */
    Optional<String> mediaType(RepositoryName repository, Digest digest);

    /**
     * A cheap token that changes whenever the repository's record of the manifest is written or removed
     * (compared with {@code equals}); null when the repository does not hold it. The default is the
     * media type, correct for any store but no cheaper than {@link #mediaType}.
     */
    default Object version(RepositoryName repository, Digest digest) {
        return mediaType(repository, digest).orElse(null);
    }

    /** Removes the manifest from the repository; false if it was not there. */
    boolean delete(RepositoryName repository, Digest digest);

    /** The manifests a repository holds. */
    List<Digest> digests(RepositoryName repository);
}
