package io.berth.registry.storage;

import io.berth.registry.RepositoryName;
import io.berth.spec.Digest;
import java.util.List;

/** Which blobs each repository may see: "a repository can only serve the blobs linked to it". */
public interface Links {

    /** Links a stored blob into a repository (idempotent). */
    void link(RepositoryName repository, Digest blob);

    boolean isLinked(RepositoryName repository, Digest blob);

    /** Removes a link; false if there was none. */
    boolean unlink(RepositoryName repository, Digest blob);

    /** The blobs linked to a repository (for GC). */
    List<Digest> linked(RepositoryName repository);
}
