package io.berth.registry.storage;

import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.spec.Digest;
import java.util.List;
import java.util.Optional;

/** Tags per repository. Moving a tag is atomic: readers see the old digest or the new one. */
public interface Tags {

    void set(RepositoryName repository, Tag tag, Digest manifest);

    Optional<Digest> resolve(RepositoryName repository, Tag tag);

    /** Removes a tag; false if it did not exist. */
    boolean delete(RepositoryName repository, Tag tag);

    /**
     * A cheap token that changes whenever the tag is set or deleted, compared with {@code equals} by
     * caches (the filesystem answers with one {@code stat}); null when the tag does not exist. The
     * default is the digest itself, which is correct for any store but no cheaper than {@link #resolve}.
     */
    default Object version(RepositoryName repository, Tag tag) {
        return resolve(repository, tag).orElse(null);
    }

    /** All tags of a repository in "ASCIIbetical" order (distribution-spec "Listing Tags"). */
    List<Tag> list(RepositoryName repository);
}
