package io.berth.registry.storage;

import io.berth.registry.RepositoryName;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import java.util.List;

/**
 * The referrers index: for each subject digest, descriptors of the manifests in the same repository
 * whose {@code subject} names it (distribution-spec "Listing Referrers").
 */
public interface Referrers {

    void add(RepositoryName repository, Digest subject, Descriptor referrer);

    void remove(RepositoryName repository, Digest subject, Digest referrer);

    /** Referrers of {@code subject}, ordered by digest. */
    List<Descriptor> list(RepositoryName repository, Digest subject);
}
